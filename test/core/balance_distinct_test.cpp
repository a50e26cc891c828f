// Tests for keep_distinct: a device's queues end on distinct CPUs (evenly when there are more queues
// than CPUs) without the busiest CPU passing the plan's move limit, allowed sets and held items are
// respected, and a group that cannot be spread within the limit is reported, not forced.
#define BOOST_TEST_MODULE balance_distinct
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "irqd/core/balance_distinct.hpp"

using namespace irqd::core;

namespace {

// The most items of `group` on one CPU.
std::size_t most_per_cpu(const balance_plan& plan, const std::vector<std::uint32_t>& group_of, std::uint32_t group) {
    std::map<unsigned, std::size_t> per_cpu;
    for (std::size_t i = 0; i < plan.cpu_of.size(); ++i)
        if (group_of[i] == group) ++per_cpu[plan.cpu_of[i]];
    std::size_t most = 0;
    for (auto& [cpu, n] : per_cpu) most = std::max(most, n);
    return most;
}

// The plan's loads and moves recomputed from cpu_of.
void check_consistent(const balance_input& in, const balance_plan& plan) {
    std::vector<std::uint64_t> loads(in.cpus.size(), 0);
    for (std::size_t c = 0; c < in.fixed_load.size(); ++c) loads[c] = in.fixed_load[c];
    std::size_t moves = 0;
    for (std::size_t i = 0; i < in.items.size(); ++i) {
        const auto c = static_cast<std::size_t>(std::find(in.cpus.begin(), in.cpus.end(), plan.cpu_of[i]) - in.cpus.begin());
        BOOST_TEST_REQUIRE(c < in.cpus.size());
        if (!in.items[i].allowed.empty()) BOOST_TEST(in.items[i].allowed.contains(plan.cpu_of[i]));
        loads[c] += in.items[i].load;
        moves += in.items[i].current && *in.items[i].current != plan.cpu_of[i];
    }
    for (std::size_t c = 0; c < loads.size(); ++c) BOOST_TEST(plan.metric.cpus[c].load == loads[c]);
    BOOST_TEST(plan.metric.max_load == *std::max_element(loads.begin(), loads.end()));
    BOOST_TEST(plan.moves == moves);
}

}  // namespace

// Two NICs with four equal queues each on four CPUs: any plan with two queues per CPU is optimal for
// the balancer, but only one with a queue of each NIC per CPU is distinct.
BOOST_AUTO_TEST_CASE(two_nics_one_queue_of_each_per_cpu) {
    balance_input in;
    in.cpus = {0, 1, 2, 3};
    std::vector<std::uint32_t> group_of;
    for (std::uint32_t nic = 0; nic < 2; ++nic)
        for (unsigned q = 0; q < 4; ++q) {
            // eth0's queues piled on CPUs 0-1, eth1's on 2-3: balanced, but two of a NIC per CPU
            in.items.push_back({"eth" + std::to_string(nic) + "-" + std::to_string(q), 100, {}, nic * 2 + q / 2});
            group_of.push_back(nic);
        }
    in.tolerance = 0.01;
    auto plan = balance(in);
    BOOST_TEST(plan.metric.max_load == 200u);
    BOOST_TEST(plan.moves == 0u);   // already optimal: the balancer moves nothing

    auto report = keep_distinct(in, group_of, plan);
    check_consistent(in, plan);
    BOOST_TEST(report.all_kept());
    BOOST_TEST_REQUIRE(report.groups.size() == 2u);
    BOOST_TEST(report.groups[0].cap == 1u);
    BOOST_TEST(report.groups[0].most_per_cpu == 1u);
    BOOST_TEST(most_per_cpu(plan, group_of, 0) == 1u);
    BOOST_TEST(most_per_cpu(plan, group_of, 1) == 1u);
    BOOST_TEST(plan.metric.max_load == 200u);   // as balanced as before
    BOOST_TEST(plan.moves == 4u);               // two swaps
    BOOST_TEST(report.changed == 4u);
}

// Six queues on four CPUs: at most two per CPU, and the other IRQs still balance around them.
BOOST_AUTO_TEST_CASE(more_queues_than_cpus_as_even_as_possible) {
    balance_input in;
    in.cpus = {0, 1, 2, 3};
    std::vector<std::uint32_t> group_of;
    for (unsigned q = 0; q < 6; ++q) {
        in.items.push_back({"q" + std::to_string(q), 50, {}, 0u});   // all on CPU 0 now
        group_of.push_back(7);
    }
    for (unsigned i = 0; i < 8; ++i) {
        in.items.push_back({"other" + std::to_string(i), 25, {}, i % 4});
        group_of.push_back(no_group);
    }
    auto plan = balance(in);
    const auto best = plan.metric.max_load;
    auto report = keep_distinct(in, group_of, plan);
    check_consistent(in, plan);
    BOOST_TEST_REQUIRE(report.groups.size() == 1u);
    BOOST_TEST(report.groups[0].items == 6u);
    BOOST_TEST(report.groups[0].cpus == 4u);
    BOOST_TEST(report.groups[0].cap == 2u);
    BOOST_TEST(report.groups[0].kept);
    BOOST_TEST(most_per_cpu(plan, group_of, 7) <= 2u);
    BOOST_TEST(plan.metric.max_load <= std::max(best, plan.move_limit));
    BOOST_TEST(plan.metric.max_load == 125u);   // (6 * 50 + 8 * 25) / 4: still perfectly balanced
}

