// The row order and cut of overview and summary, and the history table, from hand-made answers.
#define BOOST_TEST_MODULE detail_views
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "irqd/client/detail_views.hpp"

using namespace irqd::client;
namespace json = boost::json;

namespace {
std::vector<std::string> ids(const json::value& v, std::string_view list, std::string_view key) {
    std::vector<std::string> out;
    for (const auto& r : v.at(list).as_array()) out.push_back(json::serialize(r.at(key)));
    return out;
}
const char* irqs = R"({"irqs":[{"irq":"LOC","name":"Local timer","rate":9},{"irq":"31","name":"eth1","rate":50},
                               {"irq":"130","name":"ahci","rate":1},{"irq":"30","name":"eth0","rate":70}]})";
}  // namespace

BOOST_AUTO_TEST_CASE(irqs_by_load_number_or_name_and_the_top_cut) {
    auto v = json::parse(irqs);
    order_irqs(v, "load", 2);
    BOOST_TEST(ids(v, "irqs", "irq") == (std::vector<std::string>{"\"30\"", "\"31\""}), boost::test_tools::per_element());
    v = json::parse(irqs);
    order_irqs(v, "irq", 0);   // numbers ascending, named rows last
    BOOST_TEST(ids(v, "irqs", "irq") == (std::vector<std::string>{"\"30\"", "\"31\"", "\"130\"", "\"LOC\""}),
               boost::test_tools::per_element());
    v = json::parse(irqs);
    order_irqs(v, "name", 1);
    BOOST_TEST(ids(v, "irqs", "irq") == (std::vector<std::string>{"\"LOC\""}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cpus_busiest_first_or_by_number) {
    auto v = json::parse(R"({"cpus":[{"cpu":0,"rate":5},{"cpu":1,"rate":7},{"cpu":2,"rate":6}]})");
    order_cpus(v, "cpu", 0);
    BOOST_TEST(ids(v, "cpus", "cpu") == (std::vector<std::string>{"0", "1", "2"}), boost::test_tools::per_element());
    order_cpus(v, "rate", 2);
    BOOST_TEST(ids(v, "cpus", "cpu") == (std::vector<std::string>{"1", "2"}), boost::test_tools::per_element());
    // --top 2 --sort cpu: the two busiest, in CPU order (not CPUs 0 and 1)
    v = json::parse(R"({"cpus":[{"cpu":0,"rate":5},{"cpu":1,"rate":7},{"cpu":2,"rate":6}]})");
    order_cpus(v, "cpu", 2);
    BOOST_TEST(ids(v, "cpus", "cpu") == (std::vector<std::string>{"1", "2"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(history_is_a_table_or_says_there_is_nothing) {
    BOOST_TEST(render_events(json::parse(R"({"events":[]})")) == "No plans, reverts or affinity changes in the window.\n");
    auto text = render_events(json::parse(
        R"j({"events":[{"time":"2026-12-03T03:16:55.667Z","type":"plan_applied","summary":"plan 1 applied: 2 IRQs moved, 2 changed (api)",)j"
        R"j("source":"api","irqs":2,"plan_id":"1"}]})j"));
    BOOST_TEST(text == "TIME                      TYPE          SOURCE  IRQS  PLAN  SUMMARY\n"
                       "2026-12-03T03:16:55.667Z  plan_applied  api        2     1  plan 1 applied: 2 IRQs moved, 2 changed (api)\n");
}

BOOST_AUTO_TEST_CASE(an_empty_history_names_the_window_asked) {
    BOOST_TEST(render_events(json::parse(R"({"events":[]})"), "the last 1h") == "No plans, reverts or affinity changes in the last 1h.\n");
}

// On 12 CPUs an IRQ that fires on CPU 1 alone: its row, then one row for the 11 quiet CPUs. On up to
// all_cpus_up_to CPUs every CPU keeps its row.
BOOST_AUTO_TEST_CASE(show_folds_the_cpus_where_the_irq_did_not_fire) {
    json::object reply{{"irq", "33"}, {"name", "eth0-TxRx-1"}, {"window_total", 50}, {"rate", 5.0}};
    json::array counts;
    for (int cpu = 0; cpu < 12; ++cpu)
        counts.push_back(json::object{{"cpu", cpu}, {"count", cpu == 1 ? 50 : 0}, {"rate", cpu == 1 ? 5.0 : 0.0}});
    reply["window_counts"] = counts;
    const auto text = render_irq(reply, output_style{});
    const auto table = text.substr(text.rfind('\n', text.find("CPU  COUNT")) + 1);
    BOOST_TEST(table == "   CPU  COUNT  RATE/s\n"
                        "     1     50     5.0\n"
                        "0,2-11      0     0.0\n"
                        " TOTAL     50     5.0\n");
    counts.resize(2);
    reply["window_counts"] = counts;
    const auto few = render_irq(reply, output_style{});
    BOOST_TEST(few.find("    0      0     0.0\n") != std::string::npos, few);
}
