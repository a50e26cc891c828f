// Balancing, the pure part: a plan request's options, the balancer's input built from measured rates
// and the kernel's view of each IRQ, the plan made into moves (hysteresis, forced moves), and its JSON.
// No Asio, no Beast, no clock: tests feed it hand-made facts.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "irqd/core/balance_distinct.hpp"
#include "irqd/core/balancer.hpp"
#include "irqd/core/cpu_set.hpp"
#include "irqd/core/history.hpp"
#include "irqd/core/interrupts.hpp"
#include "irqd/core/result.hpp"
#include "irqd/service/irq_devices.hpp"
#include "irqd/service/kernel_files.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::service {

// How a plan treats the device's NUMA node (/proc/irq/N/node; -1 = none): prefer keeps an IRQ on its
// node's CPUs when the node has any CPU to balance over, require always (an IRQ whose node has none
// stays where it is), ignore spreads over every CPU.
enum class numa_mode { prefer, require, ignore };

// balance: the optimiser over every IRQ. spread: each selected device's queue IRQs one per CPU (in
// queue order, node-local CPUs first, wrapping when there are more queues than CPUs), then the
// optimiser over the rest; min_improvement does not hold a spread back (it was asked for).
enum class balance_policy { balance, spread };

// What one plan request asks for; the defaults come from settings::balance.
struct balance_options {
    std::chrono::milliseconds window{std::chrono::minutes(5)};
    std::optional<core::cpu_set> cpus;            // explicit CPUs; else online - isolated - nohz_full - banned
    core::cpu_set banned_cpus;                    // on top of the configured ones
    std::vector<std::string> banned_irqs;         // numbers or name globs, on top of the configured ones
    numa_mode numa = numa_mode::prefer;
    std::optional<std::size_t> max_moves;
    double min_improvement = 0.05;                // relative drop of the busiest CPU's load
    double tolerance = 0.01;                      // fewest moves within this fraction above the best max load
    balance_policy policy = balance_policy::balance;
    std::vector<std::string> devices;             // spread: these PCI devices' queues ...
    std::vector<std::string> netdevs;             // ... and these interfaces'; neither: every device's
    // balance: keep each device's queue IRQs on distinct CPUs where that stays within the tolerance
    // (evenly when a device has more queues than CPUs); spread places them so anyway.
    bool distinct = false;
    bool apply = false;
};

// The options of a plan nobody asked anything special of: irqd's configured defaults. The API, auto
// mode and --oneshot all start from these.
balance_options default_balance_options(const balance_settings& s);

// What a plan is made from, gathered from the sampler (tests fill it by hand).
struct balance_facts {
    const core::window_counts* rates = nullptr;   // counts per IRQ x CPU over the window
    const core::snapshot* latest = nullptr;       // names of the rows
    const cpu_topology* topology = nullptr;
    std::function<const irq_kernel_info*(unsigned irq)> irq_info;
    std::function<bool(unsigned irq)> writable;   // may irqd write the IRQ's affinity at all
    const irq_devices* devices = nullptr;         // each IRQ's device (policy spread); null: from names only
};

struct planned_irq {
    unsigned irq = 0;
    std::string name;
    std::uint64_t load = 0;                       // interrupts in the window
    std::optional<core::cpu_set> from;            // effective affinity now (unknown: null)
    std::uint64_t outside = 0;                    // of `load`, what lands on CPUs outside the plan now
    bool must_move = false;                       // outside > 0: it moves whatever the gain
    bool wider_affinity = false;                  // its effective affinity is one CPU, its affinity list more
};

// The balancer's input plus what is needed to explain and apply its plan.
struct prepared_balance {
    core::balance_input input;
    std::vector<planned_irq> irqs;                // parallel to input.items
    std::vector<std::uint64_t> before;            // per input CPU: the load of the current placement
                                                  // (the rest of the irqs' load is their `outside`)
    std::vector<std::uint64_t> unmoved;           // per input CPU: `before` less the irqs that must move
    std::size_t fixed_irqs = 0;                   // rows counted as fixed load (named, banned, not writable, ...)
    std::vector<std::string> notes;               // what the caller should know (short history, ...)
    // Option distinct: per entry of input.items its device's group (core::no_group: no queue of a
    // device), and per group the device (PCI address, else interface).
    std::vector<std::uint32_t> group_of;
    std::vector<std::string> group_names;
    // Option numa prefer or require: per NUMA node, the IRQs it keeps on that node's CPUs when those
    // are fewer than the plan's, so the plan can say why it leaves the other CPUs alone.
    struct node_local {
        int node = -1;
        core::cpu_set cpus;                       // the node's CPUs among the plan's
        std::size_t irqs = 0;
        std::vector<std::string> netdevs;         // their interfaces (sysfs, else the names), sorted
        std::vector<std::string> devices;         // their PCI devices, sorted
    };
    std::vector<node_local> numa_local;           // by node
};

