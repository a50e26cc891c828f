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
}

BOOST_AUTO_TEST_CASE(history_is_a_table_or_says_there_is_nothing) {
    BOOST_TEST(render_events(json::parse(R"({"events":[]})")) == "No plans, reverts or affinity changes in the window.\n");
    auto text = render_events(json::parse(
        R"j({"events":[{"time":"2026-12-03T03:16:55.667Z","type":"plan_applied","summary":"plan 1 applied: 2 IRQs moved, 2 changed (api)",)j"
        R"j("source":"api","irqs":2,"plan_id":"1"}]})j"));
    BOOST_TEST(text == "TIME                      TYPE          SOURCE  IRQS  PLAN  SUMMARY\n"
                       "2026-12-03T03:16:55.667Z  plan_applied  api        2     1  plan 1 applied: 2 IRQs moved, 2 changed (api)\n");
}
