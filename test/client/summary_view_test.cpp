// Tests for the per-CPU summary table.
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
