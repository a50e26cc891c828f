// Tests for watch's views: stream messages, the one-line form for pipes, and the screen for 2 and
// 256 CPUs staying inside the terminal.
#define BOOST_TEST_MODULE watch_view
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "irqd/client/terminal.hpp"
#include "irqd/client/watch_view.hpp"

using namespace irqd::client;
namespace json = boost::json;

namespace {
const std::string sample = R"({"type":"sample","time":"2026-11-23T19:32:56.100Z","interval_s":1.0,
    "cpus":[{"cpu":0,"rate":6000.0},{"cpu":1,"rate":6345.4}],
    "irqs":[{"irq":"132","name":"eth0-TxRx-0","rate":800.2,"rates":[0,800.2]},
            {"irq":"140","name":"eth0-TxRx-8","rate":120.0,"rates":[60.0,60.0]}],
    "irq_cpus":[0,1],"total_rate":12345.4})";

stream_message parsed(const std::string& text) {
    auto m = parse_stream_message(text);
    BOOST_TEST_REQUIRE(m.has_value());
    return *m;
}
}  // namespace

BOOST_AUTO_TEST_CASE(messages_parse) {
    auto m = parsed(sample);
    BOOST_TEST(m.type == "sample");
    BOOST_TEST(m.cpus.size() == 2u);
    BOOST_TEST(m.irqs[0].irq == "132");
    BOOST_TEST(m.irqs[0].rates[1] == 800.2);
    BOOST_TEST((m.irq_cpus == std::vector<unsigned>{0, 1}));
    auto e = parsed(R"({"type":"error","message":"'top' must be 0-100000"})");
    BOOST_TEST(e.error == "'top' must be 0-100000");
    BOOST_TEST(!parse_stream_message("not json").has_value());
}

BOOST_AUTO_TEST_CASE(subscribe_messages) {
    BOOST_TEST(json::parse(subscribe_message(10, 1, "")) ==
               json::parse(R"({"type":"subscribe","cpus":true,"top":10,"every":1})"));
    BOOST_TEST(json::parse(subscribe_message(3, 5, "eth0-*")) ==
               json::parse(R"({"type":"subscribe","cpus":true,"top":3,"every":5,"irqs":"eth0-*"})"));
}

BOOST_AUTO_TEST_CASE(one_line_per_sample) {
    BOOST_TEST(plain_line(parsed(sample)) ==
               "2026-11-23T19:32:56.100Z total=12345/s cpu0=6000/s(48.6%) cpu1=6345/s(51.4%) irq132=800/s irq140=120/s");
}

BOOST_AUTO_TEST_CASE(screen_for_two_cpus) {
    screen_layout l;
    l.width = 80;
    l.height = 24;
    l.url = "http://127.0.0.1:8080";
    l.samples = 7;
    auto lines = screen_lines(parsed(sample), l);
    BOOST_TEST_REQUIRE(lines.size() >= 8u);
    BOOST_TEST(lines[0].starts_with("irqctl watch  http://127.0.0.1:8080  2026-11-23T19:32:56.100Z"));
    BOOST_TEST(lines[0].ends_with("q quits"));
    BOOST_TEST(lines[1] == "total 12.3k/s on 2 CPUs   sample 7, rates over the last 1.0s");
    BOOST_TEST(lines[3].starts_with("CPU  RATE/s  SHARE"));
    BOOST_TEST(lines[4].starts_with("  0   6.00k  48.6% ███"));
    BOOST_TEST(lines[5].starts_with("  1   6.35k  51.4% ███"));
    // the busiest CPU has the full bar: 60 columns at most, the rest of the line is text
    BOOST_TEST(display_width(lines[5]) == 79u);
    BOOST_TEST(lines[5].ends_with("██"));
    BOOST_TEST(lines[7] == "IRQ  NAME         RATE/s  CPU0  CPU1");
    BOOST_TEST(lines[8] == "132  eth0-TxRx-0     800     0   800");
    for (const auto& line : lines) BOOST_TEST(display_width(line) <= 80u, line);
}

BOOST_AUTO_TEST_CASE(screen_for_256_cpus_stays_inside_the_terminal) {
    json::array cpus, rates, irq_cpus;
    for (unsigned c = 0; c < 256; ++c) {
        cpus.push_back(json::object{{"cpu", c}, {"rate", 1000.0 + c}});
        rates.push_back(c == 17 ? 900.0 : c == 3 ? 100.0 : 0.0);
        irq_cpus.push_back(c);
    }
    json::object m{{"type", "sample"}, {"time", "2026-11-23T19:32:56Z"}, {"interval_s", 1.0}, {"cpus", cpus},
                   {"irqs", json::array{json::object{{"irq", "300"}, {"name", "mlx5_comp0"}, {"rate", 1000.0}, {"rates", rates}}}},
                   {"irq_cpus", irq_cpus}, {"total_rate", 288640.0}};
    screen_layout l;
    l.width = 100;
    l.height = 30;
    l.color = true;
    auto lines = screen_lines(parsed(json::serialize(m)), l);
    BOOST_TEST(lines.size() <= 30u);
    for (const auto& line : lines) BOOST_TEST(display_width(line) <= 100u, line);
    BOOST_TEST(lines[1].find("CPUs fit)") != std::string::npos, lines[1]);
    // per-CPU columns do not fit: where the IRQ lands instead
    bool found = false;
    for (const auto& line : lines) found = found || line.find("cpu17 90.0% cpu3 10.0%") != std::string::npos;
    BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(overloaded_cpus_are_named) {
    const std::string hot = R"({"type":"sample","time":"2026-11-23T19:32:56.100Z","interval_s":1.0,
        "cpus":[{"cpu":0,"rate":6000.0,"overloaded":true,"overload_reasons":["drops","time_squeezed"]},
                {"cpu":1,"rate":10.0,"overloaded":false,"overload_reasons":[]}],"total_rate":6010.0})";
    BOOST_TEST(plain_line(parsed(hot)) ==
               "2026-11-23T19:32:56.100Z total=6010/s cpu0=6000/s(99.8%)[OVERLOADED:drops+time_squeezed] cpu1=10.0/s(0.2%)");
    screen_layout l;
    l.width = 120;
    l.height = 24;
    l.samples = 3;
    auto lines = screen_lines(parsed(hot), l);
    BOOST_TEST(lines[1] == "total 6.01k/s on 2 CPUs   sample 3, rates over the last 1.0s   OVERLOADED: cpu0 (drops+time_squeezed)");
}
