// prepare_balance and finish_balance on hand-made facts: `before` counts the load still on CPUs
// outside the plan, and the moves off those CPUs are made whatever min_improvement says.
#define BOOST_TEST_MODULE balance_plan
#include <boost/test/unit_test.hpp>

#include <map>

#include "irqd/service/balance_plan.hpp"

using namespace irqd;
using namespace irqd::service;

namespace {

core::cpu_set cpus(std::string_view list) { return *core::parse_cpu_list(list); }

struct irq_spec {
    unsigned irq;
    std::string affinity;                 // effective affinity now
    std::vector<std::uint64_t> counts;    // over the window, on CPUs 0, 1, 2
};

// Three online CPUs, one node, and the IRQs' counts over the window.
struct machine {
    cpu_topology topology{cpus("0-2"), {}, {}, {{0, cpus("0-2")}}};
    core::window_counts rates;
    core::snapshot latest;
    std::map<unsigned, irq_kernel_info> info;

    explicit machine(const std::vector<irq_spec>& irqs) {
        auto shape = std::make_shared<core::layout>();
        shape->cpus = {0, 1, 2};
        latest.cpus = shape->cpus;
        for (const auto& i : irqs) {
            const auto id = std::to_string(i.irq);
            shape->row_ids.push_back(id);
            latest.rows.push_back({id, i.irq, "PCI-MSI", "", "edge", "dev-" + id});
            rates.counts.insert(rates.counts.end(), i.counts.begin(), i.counts.end());
            info[i.irq] = irq_kernel_info{cpus(i.affinity), cpus(i.affinity), 0};
        }
        latest.counts.assign(rates.counts.begin(), rates.counts.end());
        rates.shape = std::move(shape);
        rates.frames = 10;
    }

    balance_facts facts() const {
        return {&rates, &latest, &topology,
                [this](unsigned irq) -> const irq_kernel_info* {
                    auto it = info.find(irq);
                    return it == info.end() ? nullptr : &it->second;
                },
                nullptr};
    }

    balance_outcome plan(const balance_options& o) const {
        auto p = prepare_balance(facts(), o, balance_settings{});
        BOOST_TEST_REQUIRE(p.has_value(), (p ? std::string() : p.error_message()));
        return finish_balance(*p, core::balance(p->input), o);
    }
};

balance_options banned(std::string_view list, double min_improvement) {
    balance_options o;
    o.banned_cpus = cpus(list);
    o.min_improvement = min_improvement;
    return o;
}

std::map<unsigned, unsigned> destinations(const balance_outcome& b) {
    std::map<unsigned, unsigned> out;
    for (const auto& m : b.moves) out[m.irq] = m.to;
    return out;
}

}  // namespace

// CPU 0 carries 50, CPU 1 40, and banned CPU 2 still has IRQ 32's 60. Alone, that one goes to the
// lighter CPU 1 (100); swapping 31 over to CPU 0 as well brings the busiest CPU down to 90.
const std::vector<irq_spec> evacuation{{30, "0", {50, 0, 0}}, {31, "1", {0, 40, 0}}, {32, "2", {0, 0, 60}}};

