// Tiered history with hand-built frames and snapshots: exact window sums, snapping, tier choice,
// retention, layout changes, and the tier list syntax. Small tiers (1s:10s,5s:1m) keep it fast.
#define BOOST_TEST_MODULE history
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <random>

#include "irqd/core/history.hpp"
#include "random_counters.hpp"
#include "window_checks.hpp"

using namespace irqd::core;
using irqd::test::big;
using irqd::test::same_window;
using namespace std::chrono_literals;

namespace {

using counts = std::vector<std::uint64_t>;
using ids = std::vector<std::string>;
using cpu_list = std::vector<unsigned>;

// A multiple of every resolution used here (5s, 10s, 1m), so buckets start at t0.
const clock_time t0 = clock_time{} + 1'790'000'040s;

clock_time at(std::chrono::milliseconds offset) { return t0 + offset; }

layout_ptr make_layout(ids rows, cpu_list cpus) {
    return std::make_shared<const layout>(layout{std::move(rows), std::move(cpus)});
}

std::vector<tier_config> tiers_of(std::string_view text) {
    auto t = parse_tiers(text);
    BOOST_TEST_REQUIRE(t.has_value(), "parse_tiers(\"" << text << "\"): " << (t ? std::string() : t.error_message()));
    return *t;
}

std::string tiers_error(std::string_view text) {
    auto t = parse_tiers(text);
    BOOST_TEST_REQUIRE(!t.has_value(), "parse_tiers(\"" << text << "\") should fail");
    return t.error_message();
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

// Frame k covers (t0 + k s, t0 + k+1 s] and counts `value(k)` in every cell.
template <class Value>
void feed(history& h, const layout_ptr& shape, int first, int last, Value value) {
    const std::size_t cells = shape->row_ids.size() * shape->cpus.size();
    for (int k = first; k < last; ++k) {
        h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, big(counts(cells, value(k)))});
    }
}

struct row_spec {
    std::string id;
    std::vector<std::uint64_t> counts;
};

snapshot make_snapshot(std::vector<unsigned> cpus, std::initializer_list<row_spec> rows) {
    snapshot s;
    s.cpus = std::move(cpus);
    for (const auto& spec : rows) {
        irq_row row;
        row.id = spec.id;
        s.rows.push_back(row);
        s.counts.insert(s.counts.end(), spec.counts.begin(), spec.counts.end());
    }
    return s;
}

}  // namespace

// --- tier lists -------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(default_tiers_are_a_second_a_minute_an_hour) {
    BOOST_TEST(format_tiers(default_tiers()) == "1s:1h,1m:1d,1h:30d");
    const auto parsed = tiers_of("1s:1h,1m:1d,1h:30d");
    BOOST_TEST_REQUIRE(parsed.size() == 3u);
    BOOST_TEST(parsed[1].resolution.count() == 60);
    BOOST_TEST(parsed[2].retention.count() == 30 * 86400);
    BOOST_TEST(format_tiers(tiers_of(" 10s:2m , 5m:1h,1h:1d ")) == "10s:2m,5m:1h,1h:1d");
    BOOST_TEST(format_tiers(tiers_of("60:3600")) == "1m:1h");
}

BOOST_AUTO_TEST_CASE(bad_tier_lists_say_why) {
    BOOST_TEST(contains(tiers_error(""), "empty tier list"));
    BOOST_TEST(contains(tiers_error("1s"), "expected resolution:retention"));
    BOOST_TEST(contains(tiers_error("1s:1h,"), "expected resolution:retention"));
    BOOST_TEST(contains(tiers_error("x:1h"), "unknown unit") == false);   // "x" has no number
    BOOST_TEST(contains(tiers_error("1s:1y"), "unknown unit \"y\""));
    BOOST_TEST(contains(tiers_error("0s:1h"), "at least 1s"));
    BOOST_TEST(contains(tiers_error("1500ms:1h"), "whole seconds"));
    BOOST_TEST(contains(tiers_error("1m:30s"), "shorter than the resolution"));
    BOOST_TEST(contains(tiers_error("1m:90s"), "not a multiple of the resolution"));
    BOOST_TEST(contains(tiers_error("1m:1h,1s:1d"), "resolutions must grow"));
    BOOST_TEST(contains(tiers_error("1m:1h,1m:1d"), "resolutions must grow"));
    BOOST_TEST(contains(tiers_error("1m:1h,90s:1d"), "not a multiple of the finer resolution 1m"));
    BOOST_TEST(contains(tiers_error("1s:1h,1m:30m"), "keeps no longer than the finer tier 1s:1h"));
    BOOST_TEST(contains(tiers_error("1s:1000d"), "more than 1000000 frames"));
}

BOOST_AUTO_TEST_CASE(memory_estimate_is_frames_times_cells_times_bytes) {
    // Default tiers, 256 CPUs x 4096 IRQs: (3600 + 1440 + 720) frames x 4 B, plus two open 8 B buckets.
    const std::size_t cells = 256 * 4096;
    BOOST_TEST(history_memory_estimate(default_tiers(), cells) == (5760u * 4 + 2 * 8) * cells);
    BOOST_TEST(history_memory_estimate(tiers_of("10s:2m,5m:1h,1h:1d"), cells) == (48u * 4 + 3 * 8) * cells);
}

// --- sums and snapping ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(sums_the_frames_of_a_window_exactly) {
    history h(tiers_of("1s:10s,5s:1m"));
    const auto shape = make_layout({"0"}, {0, 1});
    for (int k = 0; k < 8; ++k) {
        const std::uint64_t v = static_cast<std::uint64_t>(k + 1);
        h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, {v, 10 * v}});
    }
    const auto w = h.query(at(2s), at(5s));
    BOOST_TEST(w.counts == (counts{3 + 4 + 5, 30 + 40 + 50}));
    BOOST_TEST(w.shape == shape);
    BOOST_TEST(w.frames == 3u);
    BOOST_TEST(w.from == at(2s));
    BOOST_TEST(w.to == at(5s));
    BOOST_TEST(w.resolution.count() == 1);
    BOOST_TEST(w.complete);
}

