// End-to-end tests of the balancer's NUMA modes through the daemon, on a fake kernel with two nodes
// (CPUs 0-1 and 2-3; the simulated machine has one node): "require" keeps every IRQ on its node's
// CPUs, "prefer" too while its node has CPUs to balance over, "ignore" spreads over all CPUs.
#define BOOST_TEST_MODULE balance_numa
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>

#include "daemon.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
struct irq_spec {
    unsigned irq;
    int node;
    unsigned cpu;     // where it is pinned at the start
    unsigned rate;    // interrupts per write of /proc/interrupts
};
// Node 0's devices are busy and all on CPU 0, node 1's are light and all on CPU 2: within the nodes
// the best split is 1700 | 1700 | 170 | 170; across them no CPU needs more than IRQ 30's 1000.
const std::vector<irq_spec> irqs{{30, 0, 0, 1000}, {31, 0, 0, 900}, {32, 0, 0, 800}, {33, 0, 0, 700},
                                 {34, 1, 2, 100},  {35, 1, 2, 90},  {36, 1, 2, 80},  {37, 1, 2, 70}};
const std::map<int, std::set<unsigned>> node_cpus{{0, {0, 1}}, {1, {2, 3}}};
int node_of(const std::string& irq) {
    for (const auto& i : irqs)
        if (std::to_string(i.irq) == irq) return i.node;
    return -1;
}

std::string table(std::uint64_t writes) {
    std::string t = "           CPU0       CPU1       CPU2       CPU3\n";
    for (const auto& i : irqs) {
        t += " " + std::to_string(i.irq) + ":";
        for (unsigned c = 0; c < 4; ++c) t += " " + std::to_string(c == i.cpu ? writes * i.rate : 0);
        t += "   IR-PCI-MSI " + std::to_string(524288 + i.irq) + "-edge      eth" + std::to_string(i.node) + "-TxRx-" +
             std::to_string(i.irq) + "\n";
    }
    return t;
}

// A machine with two nodes whose IRQs have fired at the rates above for a while.
struct numa_machine {
    fake_kernel k;
    std::unique_ptr<irqd_process> d;
    numa_machine() {
        k.cpus("0-3");
        write(k.sys() / "devices/system/node/node0/cpulist", "0-1\n");
        write(k.sys() / "devices/system/node/node1/cpulist", "2-3\n");
        for (const auto& i : irqs) k.irq(i.irq, std::to_string(i.cpu), i.node);
        k.interrupts(table(0));
        d = std::make_unique<irqd_process>(std::vector<std::string>{
            "--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms", "--history", "1s:1h"});
        for (std::uint64_t w = 1; w <= 6; ++w) {
            k.interrupts(table(w));
            BOOST_REQUIRE(d->wait_samples(2));
        }
    }
    json::object plan(const std::string& body, bool apply = false) const {
        auto r = d->call(verb::post, apply ? "/api/v1/balance?apply=true" : "/api/v1/balance", body);
        BOOST_TEST_REQUIRE(r.status == 200u, r.body);
        return json_body(r).as_object();
    }
};

std::uint64_t metric(const json::object& plan, std::string_view when, std::string_view what) {
    return plan.at("metric").at(when).at(what).to_number<std::uint64_t>();
}

// IRQ -> the CPU the plan sends it to.
std::map<std::string, unsigned> destinations(const json::object& plan) {
    std::map<std::string, unsigned> out;
    for (const auto& m : plan.at("moves").as_array()) out[std::string(m.at("irq").as_string())] = m.at("to").to_number<unsigned>();
    return out;
}

// min_improvement 0 unless `more` sets it (a key named twice is a 400).
std::string body(std::string_view numa, std::string_view more = "") {
    std::string min = more.find("\"min_improvement\"") == std::string_view::npos ? R"("min_improvement":0,)" : "";
    return R"({"window":"1h",)" + min + R"("numa":")" + std::string(numa) + "\"" + std::string(more) + "}";
}
}  // namespace