BOOST_AUTO_TEST_CASE(before_and_after_count_the_same_load_outside_or_not) {
    const machine m(evacuation);
    const auto b = m.plan(banned("2", 0.05));
    BOOST_TEST(b.before.outside == 60u);
    BOOST_TEST(b.before.total == 150u);
    BOOST_TEST(b.before.max_load == 50u);
    BOOST_TEST(b.after.outside == 0u);
    BOOST_TEST(b.after.total == 150u);
    BOOST_TEST(b.after.max_load == 90u);
    BOOST_TEST_REQUIRE(b.forced.has_value());
    BOOST_TEST(b.forced->max_load == 100u);
    BOOST_TEST(b.forced->total == 150u);
    // Judged against the forced move alone: 10% better, so the whole plan is made.
    BOOST_TEST(b.improvement == 0.1, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(!b.below_threshold);
    BOOST_TEST(b.moves.size() == 2u);
    BOOST_TEST(b.forced_moves == 1u);
    BOOST_TEST(destinations(b).contains(32));
}

BOOST_AUTO_TEST_CASE(below_min_improvement_only_the_forced_moves_are_made) {
    const machine m(evacuation);
    const auto b = m.plan(banned("2", 0.2));
    BOOST_TEST(b.below_threshold);
    BOOST_TEST(b.held_back == 1u);
    BOOST_TEST((destinations(b) == std::map<unsigned, unsigned>{{32, 1}}));
    BOOST_TEST(b.forced_moves == 1u);
    // `after` is what is made: the busiest CPU gets busier than before, and that is fine.
    BOOST_TEST(b.after.max_load == 100u);
    BOOST_TEST(b.after.total == 150u);
    BOOST_TEST(b.after.cpus[1].load == 100u);
}

BOOST_AUTO_TEST_CASE(an_irq_spread_over_a_banned_cpu_is_pinned_off_it) {
    // IRQ 30 may go to CPUs 0-1 and fires on both; with CPU 1 banned its 40 there must move to CPU 0,
    // though that makes CPU 0 the busier (it was 60 + 50).
    const machine m({{30, "0-1", {60, 40, 0}}, {31, "0", {50, 0, 0}}});
    const auto b = m.plan(banned("1-2", 0.05));
    BOOST_TEST(b.before.outside == 40u);
    BOOST_TEST(b.before.max_load == 110u);
    BOOST_TEST(b.after.max_load == 150u);
    BOOST_TEST(b.after.total == b.before.total);
    BOOST_TEST(!b.below_threshold);
    BOOST_TEST((destinations(b) == std::map<unsigned, unsigned>{{30, 0}}));
    BOOST_TEST(b.forced_moves == 1u);
    BOOST_TEST(b.improvement == 0.0);
}

BOOST_AUTO_TEST_CASE(nothing_outside_the_plan_keeps_the_old_hysteresis) {
    // All on CPU 0 and 1; moving 30 would lower the busiest CPU by 10 of 100: below 20%.
    const machine m({{30, "0", {10, 0, 0}}, {31, "0", {90, 0, 0}}, {32, "1", {0, 80, 0}}});
    const auto b = m.plan(banned("2", 0.2));
    BOOST_TEST(b.before.outside == 0u);
    BOOST_TEST(!b.forced.has_value());
    BOOST_TEST(b.below_threshold);
    BOOST_TEST(b.moves.empty());
    BOOST_TEST(b.improvement == 0.1, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(b.after.max_load == b.before.max_load);
}

BOOST_AUTO_TEST_CASE(a_plan_reading_tells_what_changed_since) {
    plan_reading then{{{140, cpus("0")}, {141, cpus("1")}, {142, std::nullopt}, {143, cpus("0-1")}}, cpus("0-3")};
    BOOST_TEST(compare_readings(then, then).empty());

    plan_reading now{{{140, cpus("0")}, {141, cpus("2")}, {142, cpus("1")}, {150, cpus("0")}}, cpus("0-2,4")};
    auto d = compare_readings(then, now);
    BOOST_TEST(!d.empty());
    BOOST_TEST_REQUIRE(d.affinities.size() == 2u);
    BOOST_TEST(d.affinities[0].irq == 141u);
    BOOST_TEST(d.affinities[0].was->to_list() == "1");
    BOOST_TEST(d.affinities[0].now->to_list() == "2");
    BOOST_TEST(d.affinities[1].irq == 142u);
    BOOST_TEST(!d.affinities[1].was);
    BOOST_TEST((d.gone == std::vector<unsigned>{143}));
    BOOST_TEST((d.added == std::vector<unsigned>{150}));
    BOOST_TEST(d.cpus_offline.to_list() == "3");
    BOOST_TEST(d.cpus_online.to_list() == "4");
    BOOST_TEST(drift_text(d) == "2 IRQs' affinities changed (141, 142), 1 IRQs are gone (143), 1 IRQs are new (150), "
                                "CPUs 3 went offline, CPUs 4 came online");
    auto j = drift_json(d, 1);
    BOOST_TEST(j.at("affinities").as_array().size() == 1u);
    BOOST_TEST(j.at("affinities_count").as_uint64() == 2u);
    BOOST_TEST(j.at("affinities").as_array()[0].at("was").as_string() == "1");
    BOOST_TEST(j.at("irqs_gone").as_array()[0].as_string() == "143");
    BOOST_TEST(j.at("cpus_offline").as_string() == "3");
}

BOOST_AUTO_TEST_CASE(an_irq_already_on_its_one_effective_cpu_is_a_pin_not_a_move) {
    machine m({{30, "0", {50, 0, 0}}, {31, "1", {0, 50, 0}}, {33, "2", {0, 0, 50}}});
    m.info[30].affinity = cpus("0-2");   // the kernel picked CPU 0 of 0-2
    balance_options o;
    o.min_improvement = 0;
    const auto b = m.plan(o);
    BOOST_TEST(b.moves.empty());
    BOOST_TEST(b.pins == 1u);
    BOOST_TEST(b.moves_lower_bound == 0u);
}

BOOST_AUTO_TEST_CASE(an_irq_spread_over_several_cpus_counts_in_the_lower_bound) {
    machine m({{30, "0", {60, 0, 0}}, {31, "1", {0, 60, 0}}, {33, "2", {0, 0, 20}}, {34, "0-1", {20, 20, 0}}});
    balance_options o;
    o.min_improvement = 0;
    const auto b = m.plan(o);
    BOOST_TEST_REQUIRE(b.moves.size() == 1u);
    BOOST_TEST(b.moves[0].irq == 34u);
    BOOST_TEST(b.moves[0].to == 2u);
    BOOST_TEST(b.moves_lower_bound == 1u);
}
