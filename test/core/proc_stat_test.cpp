// Tests of the /proc/stat cpu-line parser on x86, arm64 (CPU 2 offline) and an old 7-field kernel.
#define BOOST_TEST_MODULE proc_stat
#include <boost/test/unit_test.hpp>

#include <string>

#include "irqd/core/proc_stat.hpp"
#include "fixture_text.hpp"

using irqd::core::parse_proc_stat;

namespace {
std::string fixture(const std::string& name) { return irqd::test::fixture_text("cpu/" + name); }
}  // namespace

BOOST_AUTO_TEST_CASE(x86_four_cpus) {
    auto s = parse_proc_stat(fixture("stat-x86-4cpu.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST_REQUIRE(s.all.has_value());
    BOOST_TEST(s.all->softirq == 277u);
    BOOST_TEST_REQUIRE(s.cpus.size() == 4u);
    BOOST_TEST(*s.cpus[3].cpu == 3u);
    BOOST_TEST(s.cpus[3].irq == 10u);
    BOOST_TEST(s.cpus[0].softirq == 213u);
    BOOST_TEST(s.cpus[0].total() == 1393u + 280 + 234 + 924520 + 5862 + 0 + 213 + 0);
}

BOOST_AUTO_TEST_CASE(arm64_offline_cpu_is_absent) {
    auto s = parse_proc_stat(fixture("stat-arm64-offline-cpu2.txt"));
    BOOST_TEST_REQUIRE(s.cpus.size() == 3u);
    BOOST_TEST(*s.cpus[2].cpu == 3u);
    BOOST_TEST(s.cpus[2].softirq == 413u);
}

BOOST_AUTO_TEST_CASE(old_kernel_without_steal) {
    auto s = parse_proc_stat(fixture("stat-old-7fields.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST_REQUIRE(s.cpus.size() == 2u);
    BOOST_TEST(s.cpus[1].irq == 20u);
    BOOST_TEST(s.cpus[1].softirq == 30u);
    BOOST_TEST(s.cpus[1].steal == 0u);
    BOOST_TEST(s.cpus[1].total() == 25805u);
}

BOOST_AUTO_TEST_CASE(bad_lines_are_skipped_with_an_issue) {
    auto s = parse_proc_stat("cpu0 1 2 x 4 5 6 7\ncpuX 1 2 3 4\ncpu1 1 2\ncpu2 1 2 3 4 5 6 7 8 9 10 11\n");
    BOOST_TEST(s.issues.size() == 3u);
    BOOST_TEST_REQUIRE(s.cpus.size() == 1u);
    BOOST_TEST(*s.cpus[0].cpu == 2u);
    BOOST_TEST(s.cpus[0].steal == 8u);
    BOOST_TEST(!s.all.has_value());
    BOOST_TEST(parse_proc_stat("").cpus.empty());
}
