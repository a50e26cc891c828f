// Counter deltas between snapshots: wraps, resets, IRQs and CPUs that come and go, with hand-built snapshots.
#define BOOST_TEST_MODULE delta_tracker
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <random>

#include "irqd/core/history.hpp"
#include "random_counters.hpp"

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

using counts = big_vector<std::uint64_t>;
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

// The sampler's form: the previous snapshot is the caller's, not a copy. A random run of snapshots
// (counters that wrap and reset, rows and CPUs that come and go or move, single-value rows, a
// malformed snapshot now and then) gives the same frames, layout pointers included, as the copying form.
BOOST_AUTO_TEST_CASE(comparing_with_the_callers_previous_snapshot_gives_the_same_frames) {
    irqd::test::random_machine m(16);
    auto& rng = m.rng;
    delta_tracker copying, borrowing;
    delta_frame a, b;
    snapshot previous;
    for (int k = 0; k < 400; ++k) {
        m.change(15);
        snapshot s = m.empty();
        const std::size_t err_at = rng() % (m.rows.size() + 1);   // a single-value row moves the others down
        for (std::size_t i = 0; i <= m.rows.size(); ++i) {
            if (i == err_at) {
                irq_row err;
                err.id = "ERR";
                err.per_cpu = false;
                s.rows.push_back(err);
                s.counts.push_back(rng() % 10);
                s.counts.resize(s.rows.size() * s.cpus.size(), 0);
            }
            if (i < m.rows.size()) m.add_row(s, m.rows[i]);
        }
        if (rng() % 40 == 0) s.counts.pop_back();   // malformed
        const bool got_a = copying.next(s, a);
        const bool got_b = borrowing.next(previous, s, b);
        BOOST_TEST_REQUIRE(got_a == got_b, "snapshot " << k);
        if (got_a) {
            BOOST_TEST_REQUIRE(a.counts == b.counts, "snapshot " << k);
            BOOST_TEST_REQUIRE((*a.shape == *b.shape), "snapshot " << k);
        }
        previous = s;
    }
}

BOOST_AUTO_TEST_CASE(the_callers_form_shares_the_layout_and_the_copying_form_starts_again_after_it) {
    delta_tracker tracker;
    delta_frame f1, f2;
    const auto s0 = make_snapshot({0, 1}, {{"0", {10, 20}}});
    const auto s1 = make_snapshot({0, 1}, {{"0", {13, 25}}});
    const auto s2 = make_snapshot({0, 1}, {{"0", {14, 4294967295u}}});
    const auto s3 = make_snapshot({0, 1}, {{"0", {20, 3}}});
    BOOST_TEST(!tracker.next(snapshot{}, s0, f1));
    BOOST_TEST(tracker.next(s0, s1, f1));
    BOOST_TEST(f1.counts == (counts{3, 5}));
    BOOST_TEST(tracker.next(s1, s2, f2));
    BOOST_TEST(f2.shape == f1.shape);
    BOOST_TEST(tracker.next(s2, s3, f2));
    BOOST_TEST(f2.counts == (counts{6, 4}));   // the second counter wrapped
    // The copying form has no previous counts of its own now: its first snapshot gives no frame.
    BOOST_TEST(!tracker.next(s0, f1));
    BOOST_TEST(tracker.next(s1, f1));
    BOOST_TEST(f1.counts == (counts{3, 5}));
}

// The fused form adds what next(prev, cur, out) would write, wraps and resets included; a changed
// layout is left to next() with the sum and the tracker untouched; last_deltas() gives the frame of a
// summing call only.
BOOST_AUTO_TEST_CASE(sum_next_adds_the_deltas_and_leaves_a_changed_layout_to_next) {
    delta_tracker tracker;
    delta_frame f;
    const auto s0 = make_snapshot({0, 1}, {{"0", {10, 4294967000u}}, {"1", {100, 7}}});
    const auto s1 = make_snapshot({0, 1}, {{"0", {13, 200}}, {"1", {5, 9}}});   // a wrap, a reset
    const auto s2 = make_snapshot({0, 1}, {{"1", {6, 9}}});                     // row 0 went
    counts sum{1, 1, 1, 1};
    BOOST_TEST(!tracker.sum_next(snapshot{}, s0, sum.data()));   // no layout yet: nothing summed
    BOOST_TEST(!tracker.next(snapshot{}, s0, f));
    BOOST_TEST(!tracker.last_deltas(snapshot{}, s0, f));
    BOOST_TEST(!tracker.sum_next(s0, s1, nullptr));
    BOOST_TEST(tracker.sum_next(s0, s1, sum.data()));
    BOOST_TEST(sum == (counts{4, 497, 6, 3}));
    BOOST_TEST_REQUIRE(tracker.last_deltas(s0, s1, f));
    BOOST_TEST(f.counts == (counts{3, 496, 5, 2}));
    BOOST_TEST(f.shape == tracker.shape());
    BOOST_TEST(!tracker.sum_next(s1, s2, sum.data()));
    BOOST_TEST(sum == (counts{4, 497, 6, 3}));
    BOOST_TEST(tracker.last_deltas(s0, s1, f));    // that call changed nothing
    BOOST_TEST(tracker.next(s1, s2, f));
    BOOST_TEST(f.counts == (counts{1, 0}));
    BOOST_TEST(!tracker.last_deltas(s1, s2, f));
}