BOOST_AUTO_TEST_CASE(require_and_prefer_keep_irqs_on_their_node_ignore_spreads_over_all) {
    numa_machine m;
    auto require = m.plan(body("require"));
    auto prefer = m.plan(body("prefer"));
    auto ignore = m.plan(body("ignore"));
    BOOST_TEST(require.at("options").at("numa").as_string() == "require");
    BOOST_TEST(prefer.at("options").at("numa").as_string() == "prefer");
    BOOST_TEST(ignore.at("options").at("numa").as_string() == "ignore");
    // All on CPU 0 but node 1's on CPU 2: before, CPU 0 carries node 0's 3400 per write.
    const auto before = metric(require, "before", "max_load");
    BOOST_TEST_REQUIRE(before % 3400 == 0u);
    const auto writes = before / 3400;

    for (const auto* plan : {&require, &prefer}) {
        BOOST_TEST_REQUIRE(!plan->at("moves").as_array().empty());
        for (const auto& [irq, to] : destinations(*plan)) BOOST_TEST(node_cpus.at(node_of(irq)).contains(to), irq << " -> " << to);
        BOOST_TEST(metric(*plan, "after", "max_load") == 1700 * writes);   // 1000+700 | 900+800 on CPUs 0 | 1
    }
    // Across nodes IRQ 30 alone is the busiest CPU's load, and node 0's IRQs go to node 1's CPUs.
    BOOST_TEST(metric(ignore, "after", "max_load") == 1000 * writes);
    bool crossed = false;
    for (const auto& [irq, to] : destinations(ignore)) crossed = crossed || !node_cpus.at(node_of(irq)).contains(to);
    BOOST_TEST(crossed);
    // Why a plan leaves CPUs alone: per node, the IRQs kept on its CPUs and their interfaces (from the
    // names here: the fake kernel has no PCI devices). Nothing with ignore.
    for (const auto* plan : {&require, &prefer}) {
        BOOST_TEST(json::serialize(plan->at("numa_local")) ==
                   R"([{"node":0,"cpus":"0-1","irqs":4,"netdevs":["eth0"],"devices":[]},)"
                   R"({"node":1,"cpus":"2-3","irqs":4,"netdevs":["eth1"],"devices":[]}])");
    }
    BOOST_TEST(ignore.at("numa_local").as_array().empty());

    // Applied, "require" leaves every IRQ's affinity (as the kernel got it) on its node.
    auto applied = m.plan(body("require"), true);
    BOOST_TEST(applied.at("applied").as_bool());
    for (const auto& i : irqs) {
        auto list = read_text(m.k.proc() / "irq" / std::to_string(i.irq) / "smp_affinity_list");
        BOOST_TEST_REQUIRE(list.size() == 2u, i.irq << ": " << list);   // one CPU and a newline
        BOOST_TEST(node_cpus.at(i.node).contains(static_cast<unsigned>(list[0] - '0')), i.irq << ": " << list);
    }
}

BOOST_AUTO_TEST_CASE(a_node_without_cpus_to_balance_over_prefer_moves_its_irqs_require_keeps_them) {
    numa_machine m;
    // CPUs 2-3 banned: node 1 has no CPU left in the plan.
    auto prefer = m.plan(body("prefer", R"(,"banned_cpus":"2-3")"));
    auto require = m.plan(body("require", R"(,"banned_cpus":"2-3")"));
    for (const auto* plan : {&prefer, &require}) BOOST_TEST(plan->at("cpus").as_string() == "0-1");

    auto moved = destinations(prefer);
    for (const auto& i : irqs)
        if (i.node == 1) BOOST_TEST((moved.contains(std::to_string(i.irq)) && moved[std::to_string(i.irq)] <= 1), i.irq);

    for (const auto& [irq, to] : destinations(require)) BOOST_TEST(node_of(irq) == 0, irq << " -> " << to);
    // Node 0's CPUs are every CPU of the plan then: nothing is kept off any of them.
    for (const auto* plan : {&prefer, &require}) BOOST_TEST(plan->at("numa_local").as_array().empty());
    BOOST_TEST(require.at("irqs_fixed").to_number<unsigned>() == 4u);
    BOOST_TEST(require.at("notes").at(0).as_string().starts_with("4 IRQs stay where they are: numa is 'require'"));
}

