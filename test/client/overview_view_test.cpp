// Tests for the overview table: the 2-CPU layout, compact numbers, the columns of CPUs where no shown
// IRQ fired folded into a line on 64 CPUs, and the split into CPU blocks when 256 CPUs do not fit.
#define BOOST_TEST_MODULE overview_view
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "irqd/client/overview_view.hpp"
#include "irqd/client/terminal.hpp"

using namespace irqd::client;
namespace json = boost::json;

namespace {
json::value window() {
    return json::parse(R"({"from":"2026-11-23T19:31:56Z","to":"2026-11-23T19:32:56Z","seconds":60,"resolution_s":1,
                          "complete":true,"frames":60,"asked_from":"2026-11-23T19:31:56Z","asked_to":"2026-11-23T19:32:56Z"})");
}

json::value two_cpus() {
    json::value v = json::parse(R"({
        "cpus":[0,1],
        "irqs":[{"irq":"132","name":"eth0-TxRx-0","chip":"IR-PCI-MSI","affinity":"1","effective":"1",
                 "counts":[0,161070245],"total":161070245,"rate":2684504.08},
                {"irq":"133","name":"eth0-TxRx-1","affinity":"0-1","effective":"0",
                 "counts":[10673682,4696096],"total":15369778,"rate":256162.97},
                {"irq":"NMI","name":"Non-maskable interrupts","counts":[12,12],"total":24,"rate":0.4}],
        "cpu_totals":[{"cpu":0,"count":10673694,"rate":177894.9,"share":0.0601},
                      {"cpu":1,"count":165766353,"rate":2762772.55,"share":0.9399}],
        "total":176440047,"rate":2940667.45})");
    v.as_object()["window"] = window();
    return v;
}
}  // namespace

BOOST_AUTO_TEST_CASE(two_cpus_exact) {
    auto text = render_overview(two_cpus(), {});
    BOOST_TEST(text ==
               "Interrupts from 2026-11-23T19:31:56Z to 2026-11-23T19:32:56Z (1m, 60 samples at 1s resolution)\n"
               "\n"
               "  IRQ  NAME                         CPU0       CPU1      TOTAL   RATE/s  AFFINITY\n"
               "  132  eth0-TxRx-0                     0  161070245  161070245  2684504  1\n"
               "  133  eth0-TxRx-1              10673682    4696096   15369778   256163  0-1 (0)\n"
               "  NMI  Non-maskable interrupts        12         12         24      0.4  -\n"
               "TOTAL                           10673694  165766353  176440047  2940667\n"
               "SHARE                               6.0%      94.0%\n");
}