// Two heavy queues and a CPU already full of fixed load: spreading them would overload CPU 1, so the
// repair leaves them together and says so.
BOOST_AUTO_TEST_CASE(not_kept_when_it_would_unbalance) {
    balance_input in;
    in.cpus = {0, 1};
    in.fixed_load = {0, 100};
    in.items = {{"q0", 10, {}, 0u}, {"q1", 10, {}, 0u}};
    const std::vector<std::uint32_t> group_of = {3, 3};
    auto plan = balance(in);
    BOOST_TEST(plan.metric.max_load == 100u);
    auto report = keep_distinct(in, group_of, plan);
    check_consistent(in, plan);
    BOOST_TEST(!report.all_kept());
    BOOST_TEST_REQUIRE(report.groups.size() == 1u);
    BOOST_TEST(report.groups[0].most_per_cpu == 2u);
    BOOST_TEST(report.groups[0].cap == 1u);
    BOOST_TEST(plan.metric.max_load == 100u);
    BOOST_TEST(report.changed == 0u);
}

// Allowed sets bound where a queue may go: the node's two CPUs for four queues make two per CPU there,
// and nothing goes to the other node.
BOOST_AUTO_TEST_CASE(allowed_sets_bound_the_spread) {
    balance_input in;
    in.cpus = {0, 1, 2, 3};
    const cpu_set node0 = cpu_set::of({0, 1});
    std::vector<std::uint32_t> group_of;
    for (unsigned q = 0; q < 4; ++q) {
        in.items.push_back({"q" + std::to_string(q), 10, node0, 0u});
        group_of.push_back(1);
    }
    in.items.push_back({"disk", 40, {}, 2u});
    group_of.push_back(no_group);
    auto plan = balance(in);
    auto report = keep_distinct(in, group_of, plan);
    check_consistent(in, plan);
    BOOST_TEST_REQUIRE(report.groups.size() == 1u);
    BOOST_TEST(report.groups[0].cpus == 2u);
    BOOST_TEST(report.groups[0].cap == 2u);
    BOOST_TEST(report.groups[0].kept);
    std::set<unsigned> used;
    for (std::size_t i = 0; i < 4; ++i) used.insert(plan.cpu_of[i]);
    BOOST_TEST((used == std::set<unsigned>{0, 1}));
}

// A held item (max_moves ran out) stays where it is even when its group is crowded there.
BOOST_AUTO_TEST_CASE(held_items_stay) {
    balance_input in;
    in.cpus = {0, 1};
    in.items = {{"q0", 10, {}, 0u}, {"q1", 10, {}, 0u}, {"x", 10, {}, 1u}, {"y", 10, {}, 1u}};
    const std::vector<std::uint32_t> group_of = {5, 5, no_group, no_group};
    auto plan = balance(in);
    plan.held = {0, 1};
    const auto before = plan.cpu_of;
    auto report = keep_distinct(in, group_of, plan);
    BOOST_TEST(plan.cpu_of[0] == before[0]);
    BOOST_TEST(plan.cpu_of[1] == before[1]);
    BOOST_TEST(report.groups[0].kept == (before[0] != before[1]));
}

// Items without a group, or groups of one, are left alone: no report, nothing changed.
BOOST_AUTO_TEST_CASE(no_groups_no_change) {
    balance_input in;
    in.cpus = {0, 1};
    in.items = {{"a", 30, {}, 0u}, {"b", 20, {}, 0u}, {"c", 10, {}, 1u}};
    auto plan = balance(in);
    const auto before = plan.cpu_of;
    auto report = keep_distinct(in, {no_group, 4, no_group}, plan);
    BOOST_TEST(report.groups.empty());
    BOOST_TEST(report.all_kept());
    BOOST_TEST(report.changed == 0u);
    BOOST_TEST((plan.cpu_of == before));
}

// Four NICs of eight queues of unequal loads on four CPUs, each queue on a wide mask (no current CPU):
// every CPU must take exactly two queues of each NIC, a cap so tight that single moves and swaps get
// stuck. The capped largest-first placement with trades gets there within 1 % of the best max load.
BOOST_AUTO_TEST_CASE(tight_caps_of_many_groups_are_kept_within_the_tolerance) {
    balance_input in;
    in.cpus = {0, 1, 2, 3};
    std::vector<std::uint32_t> group_of;
    std::uint64_t seed = 7;
    for (std::uint32_t nic = 0; nic < 4; ++nic)
        for (unsigned q = 0; q < 8; ++q) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            in.items.push_back({"eth" + std::to_string(nic) + "-" + std::to_string(q), 1000 + (seed >> 33) % 4000, {}, std::nullopt});
            group_of.push_back(nic);
        }
    in.tolerance = 0.01;
    auto plan = balance(in);
    const auto best = plan.metric.max_load;
    auto report = keep_distinct(in, group_of, plan);
    BOOST_TEST(report.all_kept());
    for (std::uint32_t nic = 0; nic < 4; ++nic) BOOST_TEST(most_per_cpu(plan, group_of, nic) == 2u);
    BOOST_TEST(static_cast<double>(plan.metric.max_load) <= static_cast<double>(best) * 1.01);
    check_consistent(in, plan);
}
