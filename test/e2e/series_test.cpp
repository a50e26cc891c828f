// End-to-end: GET /api/v1/series on the simulated machine gives real per-CPU rates that add up to the
// total, and an applied plan and its revert show up in GET /api/v1/events and on the stream.
#define BOOST_TEST_MODULE series
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "daemon.hpp"
#include "ws_client.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
std::vector<std::string> sim_args() {
    return {"--simulate", std::string(IRQD_SEED_DIR) + "/interrupts-per-day.txt", "--simulate-speed", "100",
            "--interval", "100ms", "--history", "1s:1h,1m:1d"};
}
}  // namespace

BOOST_AUTO_TEST_CASE(cpu_series_add_up_to_the_total_and_irq_series_are_the_busiest) {
    irqd_process d(sim_args());
    BOOST_REQUIRE(d.wait_samples(25));
    auto r = d.get("/api/v1/series?window=10s");
    BOOST_TEST_REQUIRE(r.status == 200u, r.body);
    auto s = json_body(r);
    BOOST_TEST(s.at("what").as_string() == "cpus");
    BOOST_TEST(s.at("step_s").as_double() == 1.0);   // 10 s / 599 rounded up to the 1 s tier
    const auto& times = s.at("times").as_array();
    const auto& series = s.at("series").as_array();
    BOOST_TEST_REQUIRE(series.size() == 2u);         // the simulated machine's 2 CPUs
    BOOST_TEST(times.size() >= 10u);
    const auto& total = s.at("total").as_array();
    std::size_t filled = 0;
    for (std::size_t k = 0; k < times.size(); ++k) {
        if (total[k].is_null()) continue;
        ++filled;
        const double sum = series[0].at("rates").as_array()[k].as_double() + series[1].at("rates").as_array()[k].as_double();
        BOOST_TEST(sum == total[k].as_double(), boost::test_tools::tolerance(1e-9));
        BOOST_TEST(total[k].as_double() > 0.0);
    }
    BOOST_TEST(filled >= 2u);

    auto irqs = json_body(d.get("/api/v1/series?what=irqs&window=5s&step=5s&top=3"));
    const auto& top = irqs.at("series").as_array();
    BOOST_TEST_REQUIRE(top.size() == 3u);
    BOOST_TEST(top[0].at("name").as_string().starts_with("eth0-TxRx-"));
    BOOST_TEST(irqs.at("step_s").as_double() == 5.0);
}

BOOST_AUTO_TEST_CASE(an_applied_plan_and_its_revert_are_events_on_the_api_and_the_stream) {
    irqd_process d(sim_args());
    BOOST_REQUIRE(d.wait_samples(5));
    ws_client ws(d);
    ws.read_type("snapshot");
    auto applied = d.call(verb::post, "/api/v1/balance?apply=true", R"({"window":"1m","min_improvement":0})");
    BOOST_TEST_REQUIRE(applied.status == 200u, applied.body);
    const auto plan_id = std::to_string(json_body(applied).at("plan_id").to_number<std::uint64_t>());
    auto streamed = ws.read_type("event");
    BOOST_TEST(streamed.at("event_type").as_string() == "plan_applied");
    BOOST_TEST(streamed.at("event").at("type").as_string() == "plan_applied");
    BOOST_TEST(streamed.at("plan_id").as_string() == plan_id);

    BOOST_TEST_REQUIRE(d.call(verb::post, "/api/v1/balance/revert").status == 200u);
    auto events = json_body(d.get("/api/v1/events?window=1m")).at("events").as_array();
    BOOST_TEST_REQUIRE(events.size() == 2u);   // the plan's writes are not a third, "affinity", event
    BOOST_TEST(events[0].at("type").as_string() == "plan_applied");
    // The tests call irqd through irqctl's HTTP client, whose User-Agent names irqctl.
    BOOST_TEST(events[0].at("source").as_string() == "irqctl");
    BOOST_TEST(events[1].at("source").as_string() == "irqctl");
    BOOST_TEST(events[0].at("irqs").to_number<std::size_t>() > 0u);
    BOOST_TEST(events[1].at("type").as_string() == "revert");
    BOOST_TEST(events[1].at("plan_id").as_string() == plan_id);
    BOOST_TEST(events[1].at("summary").as_string().starts_with("plan " + plan_id + " reverted: "));
}