BOOST_AUTO_TEST_CASE(windows_snap_to_frames_by_their_midpoint) {
    history h(tiers_of("1s:10s,5s:1m"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 8, [](int k) { return k + 1; });
    // Midpoints 2.5, 3.5 and 4.5 lie in [2.3, 4.6]: frames 2..4, reported as [2, 5].
    auto w = h.query(at(2300ms), at(4600ms));
    BOOST_TEST(w.counts == (counts{12}));
    BOOST_TEST(w.from == at(2s));
    BOOST_TEST(w.to == at(5s));
    // Only 3.5 lies in [2.6, 4.4].
    w = h.query(at(2600ms), at(4400ms));
    BOOST_TEST(w.counts == (counts{4}));
    BOOST_TEST(w.from == at(3s));
    BOOST_TEST(w.to == at(4s));
    // A midpoint on the edge is inside.
    w = h.query(at(2500ms), at(2500ms));
    BOOST_TEST(w.counts == (counts{3}));
}

BOOST_AUTO_TEST_CASE(coarser_tier_answers_after_the_finest_dropped_the_window) {
    history h(tiers_of("1s:10s,5s:1m"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 30, [](int k) { return k + 1; });
    // The 1 s tier holds frames 20..29 only; the 5 s tier has buckets (0,5], (5,10], ...
    auto w = h.query(at(0s), at(10s));
    BOOST_TEST(w.resolution.count() == 5);
    BOOST_TEST(w.frames == 2u);
    BOOST_TEST(w.counts == (counts{55}));   // 1 + 2 + ... + 10
    BOOST_TEST(w.from == at(0s));
    BOOST_TEST(w.to == at(10s));
    BOOST_TEST(w.complete);
    // The recent past still comes from the 1 s tier.
    w = h.query(at(20s), at(30s));
    BOOST_TEST(w.resolution.count() == 1);
    BOOST_TEST(w.frames == 10u);
    BOOST_TEST(w.counts == (counts{255}));   // 21 + ... + 30
}

BOOST_AUTO_TEST_CASE(coarse_window_snaps_to_buckets) {
    history h(tiers_of("1s:10s,5s:1m"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 30, [](int) { return 1; });
    // Bucket midpoints 2.5, 7.5, 12.5: [3, 12] takes only (5, 10].
    const auto w = h.query(at(3s), at(12s));
    BOOST_TEST(w.resolution.count() == 5);
    BOOST_TEST(w.from == at(5s));
    BOOST_TEST(w.to == at(10s));
    BOOST_TEST(w.counts == (counts{5}));
}

BOOST_AUTO_TEST_CASE(open_bucket_answers_the_latest_seconds) {
    history h(tiers_of("1s:10s,5s:1m"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 32, [](int k) { return k + 1; });
    // The 5 s tier: six closed buckets and the open one, (30, 32].
    const auto w = h.query(at(0s), at(40s));
    BOOST_TEST(w.resolution.count() == 5);
    BOOST_TEST(w.frames == 7u);
    BOOST_TEST(w.counts == (counts{32 * 33 / 2}));
    BOOST_TEST(w.to == at(32s));
    BOOST_TEST(w.complete);
}

BOOST_AUTO_TEST_CASE(short_history_is_incomplete) {
    history h(tiers_of("1s:10s,5s:1m"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 5, [](int k) { return k + 1; });
    const auto w = h.query(at(-100s), at(5s));
    BOOST_TEST(!w.complete);
    BOOST_TEST(w.resolution.count() == 1);   // every tier reaches back to t0: the finest answers
    BOOST_TEST(w.frames == 5u);
    BOOST_TEST(w.counts == (counts{15}));
    BOOST_TEST(w.from == at(0s));
    BOOST_TEST(w.to == at(5s));
}

BOOST_AUTO_TEST_CASE(half_a_resolution_short_still_covers) {
    history h(tiers_of("1s:10s,5s:1m"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 5, [](int) { return 1; });
    auto w = h.query(at(-500ms), at(5s));
    BOOST_TEST(w.complete);
    BOOST_TEST(w.resolution.count() == 1);
    // Past half a second the 1 s tier no longer covers, but the 5 s tier does (within 2.5 s).
    w = h.query(at(-501ms), at(5s));
    BOOST_TEST(w.complete);
    BOOST_TEST(w.resolution.count() == 5);
    BOOST_TEST(w.counts == (counts{5}));
    w = h.query(at(-2501ms), at(5s));
    BOOST_TEST(!w.complete);
    BOOST_TEST(w.resolution.count() == 1);
}

BOOST_AUTO_TEST_CASE(empty_windows_say_so) {
    history h(tiers_of("1s:10s,5s:1m"));
    auto w = h.query(at(0s), at(5s));
    BOOST_TEST(w.frames == 0u);
    BOOST_TEST(!w.shape);
    BOOST_TEST(w.counts.empty());
    BOOST_TEST(!w.complete);
    BOOST_TEST(w.from == at(0s));
    BOOST_TEST(w.to == at(0s));

    const auto shape = make_layout({"0", "1"}, {0});
    feed(h, shape, 0, 5, [](int) { return 1; });
    // Before the history: nothing, and incomplete.
    w = h.query(at(-100s), at(-50s));
    BOOST_TEST(w.frames == 0u);
    BOOST_TEST(!w.complete);
    BOOST_TEST(w.from == at(0s));
    BOOST_TEST(w.to == at(0s));
    BOOST_TEST(w.shape == shape);
    BOOST_TEST(w.counts == (counts{0, 0}));
    // After it: nothing, but nothing is missing either.
    w = h.query(at(100s), at(200s));
    BOOST_TEST(w.frames == 0u);
    BOOST_TEST(w.complete);
    BOOST_TEST(w.from == at(5s));
    BOOST_TEST(w.to == at(5s));
    // Between two midpoints.
    w = h.query(at(2600ms), at(3400ms));
    BOOST_TEST(w.frames == 0u);
    BOOST_TEST(w.from == at(2600ms));
    // Backwards.
    BOOST_TEST(h.query(at(4s), at(1s)).frames == 0u);
    // The ends of the clock.
    w = h.query(clock_time::min(), clock_time::max());
    BOOST_TEST(w.frames == 5u);
    BOOST_TEST(!w.complete);
    BOOST_TEST(h.query(clock_time::max(), clock_time::max()).frames == 0u);
}

// --- layouts ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(layout_union_newest_first) {
    history h(tiers_of("1s:1m"));
    const auto older = make_layout({"1", "2"}, {0, 1});
    const auto newer = make_layout({"2", "3"}, {0, 1, 2});
    h.add(at(0s), at(1s), delta_frame{older, {1, 2, 3, 4}});
    h.add(at(1s), at(2s), delta_frame{older, {1, 2, 3, 4}});
    h.add(at(2s), at(3s), delta_frame{newer, {10, 20, 30, 40, 50, 60}});
    h.add(at(3s), at(4s), delta_frame{newer, {10, 20, 30, 40, 50, 60}});
    const auto w = h.query(at(0s), at(4s));
    BOOST_TEST_REQUIRE(w.shape);
    BOOST_TEST(w.shape->row_ids == (ids{"2", "3", "1"}));
    BOOST_TEST(w.shape->cpus == (cpu_list{0, 1, 2}));
    BOOST_TEST(w.counts == (counts{26, 48, 60, 80, 100, 120, 2, 4, 0}));
    BOOST_TEST(w.frames == 4u);
    // A window inside one layout keeps that layout's pointer.
    BOOST_TEST(h.query(at(2s), at(4s)).shape == newer);
}

BOOST_AUTO_TEST_CASE(equal_layouts_behind_different_pointers_sum_directly) {
    history h(tiers_of("1s:1m"));
    h.add(at(0s), at(1s), delta_frame{make_layout({"0"}, {0, 1}), {1, 2}});
    h.add(at(1s), at(2s), delta_frame{make_layout({"0"}, {0, 1}), {3, 4}});
    const auto w = h.query(at(0s), at(2s));
    BOOST_TEST(w.shape->row_ids == (ids{"0"}));
    BOOST_TEST(w.counts == (counts{4, 6}));
}

BOOST_AUTO_TEST_CASE(layout_change_closes_a_bucket_early) {
    // One-second frames are shorter than half of 5 s, so this tier sums them into buckets.
    history h(tiers_of("5s:1m"));
    const auto two_cpus = make_layout({"0"}, {0, 1});
    const auto three_cpus = make_layout({"0"}, {0, 1, 2});
    feed(h, two_cpus, 0, 2, [](int) { return 1; });
    feed(h, three_cpus, 2, 5, [](int) { return 2; });
    feed(h, three_cpus, 5, 10, [](int) { return 3; });
    auto w = h.query(at(0s), at(5s));
    BOOST_TEST(w.frames == 2u);   // (0, 2] and (2, 5]
    BOOST_TEST(w.shape->cpus == (cpu_list{0, 1, 2}));
    BOOST_TEST(w.counts == (counts{2 + 6, 2 + 6, 6}));
    w = h.query(at(0s), at(10s));
    BOOST_TEST(w.frames == 3u);
    BOOST_TEST(w.counts == (counts{23, 23, 21}));
    // The short bucket snaps by its own midpoint, 1 s.
    w = h.query(at(0s), at(1s));
    BOOST_TEST(w.frames == 1u);
    BOOST_TEST(w.to == at(2s));
}

// --- retention and limits ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(retention_drops_the_oldest) {
    history h(tiers_of("1s:10s"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 15, [](int k) { return k + 1; });
    BOOST_TEST(h.oldest() == at(5s));
    BOOST_TEST(h.newest() == at(15s));
    const auto w = h.query(at(0s), at(15s));
    BOOST_TEST(!w.complete);
    BOOST_TEST(w.frames == 10u);
    BOOST_TEST(w.from == at(5s));
    BOOST_TEST(w.counts == (counts{105}));   // 6 + ... + 15
}

BOOST_AUTO_TEST_CASE(coarse_tier_retention_drops_the_oldest_bucket) {
    history h(tiers_of("1s:5s,5s:20s"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 27, [](int) { return 1; });
    // Buckets (5,10] .. (20,25] are kept, (0,5] was dropped, (25,27] is open.
    BOOST_TEST(h.oldest() == at(5s));
    const auto w = h.query(at(5s), at(27s));
    BOOST_TEST(w.complete);
    BOOST_TEST(w.resolution.count() == 5);
    BOOST_TEST(w.frames == 5u);
    BOOST_TEST(w.counts == (counts{22}));
}

BOOST_AUTO_TEST_CASE(long_windows_go_to_a_coarser_tier) {
    history h(tiers_of("1s:2h,1m:1d"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 4000, [](int) { return 1; });
    // 3900 one-second frames would exceed max_query_frames: the minute tier also covers, so it answers.
    auto w = h.query(at(0s), at(3900s));
    BOOST_TEST(w.resolution.count() == 60);
    BOOST_TEST(w.frames == 65u);
    BOOST_TEST(w.counts == (counts{3900}));
    BOOST_TEST(w.complete);
    // 3500 are fine.
    w = h.query(at(400s), at(3900s));
    BOOST_TEST(w.resolution.count() == 1);
    BOOST_TEST(w.frames == 3500u);
}

BOOST_AUTO_TEST_CASE(large_counts_are_exact_in_every_tier) {
    history h(tiers_of("1s:10s,5s:1m"));
    const auto shape = make_layout({"0"}, {0, 1});
    // 3e9 per second on CPU 0 (a 32-bit cell per frame holds it, a 5 s bucket would not).
    for (int k = 0; k < 5; ++k) h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, {3'000'000'000, 1}});
    // A 64-bit counter reset can give a single frame above 2^32.
    h.add(at(5s), at(6s), delta_frame{shape, {5'000'000'000, 1}});
    auto w = h.query(at(0s), at(6s));
    BOOST_TEST(w.resolution.count() == 1);
    BOOST_TEST(w.counts == (counts{20'000'000'000, 6}));
    feed(h, shape, 6, 20, [](int) { return 0; });
    w = h.query(at(0s), at(5s));
    BOOST_TEST(w.resolution.count() == 5);
    BOOST_TEST(w.counts == (counts{15'000'000'000, 5}));
    w = h.query(at(0s), at(10s));
    BOOST_TEST(w.counts == (counts{20'000'000'000, 6}));
}

// --- from snapshots ---------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(snapshots_through_tracker_and_history) {
    delta_tracker tracker;
    history h(tiers_of("1s:1m"));
    const std::vector<snapshot> samples = {
        make_snapshot({0, 1, 2}, {{"0", {4294967000, 10, 0}}, {"1", {100, 100, 100}}}),
        // IRQ 0 wraps on CPU 0; IRQ 1 is reset on CPU 0 (a driver reload).
        make_snapshot({0, 1, 2}, {{"0", {200, 15, 5}}, {"1", {50, 110, 100}}}),
        // CPU 1 goes offline; IRQ 9 appears.
        make_snapshot({0, 2}, {{"0", {300, 7}}, {"1", {60, 100}}, {"9", {7, 7}}}),
        // CPU 1 is back with a lower counter; IRQ 1 is gone.
        make_snapshot({0, 1, 2}, {{"0", {310, 3, 8}}, {"9", {9, 1, 9}}}),
    };
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (auto frame = tracker.next(samples[i])) {
            h.add(at(static_cast<int>(i - 1) * 1s), at(static_cast<int>(i) * 1s), *frame);
        }
    }
    const auto w = h.query(at(0s), at(3s));
    BOOST_TEST(w.frames == 3u);
    BOOST_TEST(w.shape->row_ids == (ids{"0", "9", "1"}));
    BOOST_TEST(w.shape->cpus == (cpu_list{0, 1, 2}));
    BOOST_TEST(w.counts == (counts{
                               496 + 100 + 10, 5 + 0, 5 + 2 + 1,   // IRQ 0
                               0 + 2, 0, 0 + 2,                    // IRQ 9
                               50 + 10, 10, 0 + 0,                 // IRQ 1
                           }));
    // The wrap alone.
    BOOST_TEST(h.query(at(0s), at(1s)).counts == (counts{496, 5, 5, 50, 10, 0}));
}

// --- bookkeeping ------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(memory_is_fixed_once_full) {
    std::vector<std::string> rows;
    for (int r = 0; r < 100; ++r) rows.push_back("irq-with-a-long-name-" + std::to_string(r));
    cpu_list cpus(100);
    for (unsigned c = 0; c < 100; ++c) cpus[c] = c;
    const auto shape = make_layout(rows, cpus);
    const auto tiers = tiers_of("1s:10s,5s:1m");
    const std::size_t estimate = history_memory_estimate(tiers, 100 * 100);

    history h(tiers);
    feed(h, shape, 0, 70, [](int) { return 1; });
    const std::size_t full = h.memory_bytes();
    feed(h, shape, 70, 200, [](int) { return 1; });
    BOOST_TEST(h.memory_bytes() == full);
    BOOST_TEST(full >= estimate);
    BOOST_TEST(full <= estimate + 32 * 1024);   // frame headers and one layout on top of the counts
}

BOOST_AUTO_TEST_CASE(each_layout_is_counted_once) {
    std::vector<std::string> rows;
    for (int r = 0; r < 100; ++r) rows.push_back("irq-with-a-long-name-" + std::to_string(r));
    const auto shared = make_layout(rows, {0});
    history one(tiers_of("1s:10s"));
    history many(tiers_of("1s:10s"));
    for (int k = 0; k < 10; ++k) {
        one.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shared, big(counts(100, 1))});
        many.add(at(k * 1s), at((k + 1) * 1s), delta_frame{make_layout(rows, {0}), big(counts(100, 1))});
    }
    BOOST_TEST(many.memory_bytes() > one.memory_bytes() + 9 * 100 * 20);
}

BOOST_AUTO_TEST_CASE(a_clock_stepping_back_keeps_the_history_ordered) {
    history h(tiers_of("1s:1m"));
    const auto shape = make_layout({"0"}, {0});
    feed(h, shape, 0, 5, [](int) { return 1; });
    h.add(at(3s), at(4s), delta_frame{shape, {7}});
    BOOST_TEST(h.newest() == at(6s));
    const auto w = h.query(at(5s), at(6s));
    BOOST_TEST(w.counts == (counts{7}));
}

BOOST_AUTO_TEST_CASE(malformed_frames_are_ignored_and_clear_forgets) {
    history h(tiers_of("1s:1m"));
    h.add(at(0s), at(1s), delta_frame{make_layout({"0"}, {0, 1}), {1}});
    h.add(at(0s), at(1s), delta_frame{nullptr, {}});
    BOOST_TEST(h.empty());
    feed(h, make_layout({"0"}, {0}), 0, 3, [](int) { return 1; });
    BOOST_TEST(!h.empty());
    BOOST_TEST(h.oldest() == at(0s));
    h.clear();
    BOOST_TEST(h.empty());
    BOOST_TEST(h.query(at(0s), at(3s)).frames == 0u);
    BOOST_TEST(h.memory_bytes() == 0u);
}

BOOST_AUTO_TEST_CASE(a_young_history_does_not_pass_a_coarse_open_bucket_for_a_full_window) {
    // Ten seconds into an hour bucket: asking for the last 60 s must say the window is incomplete and
    // answer from the 1 s tier, not claim the hour tier covers it.
    history h(tiers_of("1s:10m,1m:1h,1h:1d"));
    const auto shape = make_layout({"30"}, {0, 1});
    feed(h, shape, 20, 30, [](int) { return 1u; });
    auto w = h.query(at(-20s), at(30s));
    BOOST_TEST(!w.complete);
    BOOST_TEST(w.resolution == 1s);
    BOOST_TEST(w.frames == 10u);
    BOOST_TEST(w.from == at(20s));
    BOOST_TEST(w.to == at(30s));
    BOOST_TEST((w.counts == counts{10, 10}));
}

BOOST_AUTO_TEST_CASE(a_table_that_grows_after_start_stays_within_the_budget) {
    // Fitted for 10 IRQs x 10 CPUs (plus room for headers and layouts); then 40 x 40 IRQs x CPUs appear.
    const auto tiers = tiers_of("1s:1m,10s:10m");
    const std::size_t budget = history_memory_estimate(tiers, 100) + 64 * 1024;
    auto ids_of = [](int n) {
        ids rows;
        for (int r = 0; r < n; ++r) rows.push_back("eth0-TxRx-" + std::to_string(r));
        return rows;
    };
    cpu_list ten(10), forty(40);
    for (unsigned c = 0; c < 10; ++c) ten[c] = c;
    for (unsigned c = 0; c < 40; ++c) forty[c] = c;
    const auto small = make_layout(ids_of(10), ten);
    const auto big = make_layout(ids_of(40), forty);

    history h(tiers);
    h.set_budget(budget);
    feed(h, small, 0, 700, [](int) { return 1; });   // full retention: everything fits
    BOOST_TEST(h.frames_dropped_for_budget() == 0u);
    BOOST_TEST(h.memory_bytes() <= budget);
    const auto before = h.oldest();
    for (int k = 700; k < 1400; ++k) {
        feed(h, big, k, k + 1, [](int) { return 2; });
        if (h.memory_bytes() > budget) BOOST_FAIL("after second " << k << ": " << h.memory_bytes() << " > " << budget);
    }
    BOOST_TEST(h.frames_dropped_for_budget() > 0u);
    // The oldest went from both tiers; the latest seconds are still there to the second, and exact.
    BOOST_TEST(h.oldest() > before);
    auto w = h.query(at(1395s), at(1400s));
    BOOST_TEST(w.resolution == 1s);
    BOOST_TEST(w.frames == 5u);
    BOOST_TEST(w.counts.size() == 1600u);
    BOOST_TEST(w.counts[0] == 10u);
    // Without a budget the same history holds several times more.
    history unbounded(tiers);
    feed(unbounded, big, 0, 700, [](int) { return 2; });
    BOOST_TEST(unbounded.memory_bytes() > 5 * budget);
}

// --- a query in parts ------------------------------------------------------------------------------

namespace {

// plan_query() then sum_some() `cells` at a time until it says done; `between` runs after each step.
window_counts in_parts(const history& h, clock_time from, clock_time to, std::size_t cells) {
    auto plan = h.plan_query(from, to);
    BOOST_TEST_REQUIRE(plan.by_rows);
    for (int steps = 0; !h.sum_some(plan, cells); ++steps) BOOST_TEST_REQUIRE(steps < 10000);
    return std::move(plan.answer);
}

// 7 rows x 3 CPUs, each cell different in each frame, and two cells above 2^32 in frame 127.
layout_ptr fill_130s(history& h) {
    ids rows;
    for (int r = 0; r < 7; ++r) rows.push_back(std::to_string(r));
    const auto shape = make_layout(rows, {0, 2, 5});
    for (int k = 0; k < 130; ++k) {
        counts c(21);
        for (std::size_t i = 0; i < c.size(); ++i) c[i] = static_cast<std::uint64_t>(k) * 100 + i;
        if (k == 127) c[4] = c[19] = 6'000'000'000;
        h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, big(c)});
    }
    return shape;
}

}  // namespace

// --- folding: a frame goes to the finest open bucket, coarser ones get it when that closes ----------

namespace {

// One count of a view at (row id, cpu), 0 when the view's layout has no such cell.
std::uint64_t count_at(const history::frame_view& v, const std::string& row, unsigned cpu) {
    const layout& l = **v.shape;
    const auto r = std::find(l.row_ids.begin(), l.row_ids.end(), row);
    const auto c = std::find(l.cpus.begin(), l.cpus.end(), cpu);
    if (r == l.row_ids.end() || c == l.cpus.end())
        return 0;
    return v.count(static_cast<std::size_t>(r - l.row_ids.begin()) * l.cpus.size() + static_cast<std::size_t>(c - l.cpus.begin()));
}

// Tier `k` of `h` holds what a history of that tier alone holds (every frame summed into its bucket
// directly): the same frames, from/to, layouts and counts, the open bucket included. With a budget
// the tier may have dropped its oldest: then its frames are the newest of the reference's.
void check_tier_as_alone(const history& h, std::size_t k, const history& alone, const std::string& when) {
    const clock_time from = clock_time{}, to = clock_time::max();
    const auto got = h.frames_in(k, from, to);
    const auto want = alone.frames_in(0, from, to);
    BOOST_TEST_REQUIRE(got.size() <= want.size(), when << ": tier " << k << " has " << got.size() << " frames, alone " << want.size());
    const std::size_t skip = want.size() - got.size();
    for (std::size_t i = 0; i < got.size(); ++i) {
        const auto& g = got[i];
        const auto& w = want[skip + i];
        BOOST_TEST_REQUIRE((g.from == w.from && g.to == w.to), when << ": tier " << k << " frame " << i << " spans differ");
        BOOST_TEST_REQUIRE((**g.shape == **w.shape), when << ": tier " << k << " frame " << i << " layouts differ");
        const std::size_t cells = (*g.shape)->row_ids.size() * (*g.shape)->cpus.size();
        for (std::size_t c = 0; c < cells; ++c)
            BOOST_TEST_REQUIRE(g.count(c) == w.count(c), when << ": tier " << k << " frame " << i << " cell " << c << ": "
                                                              << g.count(c) << " != " << w.count(c));
    }
}

// query() sums exactly the frames of the tier it names, over the union of their layouts.
void check_query(const history& h, clock_time from, clock_time to, const std::string& when) {
    const auto w = h.query(from, to);
    if (w.frames == 0) return;
    std::size_t tier = 0;
    while (h.tiers()[tier].resolution != w.resolution) ++tier;
    const auto views = h.frames_in(tier, from, to);
    BOOST_TEST_REQUIRE(views.size() == w.frames, when);
    const layout& l = *w.shape;
    for (std::size_t r = 0; r < l.row_ids.size(); ++r) {
        for (std::size_t c = 0; c < l.cpus.size(); ++c) {
            std::uint64_t sum = 0;
            for (const auto& v : views) sum += count_at(v, l.row_ids[r], l.cpus[c]);
            BOOST_TEST_REQUIRE(w.counts[r * l.cpus.size() + c] == sum, when << ": query cell " << l.row_ids[r] << "/" << l.cpus[c]);
        }
    }
}

// Random frames: mostly a second long, some shorter or longer, gaps, the clock stepping back, three
// layouts (rows and CPUs come and go) and now and then a count above 2^32.
void fold_against_direct(const std::vector<tier_config>& tiers, unsigned seed, std::size_t budget) {
    std::mt19937 rng(seed);
    const std::vector<layout_ptr> shapes = {make_layout({"1", "2", "3"}, {0, 1}), make_layout({"1", "3", "4", "5"}, {0, 1}),
                                            make_layout({"1", "2"}, {0, 1, 2})};
    history h(tiers);
    std::vector<history> alone;
    for (const auto& t : tiers) alone.emplace_back(std::vector<tier_config>{t});
    if (budget) h.set_budget(budget);
    std::size_t shape = 0;
    clock_time t = t0;
    for (int k = 0; k < 1500; ++k) {
        const auto roll = rng() % 100;
        std::chrono::milliseconds length = 1000ms;
        if (roll < 10) length = std::chrono::milliseconds(100 + rng() % 800);
        else if (roll < 15) length = std::chrono::milliseconds(1000 + rng() % 9000);
        clock_time from = t;
        if (roll >= 95) from = t + std::chrono::milliseconds(rng() % 20000);   // a gap
        if (roll == 94) from = t - std::chrono::milliseconds(rng() % 5000);    // the clock stepped back
        if (rng() % 60 == 0) shape = rng() % shapes.size();
        const std::size_t cells = shapes[shape]->row_ids.size() * shapes[shape]->cpus.size();
        counts c(cells);
        for (auto& n : c) n = rng() % 1000;
        if (rng() % 200 == 0) c[rng() % cells] = (std::uint64_t{1} << 32) + rng() % 1000;
        const delta_frame frame{shapes[shape], big(c)};
        h.add(from, from + length, frame);
        for (auto& a : alone) a.add(from, from + length, frame);
        t = std::max(t, from) + length;
        const std::string when = "seed " + std::to_string(seed) + ", frame " + std::to_string(k);
        for (std::size_t i = 0; i < tiers.size(); ++i) check_tier_as_alone(h, i, alone[i], when);
        if (k % 7 == 0) {
            const auto span = std::chrono::milliseconds(rng() % 200'000);
            check_query(h, h.newest() - span, h.newest(), when);
            check_query(h, h.oldest(), h.newest() - span / 3, when);
        }
    }
    if (budget) BOOST_TEST(h.frames_dropped_for_budget() > 0u);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_query_in_parts_sums_to_the_whole_query) {
    history h(tiers_of("1s:10s,5s:1m,1m:10m"));
    fill_130s(h);
    const std::vector<std::pair<int, int>> windows{
        {125, 130},   // the finest tier, the big cells inside
        {121, 129},   // the finest tier, not its oldest frame
        {60, 130},    // 5 s buckets and the open one
        {0, 130},     // past the 5 s tier: 1 min buckets, incomplete
        {200, 300},   // nothing inside
    };
    for (auto [a, b] : windows) {
        BOOST_TEST_CONTEXT("window " << a << "s.." << b << "s") {
            const auto whole = h.query(at(a * 1s), at(b * 1s));
            for (std::size_t cells : {1u, 3u, 5u, 20u, 64u, 1000u}) {
                BOOST_TEST_CONTEXT(cells << " cells a step") { same_window(in_parts(h, at(a * 1s), at(b * 1s), cells), whole); }
            }
            // One row of every frame, as one IRQ's window is summed.
            auto plan = h.plan_query(at(a * 1s), at(b * 1s));
            h.sum_rows(plan, 2, 3);
            for (std::size_t i = 0; i < plan.answer.counts.size(); ++i)
                BOOST_TEST(plan.answer.counts[i] == (i / 3 == 2 ? whole.counts[i] : 0u));
        }
    }
    BOOST_TEST(h.plan_query(at(125s), at(130s)).work() == 21u * 5u);
}

// A coarse tier's open bucket with a finer open bucket not folded into it yet: the parts add the
// finer one too, as query() does (a window that ends now on a folded tier).
BOOST_AUTO_TEST_CASE(a_query_in_parts_adds_the_finer_open_bucket_of_a_folded_tier) {
    history h(tiers_of("5s:30s,1m:10m"));
    feed(h, make_layout({"0", "1", "2"}, {0, 1}), 0, 127, [](int k) { return static_cast<std::uint64_t>(k + 1); });
    const auto whole = h.query(at(0s), at(127s));
    BOOST_TEST(whole.resolution == 60s);
    BOOST_TEST(whole.counts[0] == 127u * 128u / 2u);   // every second, 120..127 from the pending buckets too
    for (std::size_t cells : {1u, 2u, 6u, 100u}) {
        BOOST_TEST_CONTEXT(cells << " cells a step") { same_window(in_parts(h, at(0s), at(127s), cells), whole); }
    }
}

BOOST_AUTO_TEST_CASE(a_query_in_parts_goes_on_after_a_sample_while_its_frames_are_kept) {
    history h(tiers_of("1s:10s,5s:1m,1m:10m"));
    const auto shape = fill_130s(h);
    const auto next = [&](int k) { h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, big(counts(21, 1))}); };

    // Frames 121..128 of the 1 s tier, which keeps 120..129: a sample drops 120, which is not needed.
    const auto before = h.query(at(121s), at(129s));
    auto plan = h.plan_query(at(121s), at(129s));
    BOOST_TEST(!h.sum_some(plan, 3));   // 2 frames a chunk, a row a step
    next(130);
    BOOST_TEST(plan.generation != h.generation());
    BOOST_TEST_REQUIRE(h.follow(plan));
    while (!h.sum_some(plan, 3)) {
    }
    same_window(plan.answer, before);   // the history as it was planned

    // Frames 122..129 of a tier now holding 121..130: two samples drop 121 and 122, and 122 is needed.
    plan = h.plan_query(at(122s), at(130s));
    BOOST_TEST(!h.sum_some(plan, 3));
    next(131);
    next(132);
    BOOST_TEST(!h.follow(plan));
    // Once the oldest chunk (126 and 127, a row a step) is summed, the frames dropped next are no
    // longer needed: four samples drop 123..126 of the 123..132 kept.
    plan = h.plan_query(at(126s), at(133s));
    const auto later = h.query(at(126s), at(133s));
    BOOST_TEST(later.frames == 7u);
    for (int row = 0; row < 7; ++row) BOOST_TEST(!h.sum_some(plan, 3));
    for (int k = 133; k < 137; ++k) next(k);
    BOOST_TEST_REQUIRE(h.follow(plan));
    while (!h.sum_some(plan, 3)) {
    }
    same_window(plan.answer, later);

    // The open bucket changes with every sample: a plan that has not summed it yet starts again.
    plan = h.plan_query(at(100s), at(137s));
    BOOST_TEST(plan.answer.resolution == 5s);
    next(137);
    BOOST_TEST(!h.follow(plan));
    h.clear();
    BOOST_TEST(!h.follow(plan));
}

BOOST_AUTO_TEST_CASE(a_window_over_two_layouts_is_summed_in_parts_over_their_union) {
    history h(tiers_of("1s:10s,5s:1m"));
    BOOST_TEST(h.plan_query(at(0s), at(5s)).rows == 0u);   // empty history
    const auto before = h.generation();
    feed(h, make_layout({"0", "1"}, {0}), 0, 5, [](int) { return 1; });
    BOOST_TEST(h.generation() > before);
    BOOST_TEST(h.plan_query(at(0s), at(5s)).rows == 2u);
    feed(h, make_layout({"0", "1", "2"}, {0}), 5, 8, [](int) { return 1; });   // a row appears
    BOOST_TEST(h.plan_query(at(6s), at(8s)).by_rows);
    auto mixed = h.plan_query(at(0s), at(8s));
    BOOST_TEST(!mixed.by_rows);
    const auto whole = h.query(at(0s), at(8s));
    BOOST_TEST(mixed.answer.frames == whole.frames);
    BOOST_TEST((*mixed.answer.shape == *whole.shape));   // the union, counts 0 until summed
    BOOST_TEST(mixed.answer.counts == std::vector<std::uint64_t>(3, 0), boost::test_tools::per_element());
    int steps = 1;
    while (!h.sum_some(mixed, 1)) ++steps;
    BOOST_TEST(steps > 3);
    BOOST_TEST(mixed.answer.counts == whole.counts, boost::test_tools::per_element());
    BOOST_TEST(whole.counts == (std::vector<std::uint64_t>{8, 8, 3}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(folding_gives_what_summing_every_tier_directly_gives) {
    for (unsigned seed : {1u, 2u, 3u}) fold_against_direct(tiers_of("5s:30s,10s:1m,1m:5m"), seed, 0);
    fold_against_direct(tiers_of("2s:20s,10s:1m,30s:5m,2m:10m"), 4, 0);
    fold_against_direct(tiers_of("1s:10s,5s:1m,1m:5m"), 5, 0);   // the finest stores frames as they are
    // Tiers that do not nest (parse_tiers refuses them, the class takes them): no folding there.
    fold_against_direct({{4s, 40s}, {6s, 1min}, {12s, 2min}}, 6, 0);
}

BOOST_AUTO_TEST_CASE(folding_under_a_budget_drops_frames_not_counts) {
    const auto tiers = tiers_of("5s:30s,10s:1m,1m:5m");
    history full(tiers);
    feed(full, make_layout({"1", "2", "3"}, {0, 1}), 0, 400, [](int) { return 1; });
    fold_against_direct(tiers, 7, full.memory_bytes() * 2 / 3);
}

// The sampler's fused form (summing_bucket, the tracker's sum_next into it, add_summed) against the
// tracker's frame given to add(): a random run of snapshots (counters that wrap and reset, rows and
// CPUs that come and go, irregular and backward times) leaves every tier's frames and open buckets
// the same, cell by cell, for nesting and non-nesting tiers and a tier that keeps samples as they are.
BOOST_AUTO_TEST_CASE(summing_while_making_the_deltas_gives_what_adding_the_frame_gives) {
    for (const std::string_view text : {"10s:2m,30s:10m,5m:1h", "1s:30s,10s:5m", "10s:1m,1m:10m", "5s:1m"}) {
        irqd::test::random_machine m(4);
        auto& rng = m.rng;
        history separate(tiers_of(text)), fused(tiers_of(text));
        delta_tracker tracker_a, tracker_b;
        delta_frame a, b;
        snapshot previous;
        std::size_t fused_samples = 0;
        clock_time then = t0, now = t0;
        for (int k = 0; k < 600; ++k) {
            m.change(40);
            snapshot s = m.empty();
            for (const auto& id : m.rows) m.add_row(s, id);
            const auto step = rng() % 50;
            now = then + (step == 0 ? 25s : step == 1 ? -3s : step == 2 ? 300ms : 1s);

            const bool got_a = tracker_a.next(previous, s, a);
            if (got_a) separate.add(then, now, a);
            std::uint64_t* bucket = fused.summing_bucket(then, now, tracker_b.shape());
            const bool summed = tracker_b.sum_next(previous, s, bucket);
            BOOST_TEST_REQUIRE((!summed || bucket != nullptr), text << " snapshot " << k);
            const bool got_b = summed || tracker_b.next(previous, s, b);
            BOOST_TEST_REQUIRE(got_a == got_b, text << " snapshot " << k);
            // The frame made afterwards is the one next() would have written; it is there only after a sum.
            BOOST_TEST_REQUIRE(tracker_b.last_deltas(previous, s, b) == summed, text << " snapshot " << k);
            if (got_b) {
                if (summed) fused.add_summed(then, now, tracker_b.shape());
                else fused.add(then, now, b);
                fused_samples += summed;
                BOOST_TEST_REQUIRE(a.counts == b.counts, text << " snapshot " << k);
                BOOST_TEST_REQUIRE((a.shape == tracker_a.shape() && b.shape == tracker_b.shape()));
            }
            for (std::size_t t = 0; t < separate.tiers().size(); ++t) {
                const auto x = separate.frames_in(t, clock_time::min(), clock_time::max());
                const auto y = fused.frames_in(t, clock_time::min(), clock_time::max());
                BOOST_TEST_REQUIRE(x.size() == y.size(), text << " snapshot " << k << " tier " << t);
                for (std::size_t f = 0; f < x.size(); ++f) {
                    BOOST_TEST_REQUIRE(x[f].from == y[f].from);
                    BOOST_TEST_REQUIRE(x[f].to == y[f].to);
                    BOOST_TEST_REQUIRE((**x[f].shape == **y[f].shape));
                    const std::size_t cells = (*x[f].shape)->row_ids.size() * (*x[f].shape)->cpus.size();
                    for (std::size_t c = 0; c < cells; ++c)
                        BOOST_TEST_REQUIRE(x[f].count(c) == y[f].count(c), text << " snapshot " << k << " tier " << t << " cell " << c);
                }
            }
            previous = std::move(s);
            then = now;
        }
        // The fused path is the usual one where samples go to buckets (a 1 s tier keeps each as it is).
        BOOST_TEST((text.starts_with("1s:") ? fused_samples == 0 : fused_samples > 100), text << ": " << fused_samples);
    }
}

// After a counter wrap most cells of a bucket can be above 2^32 (a /proc/interrupts whose counts
// went back: every cell's delta is near 2^32). Every cell stays exact in the window, in parts of
// it, one row of it, and cell by cell in the frames.
BOOST_AUTO_TEST_CASE(a_bucket_where_most_cells_are_big) {
    history h(tiers_of("1s:10s,5s:1m"));
    std::vector<std::string> rows;
    for (int r = 0; r < 64; ++r) rows.push_back(std::to_string(100 + r));
    const auto shape = make_layout(rows, {0, 1, 2, 3, 4, 5, 6, 7});
    const std::size_t cells = 64 * 8;
    // Cell i: 3e9 + i a second, but every 7th cell 1 a second (not big in any bucket).
    const auto value = [](std::size_t i) -> std::uint64_t { return i % 7 == 0 ? 1 : 3'000'000'000 + i; };
    for (int k = 0; k < 12; ++k) {
        counts c(cells);
        for (std::size_t i = 0; i < cells; ++i) c[i] = value(i);
        h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, big(c)});
    }
    feed(h, shape, 12, 20, [](int) { return 0; });   // the 1 s frames of 0..10 s age out
    const auto w = h.query(at(0s), at(10s));
    BOOST_TEST(w.resolution.count() == 5);
    for (std::size_t i = 0; i < cells; ++i) BOOST_TEST_CONTEXT("cell " << i) { BOOST_TEST(w.counts[i] == 10 * value(i)); }
    for (std::size_t part : {1u, 9u, 100u}) {
        BOOST_TEST_CONTEXT(part << " cells a step") { same_window(in_parts(h, at(0s), at(10s), part), w); }
    }
    auto plan = h.plan_query(at(0s), at(10s));
    h.sum_rows(plan, 5, 7);
    for (std::size_t i = 0; i < cells; ++i) BOOST_TEST(plan.answer.counts[i] == (i / 8 >= 5 && i / 8 < 7 ? w.counts[i] : 0u));
    const auto frames = h.frames_in(1, at(0s), at(10s));
    BOOST_REQUIRE_EQUAL(frames.size(), 2u);
    for (const auto& f : frames)
        for (std::size_t i = 0; i < cells; ++i) BOOST_TEST(f.count(i) == 5 * value(i));
}
