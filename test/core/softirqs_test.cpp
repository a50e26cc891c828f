// Tests of the /proc/softirqs parser: x86 with four CPUs, arm64 with CPU 2 offline, bad rows.
#define BOOST_TEST_MODULE softirqs
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "irqd/core/softirqs.hpp"
#include "fixture_text.hpp"

using irqd::core::parse_softirqs;

namespace {
std::string fixture(const std::string& name) { return irqd::test::fixture_text("cpu/" + name); }
}  // namespace

BOOST_AUTO_TEST_CASE(x86_all_ten_rows) {
    auto t = parse_softirqs(fixture("softirqs-x86-4cpu.txt"));
    BOOST_TEST(t.issues.empty());
    BOOST_TEST(t.cpus == (std::vector<unsigned>{0, 1, 2, 3}), boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(t.names.size() == 10u);
    BOOST_TEST(t.names[3] == "NET_RX");
    BOOST_TEST(t.count(3, 1) == 843201u);
    BOOST_TEST(t.names[9] == "RCU");
    BOOST_TEST(t.count(9, 3) == 1700230u);
}

BOOST_AUTO_TEST_CASE(arm64_offline_cpu_missing_from_header) {
    auto t = parse_softirqs(fixture("softirqs-arm64-offline-cpu2.txt"));
    BOOST_TEST(t.cpus == (std::vector<unsigned>{0, 1, 3}), boost::test_tools::per_element());
    BOOST_TEST(t.count(3, 2) == 153002u);   // NET_RX on CPU 3
}

BOOST_AUTO_TEST_CASE(bad_rows) {
    auto t = parse_softirqs("  CPU0 CPU1\n HI: 1 2 3\n TIMER: 5\n NET_RX: 7 x\nnoname 1 2\n");
    BOOST_TEST(t.names == (std::vector<std::string>{"TIMER"}), boost::test_tools::per_element());
    BOOST_TEST(t.count(0, 0) == 5u);
    BOOST_TEST(t.count(0, 1) == 0u);
    BOOST_TEST(t.issues.size() == 4u);   // too many, short, not a number, no name
    BOOST_TEST(parse_softirqs("HI: 1 2\n").names.empty());
    BOOST_TEST(parse_softirqs("").issues.size() == 1u);
}
