// Tests of the softnet_stat parser on the layouts of 2.6.32 (9 columns), 3.10 (10), 4.19 (11) and
// 5.15 (13, with CPU ids, CPU 2 offline), and how lines without ids are matched to online CPUs.
#define BOOST_TEST_MODULE softnet_stat
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "irqd/core/softnet_stat.hpp"
#include "fixture_text.hpp"

using irqd::core::parse_softnet_stat;

namespace {
std::string fixture(const std::string& name) { return irqd::test::fixture_text("cpu/" + name); }
}  // namespace

BOOST_AUTO_TEST_CASE(new_kernel_maps_by_cpu_id) {
    auto s = parse_softnet_stat(fixture("softnet-5.15-13col-offline-cpu2.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.columns == 13u);
    BOOST_TEST(s.cpu_ids);
    BOOST_TEST_REQUIRE(s.cpus.size() == 3u);
    BOOST_TEST(s.cpus[0].cpu == 0u);
    BOOST_TEST(s.cpus[0].processed == 0x0147ae14u);
    BOOST_TEST(s.cpus[0].dropped == 16u);
    BOOST_TEST(s.cpus[0].time_squeezed == 200u);
    BOOST_TEST(s.cpus[2].cpu == 3u);   // the third line is CPU 3: CPU 2 is offline
    BOOST_TEST(s.cpus[2].received_rps == 7u);
    BOOST_TEST(*s.cpus[2].backlog_len == 2u);
}

BOOST_AUTO_TEST_CASE(old_kernel_lines_are_the_online_cpus_in_order) {
    const std::vector<unsigned> online{0, 3};
    auto s = parse_softnet_stat(fixture("softnet-3.10-10col.txt"), online);
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(!s.cpu_ids);
    BOOST_TEST(s.columns == 10u);
    BOOST_TEST_REQUIRE(s.cpus.size() == 2u);
    BOOST_TEST(s.cpus[1].cpu == 3u);
    BOOST_TEST(s.cpus[1].dropped == 3u);
    BOOST_TEST(s.cpus[0].time_squeezed == 42u);
    BOOST_TEST(!s.cpus[0].backlog_len.has_value());
}

BOOST_AUTO_TEST_CASE(eleven_and_nine_columns) {
    auto s = parse_softnet_stat(fixture("softnet-4.19-11col.txt"));
    BOOST_TEST_REQUIRE(s.cpus.size() == 4u);
    BOOST_TEST(s.cpus[2].cpu == 2u);
    BOOST_TEST(s.cpus[2].received_rps == 5u);
    BOOST_TEST(s.cpus[2].flow_limit_count == 1u);
    auto old = parse_softnet_stat(fixture("softnet-2.6.32-9col.txt"));
    BOOST_TEST_REQUIRE(old.cpus.size() == 2u);
    BOOST_TEST(old.columns == 9u);
    BOOST_TEST(old.cpus[1].processed == 0x23456u);
    BOOST_TEST(old.cpus[1].received_rps == 0u);   // column 9 is cpu_collision there, not kept
}

BOOST_AUTO_TEST_CASE(bad_lines_and_count_mismatch) {
    const std::vector<unsigned> online{0, 1, 2};
    auto s = parse_softnet_stat("00000001 00000002 00000003\nzz 0 0 0 0 0 0 0 0\n"
                                "00000005 00000006 00000007 0 0 0 0 0 0\n",
                                online);
    BOOST_TEST_REQUIRE(s.cpus.size() == 1u);
    BOOST_TEST(s.cpus[0].cpu == 0u);   // 1 line for 3 online CPUs: numbered by line, and said so
    BOOST_TEST(s.cpus[0].dropped == 6u);
    BOOST_TEST(s.issues.size() == 3u);
    BOOST_TEST(parse_softnet_stat("").cpus.empty());
}
