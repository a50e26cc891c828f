// Time series from a hand-fed history (1s:30s,10s:10m): steps aligned to the epoch, rates over the
// seconds covered, nulls for gaps, totals, busiest IRQs first, tier choice and the notes, the limit.
#define BOOST_TEST_MODULE series
#include <boost/test/unit_test.hpp>

#include "irqd/core/series.hpp"

using namespace irqd::core;
using namespace std::chrono_literals;

namespace {

const clock_time t0 = clock_time{} + 1'790'000'040s;   // a multiple of 10 s

layout_ptr two_by_two() { return std::make_shared<const layout>(layout{{"30", "31"}, {0, 1}}); }

snapshot names() {
    snapshot s;
    s.cpus = {0, 1};
    s.rows.resize(2);
    s.rows[0].id = "30";
    s.rows[0].name = "eth0-TxRx-0";
    s.rows[1].id = "31";
    s.rows[1].name = "eth0-TxRx-1";
    s.counts.assign(4, 0);
    return s;
}

// One frame per second from t0 + first s to t0 + last s, IRQ 30 firing 10/s on CPU 0 and IRQ 31 5/s on
// CPU 1 (row-major counts); seconds in `skip` are missed samples.
history fed(int first, int last, std::vector<int> skip = {}) {
    history h(*parse_tiers("1s:30s,10s:10m"));
    const auto shape = two_by_two();
    for (int k = first; k < last; ++k) {
        if (std::find(skip.begin(), skip.end(), k) != skip.end()) continue;
        h.add(t0 + k * 1s, t0 + (k + 1) * 1s, delta_frame{shape, {10, 0, 0, 5}});
    }
    return h;
}

series query(const history& h, series_query q) {
    auto s = make_series(h, q, names());
    BOOST_TEST_REQUIRE(s.has_value(), (s ? "" : s.error_message()));
    return *s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(cpu_rates_per_step_with_totals) {
    auto h = fed(0, 20);
    series_query q;
    q.from = t0 + 10s;
    q.to = t0 + 20s;
    q.step = 5s;
    auto s = query(h, q);
    BOOST_TEST(s.resolution.count() == 1);
    BOOST_TEST(s.step.count() == 5);
    BOOST_TEST(s.note == "");
    BOOST_REQUIRE_EQUAL(s.times.size(), 2u);
    BOOST_TEST((s.times[0] == t0 + 15s));
    BOOST_TEST((s.times[1] == t0 + 20s));
    BOOST_REQUIRE_EQUAL(s.lines.size(), 2u);
    BOOST_TEST(s.lines[0].cpu == 0u);
    BOOST_TEST(*s.lines[0].rates[0] == 10.0);
    BOOST_TEST(*s.lines[1].rates[1] == 5.0);
    BOOST_TEST(*s.total[0] == 15.0);
}

BOOST_AUTO_TEST_CASE(steps_snap_outwards_so_the_answer_covers_the_window) {
    auto h = fed(0, 20);
    series_query q;
    q.from = t0 + 12s + 500ms;
    q.to = t0 + 17s;
    q.step = 5s;
    auto s = query(h, q);
    BOOST_TEST((s.from == t0 + 10s));   // the step holding `from` ...
    BOOST_TEST((s.to == t0 + 20s));     // ... to the one holding `to`
    BOOST_TEST(s.times.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_missed_sample_keeps_the_rate_and_an_empty_step_is_null) {
    auto h = fed(0, 20, {11, 15, 16, 17, 18, 19});
    series_query q;
    q.from = t0 + 10s;
    q.to = t0 + 20s;
    q.step = 5s;
    auto s = query(h, q);
    BOOST_TEST(*s.lines[0].rates[0] == 10.0);   // 4 frames over 4 s, not 40 over 5 s
    BOOST_TEST(!s.lines[0].rates[1].has_value());
    BOOST_TEST(!s.total[1].has_value());
}

BOOST_AUTO_TEST_CASE(busiest_irqs_first_with_names_and_the_top_cut) {
    auto h = fed(0, 20);
    series_query q;
    q.what = series_kind::irqs;
    q.from = t0 + 10s;
    q.to = t0 + 20s;
    q.step = 10s;
    q.irqs.top = 1;
    auto s = query(h, q);
    BOOST_REQUIRE_EQUAL(s.lines.size(), 1u);
    BOOST_TEST(s.lines[0].irq == "30");
    BOOST_TEST(s.lines[0].name == "eth0-TxRx-0");
    BOOST_TEST(*s.lines[0].rates[0] == 10.0);
    BOOST_TEST(*s.total[0] == 15.0);   // every matching row, the one cut by top included

    q.irqs.top = 0;
    q.irqs.pattern = "*-1";
    q.cpus = cpu_set::of({1});
    s = query(h, q);
    BOOST_REQUIRE_EQUAL(s.lines.size(), 1u);
    BOOST_TEST(s.lines[0].irq == "31");
    BOOST_TEST(*s.lines[0].rates[0] == 5.0);
}

BOOST_AUTO_TEST_CASE(an_odd_step_is_rounded_up_with_a_note_and_coarse_tiers_answer_long_windows) {
    auto h = fed(0, 120);
    series_query q;
    q.from = t0 + 100s;
    q.to = t0 + 110s;
    q.step = 2500ms;
    auto s = query(h, q);
    BOOST_TEST(s.step.count() == 3);
    BOOST_TEST(s.note.find("step 2s500ms rounded up to 3s") != std::string::npos, s.note);

    // 90 s back: the 1 s tier keeps only 30 s, so the 10 s tier answers, by default at its resolution.
    q.from = t0 + 30s;
    q.to = t0 + 120s;
    q.step = 0s;
    s = query(h, q);
    BOOST_TEST(s.resolution.count() == 10);
    BOOST_TEST(s.step.count() == 10);
    BOOST_TEST(s.times.size() == 9u);
    BOOST_TEST(*s.lines[0].rates[0] == 10.0);
    BOOST_TEST(s.note == "");
}

BOOST_AUTO_TEST_CASE(history_that_does_not_reach_back_says_so) {
    auto h = fed(50, 60);
    series_query q;
    q.from = t0 + 30s;
    q.to = t0 + 60s;
    q.step = 10s;
    auto s = query(h, q);
    BOOST_TEST(s.note.find("history reaches back only to") != std::string::npos, s.note);
    BOOST_TEST(!s.lines[0].rates[0].has_value());
    BOOST_TEST(*s.lines[0].rates[2] == 10.0);

    history empty(*parse_tiers("1s:30s"));
    s = query(empty, q);
    BOOST_TEST(s.note == "no samples yet");
    BOOST_TEST(s.lines.size() == 2u);   // the CPUs of the latest snapshot, all null
    BOOST_TEST(!s.total[0].has_value());
}

BOOST_AUTO_TEST_CASE(too_many_points_is_unprocessable_and_names_the_limit) {
    auto h = fed(0, 20);
    series_query q;
    q.from = t0;
    q.to = t0 + 20s;
    q.step = 1s;
    q.max_cells = 30;   // 20 points x 2 CPUs
    auto s = make_series(h, q, names());
    BOOST_REQUIRE(!s.has_value());
    BOOST_TEST((s.kind() == error_kind::unprocessable));
    BOOST_TEST(s.error_message().find("limit of 30") != std::string::npos, s.error_message());
}

BOOST_AUTO_TEST_CASE(the_default_step_keeps_at_most_600_points) {
    auto h = fed(0, 20);
    series_query q;
    q.from = t0 + 19s - 1h;
    q.to = t0 + 19s;
    auto s = query(h, q);
    BOOST_TEST(s.times.size() <= default_series_points);
    BOOST_TEST(s.step.count() == 7);   // 3600 s / 599, rounded up to a multiple of the 1 s tier
}

// The CPU counter history keeps named rows per CPU ("softnet.dropped"): a series of one of them, and
// nulls for the steps whose frames did not have that row (the file was missing then).
BOOST_AUTO_TEST_CASE(one_named_row_per_cpu_and_null_where_it_was_not_sampled) {
    history h(*parse_tiers("1s:30s,10s:10m"));
    const auto counters = std::make_shared<const layout>(layout{{"softirq.NET_RX", "softnet.dropped"}, {0, 1}});
    const auto without = std::make_shared<const layout>(layout{{"softirq.NET_RX"}, {0, 1}});
    for (int k = 0; k < 10; ++k) {
        const bool has_softnet = k >= 5;
        if (has_softnet) h.add(t0 + k * 1s, t0 + (k + 1) * 1s, delta_frame{counters, {100, 200, 3, 0}});
        else h.add(t0 + k * 1s, t0 + (k + 1) * 1s, delta_frame{without, {100, 200}});
    }
    series_query q;
    q.from = t0;
    q.to = t0 + 10s;
    q.step = 5s;
    q.row = "softnet.dropped";
    auto s = query(h, q);
    BOOST_REQUIRE_EQUAL(s.lines.size(), 2u);
    BOOST_TEST(!s.lines[0].rates[0].has_value());   // no softnet_stat in the first 5 s
    BOOST_TEST(*s.lines[0].rates[1] == 3.0);
    BOOST_TEST(*s.lines[1].rates[1] == 0.0);
    BOOST_TEST(*s.total[1] == 3.0);

    q.row = "softirq.NET_RX";
    s = query(h, q);
    BOOST_TEST(*s.lines[1].rates[0] == 200.0);
    BOOST_TEST(*s.lines[1].rates[1] == 200.0);
    BOOST_TEST(*s.total[0] == 300.0);
}

// A coarse tier's open bucket that the finer open bucket is not folded into yet (docs/history.md,
// "Folding") gives the series the same rates as a history of that tier alone, summing every frame.
BOOST_AUTO_TEST_CASE(an_open_bucket_with_a_finer_one_pending_reads_as_summed_directly) {
    history folding(*parse_tiers("5s:1m,1m:10m"));
    history alone(*parse_tiers("1m:10m"));
    const auto shape = two_by_two();
    for (int k = 0; k < 157; ++k) {   // ends inside a 5 s bucket inside a minute: both open
        const delta_frame frame{shape, {std::uint64_t(10 + k % 7), std::uint64_t(k % 3), 0, std::uint64_t(5 + k % 11)}};
        folding.add(t0 + k * 1s, t0 + (k + 1) * 1s, frame);
        alone.add(t0 + k * 1s, t0 + (k + 1) * 1s, frame);
    }
    for (auto what : {series_kind::cpus, series_kind::irqs}) {
        series_query q;
        q.what = what;
        q.from = t0;
        q.to = t0 + 157s;
        q.step = 60s;
        const auto got = query(folding, q);
        const auto want = query(alone, q);
        BOOST_TEST(got.resolution.count() == 60);
        BOOST_TEST_REQUIRE(got.lines.size() == want.lines.size());
        BOOST_TEST_REQUIRE(got.times.size() == 3u);
        for (std::size_t i = 0; i < got.lines.size(); ++i) BOOST_TEST((got.lines[i].rates == want.lines[i].rates));
        BOOST_TEST((got.total == want.total));
        BOOST_TEST(got.total.back().has_value());
    }
}

// Counts above 2^32 in a coarse bucket (a counter wrap in every cell): the per-CPU rates and the
// total are exact.
BOOST_AUTO_TEST_CASE(cpu_rates_are_exact_when_a_bucket_holds_counts_above_32_bits) {
    history h(*parse_tiers("1s:10s,10s:10m"));
    const auto shape = two_by_two();
    for (int k = 0; k < 40; ++k) h.add(t0 + k * 1s, t0 + (k + 1) * 1s, delta_frame{shape, {3'000'000'000, 7, 1, 4'000'000'000}});
    series_query q;
    q.from = t0;
    q.to = t0 + 30s;
    q.step = 10s;
    auto s = query(h, q);
    BOOST_TEST(s.resolution.count() == 10);
    BOOST_REQUIRE_EQUAL(s.lines.size(), 2u);
    BOOST_REQUIRE_EQUAL(s.times.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(*s.lines[0].rates[i] == 3'000'000'001.0);
        BOOST_TEST(*s.lines[1].rates[i] == 4'000'000'007.0);
        BOOST_TEST(*s.total[i] == 7'000'000'008.0);
    }
    q.row = "31";   // one IRQ: its row of each bucket
    s = query(h, q);
    BOOST_TEST(*s.lines[0].rates[0] == 1.0);
    BOOST_TEST(*s.lines[1].rates[0] == 4'000'000'000.0);
}
