// Unit tests of the state file's text (render and parse, what counts as corrupt), without a daemon.
#define BOOST_TEST_MODULE state_file
#include <boost/test/unit_test.hpp>

#include "irqd/service/state_file.hpp"

using namespace irqd;
using namespace irqd::service;

BOOST_AUTO_TEST_CASE(render_and_parse_round_trip) {
    auto t = *core::parse_time("2026-12-02T13:00:00Z");
    std::vector<saved_affinity> in{{30, "eth0-TxRx-0", *core::parse_cpu_list("1,3-4"), t}, {31, "", *core::parse_cpu_list("0"), t}};
    auto text = render_state(in);
    BOOST_TEST(text.back() == '\n');
    auto out = parse_state(text);
    BOOST_REQUIRE(out.has_value());
    BOOST_REQUIRE(out->size() == 2u);
    BOOST_TEST((*out)[0].irq == 30u);
    BOOST_TEST((*out)[0].name == "eth0-TxRx-0");
    BOOST_TEST((*out)[0].cpus.to_list() == "1,3-4");
    BOOST_TEST(core::format_rfc3339((*out)[0].time) == "2026-12-02T13:00:00Z");
    BOOST_TEST((*out)[1].name.empty());
}

BOOST_AUTO_TEST_CASE(what_is_corrupt) {
    for (std::string bad : {"", "{", "[]", R"({"irqs":[]})", R"({"version":2,"irqs":[]})", R"({"version":1})",
                            R"({"version":1,"irqs":[{"irq":-1,"name":"x","cpus":"0"}]})",
                            R"({"version":1,"irqs":[{"irq":30,"name":"x","cpus":""}]})",
                            R"({"version":1,"irqs":[{"irq":30,"name":"x","cpus":"0-"}]})",
                            R"({"version":1,"irqs":[{"irq":30,"cpus":"0"}]})", R"({"version":1,"irqs":[7]})"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!parse_state(bad).has_value()); }
    }
    // An entry without a time is still an entry.
    BOOST_TEST(parse_state(R"({"version":1,"irqs":[{"irq":30,"name":"x","cpus":"0"}]})").has_value());
}