BOOST_AUTO_TEST_CASE(a_window_ending_now_covers_what_was_asked_or_says_so) {
    irqd_process d({"--simulate", std::string(IRQD_SEED_DIR) + "/interrupts-per-day.txt"});   // 1 s samples
    BOOST_REQUIRE(d.wait_samples(4));
    // `window=2s` between two samples used to sum one 1 s frame.
    auto w = json_body(d.get("/api/v1/interrupts?window=2s")).at("window");
    BOOST_TEST(w.at("frames").to_number<int>() == 2);
    BOOST_TEST(w.at("seconds").to_number<double>() > 1.5);   // (was about 1 s; samples jitter)
    BOOST_TEST(!w.as_object().contains("note"));
}

// Per-CPU NET_RX softirqs and softnet counters as series: they follow the queues, so piling every
// queue on CPU 0 shows as NET_RX on CPU 0 alone and as drops there, in steps of the same grid.
BOOST_AUTO_TEST_CASE(softirq_and_softnet_series_follow_the_queues) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    BOOST_REQUIRE(d.wait_samples(12));
    std::string changes;
    for (unsigned irq = 132; irq <= 196; ++irq) changes += std::string(changes.empty() ? "" : ",") + R"({"irq":)" + std::to_string(irq) + R"(,"cpu":0})";
    BOOST_REQUIRE(d.call(verb::post, "/api/v1/affinity", R"({"changes":[)" + changes + "]}").status == 200u);
    BOOST_REQUIRE(d.wait_samples(25));

    auto rx = json_body(d.get("/api/v1/series?what=softirqs&type=NET_RX&window=2s&step=1s"));
    BOOST_TEST(rx.at("what").as_string() == "softirqs");
    BOOST_TEST(rx.at("type").as_string() == "NET_RX");
    const auto& rx_lines = rx.at("series").as_array();
    BOOST_TEST_REQUIRE(rx_lines.size() == 2u);
    const auto last_filled = [](const json::array& rates) {
        for (auto it = rates.rbegin(); it != rates.rend(); ++it)
            if (!it->is_null()) return it->as_double();
        return -1.0;
    };
    BOOST_TEST(last_filled(rx_lines[0].at("rates").as_array()) > 0.0);
    BOOST_TEST(last_filled(rx_lines[1].at("rates").as_array()) == 0.0);
    BOOST_TEST(last_filled(rx.at("total").as_array()) == last_filled(rx_lines[0].at("rates").as_array()));

    auto net = json_body(d.get("/api/v1/series?what=softnet&window=2s&step=1s"));
    const auto points = net.at("times").as_array().size();
    const auto& cpu0 = net.at("series").as_array().at(0).as_object();
    BOOST_TEST(cpu0.at("cpu").to_number<unsigned>() == 0u);
    for (const char* field : {"processed", "dropped", "time_squeezed"}) {
        BOOST_TEST(cpu0.at(field).as_array().size() == points);
        BOOST_TEST(net.at("total").at(field).as_array().size() == points);
    }
    BOOST_TEST(last_filled(cpu0.at("dropped").as_array()) > 0.0);
    BOOST_TEST(last_filled(net.at("series").as_array().at(1).at("dropped").as_array()) == 0.0);

    auto bad = d.get("/api/v1/series?what=softirqs&type=NET_XX");
    BOOST_TEST(bad.status == 400u);
    BOOST_TEST(bad.body.find("/proc/softirqs has HI, TIMER, NET_TX, NET_RX") != std::string::npos, bad.body);
    BOOST_TEST(d.get("/api/v1/series?what=softnet&type=NET_RX").status == 400u);
    BOOST_TEST(d.get("/api/v1/series?what=bogus").status == 400u);
    // The answer's limit counts three series per CPU: 43200 points x 2 CPUs passes it here, not for what=cpus.
    auto big = d.get("/api/v1/series?what=softnet&window=12h&step=1s");
    BOOST_TEST(big.status == 422u, big.body);
    BOOST_TEST(big.body.find(" points x 6 series (3 per CPU), more than the limit of 200000") != std::string::npos, big.body);
}