// Pure: builds the balancer's input from the facts. Errors: no CPU to balance over (unprocessable),
// no rates yet (unavailable).
core::result<prepared_balance> prepare_balance(const balance_facts& facts, const balance_options& o,
                                               const balance_settings& s);

struct balance_move {
    unsigned irq = 0;
    std::string name;
    std::uint64_t load = 0;
    std::optional<core::cpu_set> from;
    unsigned to = 0;
};

// The plan as the API shows and the writer applies it, hysteresis applied (and with option distinct,
// the plan first repaired by core::keep_distinct). `before` and `after` are
// over the same IRQs and load (equal totals): load on CPUs outside the plan is their `outside`.
// IRQs with load on CPUs outside the plan (banned, isolated, ...) must move; min_improvement
// judges the other moves against the placement that makes the forced moves alone (`forced`), so an
// evacuation is never held back, even when it makes the busiest CPU busier.
struct balance_outcome {
    std::vector<balance_move> moves;              // only the forced ones (or none) when below min_improvement
    core::balance_metric before, after;           // after: what the moves made give
    std::optional<core::balance_metric> forced;   // the forced moves alone, when there are any
    std::size_t forced_moves = 0;                 // of `moves`, those off CPUs outside the plan
    double improvement = 0;                       // the plan's (base.max_load - plan's max_load) / base.max_load,
                                                  // base = *forced or before; what min_improvement is compared with
    bool below_threshold = false;                 // the plan had other moves but not enough improvement
    std::size_t held_back = 0;                    // moves not made because of that
    bool proven_optimal = false;
    std::uint64_t work = 0;
    // core::balance_plan's (of the plan before hysteresis) plus the IRQs spread over several CPUs,
    // which every plan pins.
    std::size_t moves_lower_bound = 0;
    // IRQs the plan leaves on the one CPU of their effective affinity although their affinity list is
    // wider: pinning them would change nothing on the machine, so they are neither written nor moves.
    std::size_t pins = 0;
    std::uint64_t best_max_load = 0;              // the lowest max load found; after's is within the tolerance
    std::optional<core::distinct_report> distinct;  // option distinct: how far each device's queues are apart
    std::size_t crowded_now = 0;                  // option distinct: devices whose queues crowd a CPU now
    std::size_t crowded_after() const {
        std::size_t n = 0;
        if (distinct)
            for (const auto& g : distinct->groups) n += !g.kept;
        return n;
    }
};
balance_outcome finish_balance(const prepared_balance& p, const core::balance_plan& plan, const balance_options& o);
boost::json::object outcome_json(const prepared_balance& p, const balance_outcome& b);

// Where an IRQ is now as a plan sees it: its effective affinity, else its affinity; null when unknown.
std::optional<core::cpu_set> placement_of(const irq_kernel_info* info);

// What a plan read of the machine, so that applying it later can tell whether it still fits: every
// numbered IRQ's placement (effective affinity, else affinity; null when unknown) and the online CPUs.
struct plan_reading {
    std::vector<std::pair<unsigned, std::optional<core::cpu_set>>> placement;   // ascending by IRQ
    core::cpu_set online;
};

// What changed between the reading a plan was made from and the machine now; empty() = still valid.
struct plan_drift {
    struct moved {
        unsigned irq = 0;
        std::optional<core::cpu_set> was, now;
    };
    std::vector<moved> affinities;                // IRQs whose placement differs
    std::vector<unsigned> gone, added;            // IRQs no longer there / there now but not then
    core::cpu_set cpus_offline, cpus_online;      // CPUs gone offline / come online since
    bool empty() const {
        return affinities.empty() && gone.empty() && added.empty() && cpus_offline.empty() && cpus_online.empty();
    }
};
plan_drift compare_readings(const plan_reading& then, const plan_reading& now);
// {"affinities":[{"irq","was","now"}],"irqs_gone":[..],"irqs_new":[..],"cpus_offline":"LIST","cpus_online":"LIST"},
// each list cut at `limit` entries (with its full count in "<name>_count").
boost::json::object drift_json(const plan_drift& d, std::size_t limit = 64);
// One line for people: "3 IRQs' affinities changed (140, 141, 143), CPUs 3 went offline".
std::string drift_text(const plan_drift& d);

std::string_view numa_name(numa_mode m);            // "prefer", "require", "ignore"
std::string_view policy_name(balance_policy p);     // "balance", "spread"

}  // namespace irqd::service
