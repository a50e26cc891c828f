// Counter deltas between snapshots: wraps, resets, IRQs and CPUs that come and go, with hand-built snapshots.
#define BOOST_TEST_MODULE delta_tracker
#include <boost/test/unit_test.hpp>

#include <initializer_list>

#include "irqd/core/history.hpp"

using namespace irqd::core;

namespace {

struct row_spec {
    std::string id;
    std::vector<std::uint64_t> counts;   // one per CPU, or one value for a single-value row
    bool per_cpu = true;
};

snapshot make_snapshot(std::vector<unsigned> cpus, std::initializer_list<row_spec> rows) {
    snapshot s;
    s.cpus = std::move(cpus);
    for (const auto& spec : rows) {
        irq_row row;
        row.id = spec.id;
        row.per_cpu = spec.per_cpu;
        s.rows.push_back(row);
        for (std::size_t c = 0; c < s.cpus.size(); ++c) s.counts.push_back(c < spec.counts.size() ? spec.counts[c] : 0);
    }
    return s;
}

using counts = std::vector<std::uint64_t>;
using ids = std::vector<std::string>;
using cpu_list = std::vector<unsigned>;

}  // namespace

BOOST_AUTO_TEST_CASE(counter_delta_rules) {
    BOOST_TEST(counter_delta(100, 150) == 50u);
    BOOST_TEST(counter_delta(7, 7) == 0u);
    // A 32-bit counter wrapping: 296 to reach 2^32, then 200 more.
    BOOST_TEST(counter_delta(4294967000, 200) == 496u);
    BOOST_TEST(counter_delta(4294967295, 0) == 1u);
    // Falling from low in the range is no wrap but a reset: what fired since is `cur`.
    BOOST_TEST(counter_delta(1000, 5) == 5u);
    // The wrapped delta would be 2^31 + 5: implausible for one interval, so a reset.
    BOOST_TEST(counter_delta(std::uint64_t{1} << 31, 5) == 5u);
    // Just below 2^31 is still a wrap.
    BOOST_TEST(counter_delta((std::uint64_t{1} << 31) + 6, 5) == (std::uint64_t{1} << 31) - 1);
    // 64-bit counters never wrap in practice: going down is a reset.
    BOOST_TEST(counter_delta(std::uint64_t{1} << 40, 5) == 5u);
    BOOST_TEST(counter_delta(std::uint64_t{1} << 40, (std::uint64_t{1} << 40) + 7) == 7u);
    BOOST_TEST(counter_delta(std::uint64_t{1} << 40, 4294967000) == 4294967000u);
}

BOOST_AUTO_TEST_CASE(first_snapshot_gives_no_frame) {
    delta_tracker tracker;
    BOOST_TEST(!tracker.next(make_snapshot({0, 1}, {{"0", {10, 20}}, {"1", {5, 0}}})).has_value());
    auto frame = tracker.next(make_snapshot({0, 1}, {{"0", {13, 20}}, {"1", {9, 1}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->shape->row_ids == (ids{"0", "1"}));
    BOOST_TEST(frame->shape->cpus == (cpu_list{0, 1}));
    BOOST_TEST(frame->counts == (counts{3, 0, 4, 1}));
}

BOOST_AUTO_TEST_CASE(unchanged_layout_shares_one_pointer) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0, 1}, {{"0", {1, 1}}}));
    auto a = tracker.next(make_snapshot({0, 1}, {{"0", {2, 3}}}));
    auto b = tracker.next(make_snapshot({0, 1}, {{"0", {4, 6}}}));
    BOOST_TEST_REQUIRE((a && b));
    BOOST_TEST(a->shape.get() == b->shape.get());
    BOOST_TEST(b->counts == (counts{2, 3}));
}

