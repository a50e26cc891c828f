// Tests for the per-CPU summary table: flags, load columns, and the busiest 16 of 64 CPUs by default.
#define BOOST_TEST_MODULE summary_view
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "irqd/client/summary_view.hpp"

using namespace irqd::client;

BOOST_AUTO_TEST_CASE(cpus_with_flags_and_a_total) {
    auto v = boost::json::parse(R"({
        "window":{"from":"2026-11-23T19:31:56Z","to":"2026-11-23T19:32:56Z","seconds":60,"resolution_s":1,
                  "complete":true,"frames":60},
        "online":"0-1,3","isolated":"3","nohz_full":"3",
        "cpus":[{"cpu":0,"online":true,"isolated":false,"nohz_full":false,"node":0,"count":600,"rate":10.0,"share":0.6,"irqs":40},
                {"cpu":1,"online":true,"isolated":false,"nohz_full":false,"node":0,"count":400,"rate":6.6667,"share":0.4,"irqs":25},
                {"cpu":2,"online":false,"isolated":false,"nohz_full":false,"node":-1,"count":0,"rate":0,"share":0,"irqs":0},
                {"cpu":3,"online":true,"isolated":true,"nohz_full":true,"node":1,"count":0,"rate":0,"share":0,"irqs":0}],
        "total":1000,"rate":16.6667})");
    BOOST_TEST(render_summary(v, {}) ==
               "Interrupts serviced per CPU from 2026-11-23T19:31:56Z to 2026-11-23T19:32:56Z (1m, 60 samples at 1s resolution)\n"
               "\n"
               "  CPU  INTERRUPTS  RATE/s   SHARE  IRQS  NODE  FLAGS\n"
               "    0         600    10.0   60.0%    40     0  -\n"
               "    1         400     6.7   40.0%    25     0  -\n"
               "    2           0     0.0    0.0%     0     -  offline\n"
               "    3           0     0.0    0.0%     0     1  isolated,nohz_full\n"
               "TOTAL        1000    16.7  100.0%\n");
}

BOOST_AUTO_TEST_CASE(load_columns_and_overloaded_cpus) {
    auto v = boost::json::parse(R"({
        "cpus":[{"cpu":0,"online":true,"node":0,"count":600,"rate":10.0,"share":0.6,"irqs":40,
                 "irq_time_share":0.124,"softirq_time_share":0.397,
                 "softirqs":{"NET_RX":{"count":6000,"rate":100.0}},
                 "softnet":{"dropped":{"count":3265,"rate":5},"time_squeezed":{"count":10,"rate":1}},
                 "overloaded":true,"overload_reasons":["interrupt_time","drops","time_squeezed"]},
                {"cpu":1,"online":true,"node":0,"count":400,"rate":6.6667,"share":0.4,"irqs":25,
                 "irq_time_share":0.01,"softirq_time_share":0.02,"overloaded":false,"overload_reasons":[]}],
        "total":1000,"rate":16.6667})");
    BOOST_TEST(render_summary(v, {}) ==
               "\n"
               "  CPU  INTERRUPTS  RATE/s   SHARE  IRQS  NODE   %IRQ  %SOFT  NET_RX/s  DROPS  SQUEEZES  FLAGS\n"
               "    0         600    10.0   60.0%    40     0  12.4%  39.7%       100   3265        10  "
               "OVERLOADED:interrupt_time+drops+time_squeezed\n"
               "    1         400     6.7   40.0%    25     0   1.0%   2.0%         -      -         -  -\n"
               "TOTAL        1000    16.7  100.0%\n");
}

namespace {
// 64 CPUs: CPU c services 100 * (c + 1) interrupts in a minute; CPUs 2 and 3 are overloaded.
boost::json::value sixty_four_cpus() {
    boost::json::array cpus;
    std::uint64_t total = 0;
    for (unsigned c = 0; c < 64; ++c) total += 100 * (c + 1);
    for (unsigned c = 0; c < 64; ++c) {
        const std::uint64_t n = 100 * (c + 1);
        cpus.push_back(boost::json::object{{"cpu", c}, {"online", true}, {"node", c / 32}, {"count", n}, {"rate", n / 60.0},
                                           {"share", static_cast<double>(n) / total}, {"irqs", 8},
                                           {"overloaded", c == 2 || c == 3}});
    }
    return boost::json::object{{"cpus", cpus}, {"total", total}, {"rate", total / 60.0}};
}

std::vector<std::string> cpu_column(const std::string& table) {
    std::vector<std::string> cpus;
    for (std::size_t at = table.find("\n  CPU"); (at = table.find('\n', at + 1)) != std::string::npos && at + 1 < table.size();) {
        auto line = table.substr(at + 1, 5);
        if (line == "TOTAL") break;
        cpus.push_back(line.substr(line.find_first_not_of(' ')));
    }
    return cpus;
}
}  // namespace

BOOST_AUTO_TEST_CASE(above_sixteen_cpus_the_busiest_sixteen_and_what_the_rest_add_up_to) {
    auto text = render_summary(sixty_four_cpus(), {});
    BOOST_TEST(text.starts_with("The 16 busiest of 64 CPUs; TOTAL counts every CPU.\n48 more not shown: 56.5% of the "
                                "interrupts, the busiest of them 80.0/s, 2 overloaded; --top all shows every CPU.\n\n"),
               text);
    auto shown = cpu_column(text);
    BOOST_TEST(shown.size() == 16u);
    BOOST_TEST(shown.front() == "63");   // busiest first
    BOOST_TEST(shown.back() == "48");
    BOOST_TEST(text.find("TOTAL      208000    3467  100.0%") != std::string::npos, text);
    // --sort cpu: the same 16, in CPU order
    auto by_cpu = cpu_column(render_summary(sixty_four_cpus(), {}, {"cpu", std::nullopt}));
    BOOST_TEST(by_cpu.front() == "48");
    BOOST_TEST(by_cpu.back() == "63");
    // --top 4 and --top all
    BOOST_TEST(cpu_column(render_summary(sixty_four_cpus(), {}, {std::nullopt, 4})).size() == 4u);
    auto all = render_summary(sixty_four_cpus(), {}, {std::nullopt, 0});
    BOOST_TEST(cpu_column(all).size() == 64u);
    BOOST_TEST(cpu_column(all).front() == "0");
    BOOST_TEST(all.find("not shown") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(up_to_sixteen_cpus_every_cpu_in_cpu_order) {
    auto v = sixty_four_cpus();
    v.as_object()["cpus"].as_array().resize(16);
    auto text = render_summary(v, {});
    BOOST_TEST(cpu_column(text).size() == 16u);
    BOOST_TEST(cpu_column(text).front() == "0");
    BOOST_TEST(text.find("not shown") == std::string::npos);
}