BOOST_AUTO_TEST_CASE(before_counts_the_load_on_excluded_cpus_so_totals_match) {
    numa_machine m;
    // CPUs 2-3 banned: node 1's IRQs (340 per write) sit on CPU 2 and must come to CPU 0 or 1.
    auto plan = m.plan(body("prefer", R"(,"banned_cpus":"2-3")"));
    const auto total = metric(plan, "before", "total");
    BOOST_TEST_REQUIRE(total % 3740 == 0u);
    const auto writes = total / 3740;
    BOOST_TEST(metric(plan, "after", "total") == total);
    BOOST_TEST(metric(plan, "before", "outside") == 340 * writes);
    BOOST_TEST(metric(plan, "after", "outside") == 0u);
    BOOST_TEST(metric(plan, "before", "max_load") == 3400 * writes);
    BOOST_TEST(metric(plan, "after", "max_load") == 1870 * writes);   // 1000+700+100+70 | 900+800+90+80
    // The forced moves alone put node 1's IRQs on idle CPU 1: CPU 0 keeps 3400.
    BOOST_TEST(metric(plan, "forced", "max_load") == 3400 * writes);
    BOOST_TEST(plan.at("forced_moves").to_number<unsigned>() == 4u);
    BOOST_TEST(plan.at("improvement").to_number<double>() == 1.0 - 1870.0 / 3400.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(irqs_leave_banned_cpus_even_below_min_improvement_or_when_the_busiest_cpu_gets_busier) {
    numa_machine m;
    // The full plan lowers the busiest CPU by 45%, below 50%: only the moves off CPU 2 are made.
    auto plan = m.plan(body("prefer", R"(,"banned_cpus":"2-3","min_improvement":0.5)"), true);
    BOOST_TEST(plan.at("below_threshold").as_bool());
    BOOST_TEST(plan.at("held_back").to_number<unsigned>() > 0u);
    BOOST_TEST(plan.at("applied").as_bool());
    auto moved = destinations(plan);
    BOOST_TEST(moved.size() == 4u);
    for (const auto& i : irqs) {
        if (i.node != 1) continue;
        BOOST_TEST(moved[std::to_string(i.irq)] == 1u, i.irq);   // idle CPU 1 takes them all
        BOOST_TEST(read_text(m.k.proc() / "irq" / std::to_string(i.irq) / "smp_affinity_list") == "1\n", i.irq);
    }
    const auto writes = metric(plan, "before", "total") / 3740;
    BOOST_TEST(metric(plan, "after", "max_load") == 3400 * writes);
    BOOST_TEST(metric(plan, "after", "total") == 3740 * writes);

    // Over CPU 0 alone the IRQs from CPU 2 make it busier; they still go, and nothing holds them back.
    numa_machine one;
    auto alone = one.plan(body("prefer", R"(,"banned_cpus":"1-3","min_improvement":0.05)"));
    BOOST_TEST(alone.at("cpus").as_string() == "0");
    BOOST_TEST(!alone.at("below_threshold").as_bool());
    BOOST_TEST(alone.at("forced_moves").to_number<unsigned>() == 4u);
    BOOST_TEST(destinations(alone).size() == 4u);
    const auto w = metric(alone, "before", "total") / 3740;
    BOOST_TEST(metric(alone, "before", "max_load") == 3400 * w);
    BOOST_TEST(metric(alone, "after", "max_load") == 3740 * w);
    BOOST_TEST(alone.at("improvement").to_number<double>() == 0.0);
}