BOOST_AUTO_TEST_CASE(wrap_and_reset_per_cell) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0, 1}, {{"0", {4294967000, 1000}}}));
    auto frame = tracker.next(make_snapshot({0, 1}, {{"0", {200, 5}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->counts == (counts{496, 5}));
    // And counting goes on normally from the new values.
    frame = tracker.next(make_snapshot({0, 1}, {{"0", {210, 8}}}));
    BOOST_TEST(frame->counts == (counts{10, 3}));
}

BOOST_AUTO_TEST_CASE(single_value_rows_are_left_out) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0, 1}, {{"0", {1, 1}}, {"ERR", {7}, false}, {"NMI", {2, 2}}}));
    auto frame = tracker.next(make_snapshot({0, 1}, {{"0", {2, 1}}, {"ERR", {9}, false}, {"NMI", {2, 5}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->shape->row_ids == (ids{"0", "NMI"}));
    BOOST_TEST(frame->counts == (counts{1, 0, 0, 3}));
}

BOOST_AUTO_TEST_CASE(irq_that_appears_counts_zero_then_counts) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0, 1}, {{"0", {10, 10}}}));
    auto frame = tracker.next(make_snapshot({0, 1}, {{"0", {11, 12}}, {"42", {500, 600}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->shape->row_ids == (ids{"0", "42"}));
    BOOST_TEST(frame->counts == (counts{1, 2, 0, 0}));
    frame = tracker.next(make_snapshot({0, 1}, {{"0", {11, 12}}, {"42", {503, 600}}}));
    BOOST_TEST(frame->counts == (counts{0, 0, 3, 0}));
}

BOOST_AUTO_TEST_CASE(irq_that_vanishes_drops_out) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0}, {{"0", {10}}, {"42", {500}}, {"43", {7}}}));
    auto frame = tracker.next(make_snapshot({0}, {{"0", {15}}, {"43", {9}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->shape->row_ids == (ids{"0", "43"}));
    BOOST_TEST(frame->counts == (counts{5, 2}));
}

BOOST_AUTO_TEST_CASE(rows_that_move_are_matched_by_id) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0}, {{"0", {10}}, {"1", {20}}}));
    auto frame = tracker.next(make_snapshot({0}, {{"1", {25}}, {"0", {11}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->shape->row_ids == (ids{"1", "0"}));
    BOOST_TEST(frame->counts == (counts{5, 1}));
}

BOOST_AUTO_TEST_CASE(cpu_offline_then_online) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0, 1, 2}, {{"0", {10, 20, 30}}}));
    // CPU 1 goes offline: its column vanishes from the header.
    auto frame = tracker.next(make_snapshot({0, 2}, {{"0", {11, 33}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->shape->cpus == (cpu_list{0, 2}));
    BOOST_TEST(frame->counts == (counts{1, 3}));
    // Back online, with a counter lower than before: it counts 0 in the frame where it returns...
    frame = tracker.next(make_snapshot({0, 1, 2}, {{"0", {12, 4, 34}}}));
    BOOST_TEST(frame->shape->cpus == (cpu_list{0, 1, 2}));
    BOOST_TEST(frame->counts == (counts{1, 0, 1}));
    // ...and from its new value after that.
    frame = tracker.next(make_snapshot({0, 1, 2}, {{"0", {12, 9, 34}}}));
    BOOST_TEST(frame->counts == (counts{0, 5, 0}));
}

BOOST_AUTO_TEST_CASE(cpu_back_with_a_higher_counter_still_counts_zero) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0, 1}, {{"0", {10, 20}}}));
    tracker.next(make_snapshot({0}, {{"0", {10}}}));
    auto frame = tracker.next(make_snapshot({0, 1}, {{"0", {10, 900}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->counts == (counts{0, 0}));
}

BOOST_AUTO_TEST_CASE(a_layout_that_changes_back_gets_a_new_pointer) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0}, {{"0", {1}}}));
    auto a = tracker.next(make_snapshot({0}, {{"0", {2}}}));
    auto b = tracker.next(make_snapshot({0}, {{"0", {3}}, {"1", {1}}}));
    auto c = tracker.next(make_snapshot({0}, {{"0", {4}}}));
    BOOST_TEST_REQUIRE((a && b && c));
    BOOST_TEST(a->shape.get() != b->shape.get());
    BOOST_TEST((*a->shape == *c->shape));
    BOOST_TEST(c->counts == (counts{1}));
}

BOOST_AUTO_TEST_CASE(reset_forgets_the_previous_snapshot) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0}, {{"0", {1}}}));
    tracker.reset();
    BOOST_TEST(!tracker.next(make_snapshot({0}, {{"0", {5}}})).has_value());
    auto frame = tracker.next(make_snapshot({0}, {{"0", {8}}}));
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->counts == (counts{3}));
}

BOOST_AUTO_TEST_CASE(short_counts_read_as_zero) {
    delta_tracker tracker;
    tracker.next(make_snapshot({0, 1}, {{"0", {1, 1}}}));
    auto bad = make_snapshot({0, 1}, {{"0", {3, 4}}});
    bad.counts.pop_back();
    auto frame = tracker.next(bad);
    BOOST_TEST_REQUIRE(frame.has_value());
    BOOST_TEST(frame->counts == (counts{2, 0}));   // 1 -> 0 is a reset to 0
}

BOOST_AUTO_TEST_CASE(next_into_a_reused_frame) {
    delta_tracker tracker;
    delta_frame frame;
    BOOST_TEST(!tracker.next(make_snapshot({0, 1}, {{"0", {1, 1}}}), frame));
    BOOST_TEST(tracker.next(make_snapshot({0, 1}, {{"0", {3, 2}}}), frame));
    BOOST_TEST(frame.counts == (counts{2, 1}));
    const auto* buffer = frame.counts.data();
    BOOST_TEST(tracker.next(make_snapshot({0, 1}, {{"0", {4, 5}}}), frame));
    BOOST_TEST(frame.counts == (counts{1, 3}));
    BOOST_TEST(frame.counts.data() == buffer);
    BOOST_TEST(tracker.next(make_snapshot({0}, {{"0", {9}}}), frame));
    BOOST_TEST(frame.counts == (counts{5}));
    BOOST_TEST(frame.shape->cpus == (cpu_list{0}));
}
