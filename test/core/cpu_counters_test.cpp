// Tests of the per-CPU load counter snapshot: the series of each source over the union of CPUs, a
// missing source leaving its rows out, and deltas through the history like IRQ counts.
#define BOOST_TEST_MODULE cpu_counters
#include <boost/test/unit_test.hpp>

#include <vector>

#include "irqd/core/cpu_counters.hpp"

using namespace irqd::core;
using namespace std::chrono_literals;

namespace {
std::uint64_t at(const snapshot& s, std::string_view id, unsigned cpu) {
    auto r = s.find_row(id);
    auto c = s.find_cpu(cpu);
    BOOST_TEST_REQUIRE((r && c), "no cell " << id << " cpu " << cpu);
    return s.count(*r, *c);
}
}  // namespace

BOOST_AUTO_TEST_CASE(series_by_cpu) {
    auto stat = parse_proc_stat("cpu0 1 1 1 100 0 7 9 0\ncpu1 1 1 1 200 0 3 4 0\n");
    auto soft = parse_softirqs("  CPU0 CPU1\n NET_RX: 10 20\n TIMER: 1 2\n");
    auto net = parse_softnet_stat("0000000a 00000001 00000002 0 0 0 0 0 0 0 0 0 00000003\n");
    snapshot s;
    cpu_counters_snapshot(&stat, &soft, &net, s);
    BOOST_TEST(s.cpus == (std::vector<unsigned>{0, 1, 3}), boost::test_tools::per_element());
    BOOST_TEST(s.rows.size() == 3u + 2u + 5u);
    BOOST_TEST(at(s, cpu_series::irq_time, 0) == 7u);
    BOOST_TEST(at(s, cpu_series::softirq_time, 1) == 4u);
    BOOST_TEST(at(s, cpu_series::total_time, 1) == 210u);
    BOOST_TEST(at(s, "softirq.NET_RX", 1) == 20u);
    BOOST_TEST(at(s, cpu_series::processed, 3) == 10u);
    BOOST_TEST(at(s, cpu_series::dropped, 3) == 1u);
    BOOST_TEST(at(s, cpu_series::dropped, 0) == 0u);   // no softnet line for CPU 0
    BOOST_TEST(at(s, cpu_series::irq_time, 3) == 0u);

    cpu_counters_snapshot(&stat, nullptr, nullptr, s);   // softirqs and softnet missing: left out
    BOOST_TEST(s.rows.size() == 3u);
    BOOST_TEST(!s.find_row(cpu_series::dropped).has_value());
}

BOOST_AUTO_TEST_CASE(window_deltas_through_the_history) {
    delta_tracker tracker;
    history h;
    snapshot s;
    const clock_time t0{std::chrono::seconds(1'700'000'000)};
    for (int i = 0; i <= 3; ++i) {
        auto stat = parse_proc_stat("cpu0 0 0 0 " + std::to_string(100 * i) + " 0 " + std::to_string(5 * i) + " 0 0\n");
        auto net = parse_softnet_stat("00000000 " + std::string(i >= 2 ? "00000004" : "00000000") + " 0 0 0 0 0 0 0\n");
        cpu_counters_snapshot(&stat, nullptr, &net, s);
        if (auto f = tracker.next(s)) h.add(t0 + (i - 1) * 1s, t0 + i * 1s, *f);
    }
    auto w = h.query(t0, t0 + 3s);
    BOOST_TEST(w.frames == 3u);
    BOOST_TEST(*series_count(w, cpu_series::irq_time, 0) == 15u);
    BOOST_TEST(*series_count(w, cpu_series::total_time, 0) == 315u);
    BOOST_TEST(*series_count(w, cpu_series::dropped, 0) == 4u);
    BOOST_TEST(!series_count(w, "softirq.NET_RX", 0).has_value());
}