BOOST_AUTO_TEST_CASE(window_lengths_read_as_asked) {
    auto v = two_cpus();
    auto& w = v.as_object()["window"].as_object();
    w["seconds"] = 3.002;
    BOOST_TEST(render_overview(v, {}).find("(3s, 60 samples") != std::string::npos);
    w["seconds"] = 0.8;
    BOOST_TEST(render_overview(v, {}).find("(0.8s, 60 samples") != std::string::npos);
    w["seconds"] = 5400.2;
    BOOST_TEST(render_overview(v, {}).find("(1h30m, 60 samples") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(compact_numbers_on_terminals) {
    output_style s;
    s.compact = true;
    auto text = render_overview(two_cpus(), s);
    BOOST_TEST(text.find("  132  eth0-TxRx-0                  0   161M   161M   2.68M  1\n") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(top_says_the_totals_cover_every_irq) {
    auto text = render_overview(two_cpus(), {}, 3);
    BOOST_TEST(text.find("The 3 busiest IRQs; TOTAL and SHARE count every matching IRQ.\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(short_history_and_empty_windows_are_noted) {
    auto v = two_cpus();
    v.as_object()["window"].as_object()["complete"] = false;
    v.as_object()["window"].as_object()["asked_from"] = "2026-11-23T18:32:56Z";
    BOOST_TEST(render_overview(v, {}).find("note: history reaches back only to 2026-11-23T19:31:56Z (asked from "
                                           "2026-11-23T18:32:56Z)\n") != std::string::npos);
    v.as_object()["window"].as_object()["frames"] = 0;
    v.as_object()["irqs"] = json::array();
    auto empty = render_overview(v, {});
    BOOST_TEST(empty.find("note: no samples fell in this window yet\n") != std::string::npos);
    BOOST_TEST(empty.find("(no IRQs match)\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(many_cpus_split_into_blocks_that_fit) {
    json::array cpus, counts, totals;
    for (unsigned c = 0; c < 256; ++c) {
        cpus.push_back(c);
        counts.push_back((c + 1) * 1000);
        totals.push_back(json::object{{"cpu", c}, {"count", (c + 1) * 1000}, {"rate", (c + 1) * 1000 / 60.0}, {"share", 1 / 256.0}});
    }
    json::value v = json::object{
        {"window", window()},
        {"cpus", cpus},
        {"irqs", json::array{json::object{{"irq", "200"}, {"name", "a-very-long-interrupt-name-for-queue-0"},
                                          {"affinity", "0-255"}, {"effective", "17"}, {"counts", counts},
                                          {"total", 32640000}, {"rate", 544000.0}}}},
        {"cpu_totals", totals},
        {"total", 32640000},
        {"rate", 544000.0}};
    output_style s;
    s.compact = true;
    s.width = 120;
    auto text = render_overview(v, s);
    // every line fits
    std::size_t start = 0, lines = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        auto line = text.substr(start, nl - start);
        if (!line.starts_with("Interrupts from")) BOOST_TEST(display_width(line) <= 120u, line);
        start = nl + 1;
        ++lines;
    }
    BOOST_TEST(text.find("\nCPUs 0-") != std::string::npos);
    BOOST_TEST(text.find("-255\n") != std::string::npos);
    BOOST_TEST(text.find("a-very-long-interrupt-n…") != std::string::npos);
    // the summary columns come once, in the first block
    BOOST_TEST(text.find("AFFINITY") == text.rfind("AFFINITY"));
    BOOST_TEST(text.find("0-255 (17)") != std::string::npos);
    // every CPU column appears exactly once
    for (unsigned c : {0u, 1u, 100u, 255u}) {
        auto title = " CPU" + std::to_string(c);
        std::size_t seen = 0;
        for (auto at = text.find(title); at != std::string::npos; at = text.find(title, at + 1))
            seen += !std::isdigit(static_cast<unsigned char>(text[at + title.size()]));
        BOOST_TEST(seen == 1u, title);
    }
    // without a width limit (a pipe), one table
    output_style pipe;
    BOOST_TEST(render_overview(v, pipe).find("CPUs ") == std::string::npos);
}

namespace {
// A balanced 64-CPU machine seen through --top 3: each queue on its own CPU (5, 6, 40), CPUs 0-3 busy
// with IRQs not shown, the rest idle.
json::value sixty_four_cpus() {
    json::array cpus, totals;
    for (unsigned c = 0; c < 64; ++c) {
        cpus.push_back(c);
        const std::uint64_t n = c < 4 ? 1000 : c == 5 ? 3000 : c == 6 ? 2000 : c == 40 ? 4000 : 0;
        totals.push_back(json::object{{"cpu", c}, {"count", n}, {"rate", n / 60.0}, {"share", n / 13000.0}});
    }
    auto irq = [](std::string_view id, std::string_view name, unsigned cpu, std::uint64_t n) {
        json::array counts;
        for (unsigned c = 0; c < 64; ++c) counts.push_back(c == cpu ? n : 0);
        return json::object{{"irq", id}, {"name", name}, {"affinity", std::to_string(cpu)}, {"effective", std::to_string(cpu)},
                            {"counts", counts}, {"total", n}, {"rate", n / 60.0}};
    };
    return json::object{{"window", window()},
                        {"cpus", cpus},
                        {"irqs", json::array{irq("140", "eth0-TxRx-8", 40, 4000), irq("137", "eth0-TxRx-5", 5, 3000),
                                             irq("138", "eth0-TxRx-6", 6, 2000)}},
                        {"cpu_totals", totals},
                        {"total", 13000},
                        {"rate", 13000 / 60.0}};
}
}  // namespace

BOOST_AUTO_TEST_CASE(many_cpus_fold_the_columns_where_no_shown_irq_fired) {
    auto text = render_overview(sixty_four_cpus(), {}, 3);
    BOOST_TEST(text ==
               "Interrupts from 2026-11-23T19:31:56Z to 2026-11-23T19:32:56Z (1m, 60 samples at 1s resolution)\n"
               "The 3 busiest IRQs; TOTAL and SHARE count every matching IRQ.\n"
               "No column for CPUs 0-3 (4): none of these IRQs fired there; they serviced 30.8% of all interrupts (4000).\n"
               "idle CPUs: 4,7-39,41-63 (57, no interrupts in the window).\n"
               "--cpus all shows every CPU.\n"
               "\n"
               "  IRQ  NAME          CPU5   CPU6  CPU40  TOTAL  RATE/s  AFFINITY\n"
               "  140  eth0-TxRx-8      0      0   4000   4000    66.7  40\n"
               "  137  eth0-TxRx-5   3000      0      0   3000    50.0  5\n"
               "  138  eth0-TxRx-6      0   2000      0   2000    33.3  6\n"
               "TOTAL                3000   2000   4000  13000     217\n"
               "SHARE               23.1%  15.4%  30.8%\n",
               text);
    // --cpus all (or a CPU list): every column, no fold line
    auto every = render_overview(sixty_four_cpus(), {}, 3, true);
    BOOST_TEST(every.find("CPU63") != std::string::npos);
    BOOST_TEST(every.find("idle CPUs") == std::string::npos);
    BOOST_TEST(every.find("No column") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(up_to_eight_cpus_every_column_stays) {
    auto v = two_cpus();
    for (auto& irq : v.as_object()["irqs"].as_array()) irq.as_object()["counts"].as_array()[1] = 0;
    v.as_object()["cpu_totals"].as_array()[1].as_object()["count"] = 0;
    auto text = render_overview(v, {});
    BOOST_TEST(text.find("CPU1") != std::string::npos);
    BOOST_TEST(text.find("idle") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(control_characters_in_names_never_reach_the_terminal) {
    auto v = two_cpus();
    // A driver's name holding a clear-screen, a C1 CSI and a bell, as JSON sends them.
    v.as_object()["irqs"].as_array()[0].as_object()["name"] = "eth0\x1b[2J\xc2\x9b" "31m\x07-q\xc3\xa9";
    auto text = render_overview(v, {});
    BOOST_TEST(text.find('\x1b') == std::string::npos);
    BOOST_TEST(text.find('\x07') == std::string::npos);
    BOOST_TEST(text.find("\xc2\x9b") == std::string::npos);
    BOOST_TEST(text.find("eth0[2J31m-q\xc3\xa9") != std::string::npos);   // the rest, é included, stays
    BOOST_TEST(printable("a\tb\nc\x7f" "d") == "abcd");
}
