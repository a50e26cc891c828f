// The balancer: assigns each IRQ (with a measured load) to one CPU so the busiest CPU is as light as
// possible. Pure: it returns a plan and writes nothing. Resumable, so the daemon can run it in slices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "irqd/core/cpu_set.hpp"

namespace irqd::core {

struct balance_item {
    std::string id;                       // IRQ id, echoed in the plan
    std::uint64_t load = 0;               // interrupts in the window (or per day): the weight to spread
    cpu_set allowed;                      // CPUs this IRQ may go to; empty = any of balance_input::cpus
    std::optional<unsigned> current;      // where it is now, so equal-quality plans prefer fewer moves
};

struct balance_input {
    std::vector<unsigned> cpus;           // CPUs that take IRQs, ascending and unique
    std::vector<balance_item> items;      // IRQs to place
    std::vector<std::uint64_t> fixed_load;  // per entry of `cpus`: load that cannot move; empty = none
    std::optional<std::size_t> max_moves; // at most this many items leave `current`
    std::uint64_t work_budget = 20'000'000;  // total search effort before settling for the best found
    // After the best max load M is found: the plan with the fewest moves found among placements whose
    // max load is at most M * (1 + tolerance). 0 = the best max load, fewest moves only among its ties.
    double tolerance = 0;
    // Notes on the fields above, as the balancer reads them:
    // - An item whose `current` is not among its allowed input CPUs must move; those forced moves
    //   count against max_moves first, in input order (see balance_plan::held).
    // - An item with no `current` costs no move wherever it goes.
    // - work_budget bounds the searches. A unit measured 70-450 ns on an AMD EPYC (most stages
    //   100-200), so 20M is a few seconds of CPU in the worst case (two CPUs with 40 numbers of 50
    //   bits never finish); most inputs finish far earlier: 64 CPUs x 4096 IRQs in 70k-180k units.
    //   The baseline and the constructions searches start from always complete, so a tiny budget
    //   still gives a valid plan.
};

struct cpu_load {
    unsigned cpu = 0;
    std::uint64_t load = 0;               // fixed + placed load
    double share = 0;                     // load / total
};

struct balance_metric {
    std::vector<cpu_load> cpus;
    // Load of the placement's IRQs that lands on CPUs other than `cpus` (a caller's view of IRQs
    // still on excluded CPUs; the balancer's own plans leave it 0). Part of total, on no entry of cpus.
    std::uint64_t outside = 0;
    std::uint64_t total = 0;              // the loads of cpus + outside
    std::uint64_t max_load = 0;
    std::uint64_t min_load = 0;
    std::uint64_t spread = 0;             // max_load - min_load
    double peak_to_mean = 0;              // max_load / (total / k); 1.0 is perfect (below 1 only with outside)
    std::uint64_t lower_bound = 0;        // no plan can have a smaller max_load
    std::uint64_t gap = 0;                // max_load - lower_bound
    double gap_ratio = 0;                 // gap / lower_bound
};

// The metric of any placement: loads per CPU (parallel to `cpus`), plus what no plan can beat, plus
// the load that is on none of `cpus`.
balance_metric measure(const std::vector<unsigned>& cpus, const std::vector<std::uint64_t>& loads,
                       std::uint64_t lower_bound, std::uint64_t outside = 0);

struct balance_plan {
    std::vector<unsigned> cpu_of;         // per item of the input, the CPU it goes to
    balance_metric metric;
    std::size_t moves = 0;                // items whose CPU differs from `current`
    // No placement with a max load at most `move_limit` (the best max load found, times 1 + tolerance)
    // makes fewer moves than this: forced moves, plus per CPU above the limit the fewest of its items
    // whose load covers its excess.
    std::size_t moves_lower_bound = 0;
    std::uint64_t best_max_load = 0;      // the lowest max load found (the plan's is within tolerance of it)
    std::uint64_t move_limit = 0;
    bool proven_optimal = false;          // best_max_load is the optimum (search completed or hit the bound)
    std::uint64_t work = 0;               // effort spent (search nodes / improvement steps)
    // Items whose allowed set has no CPU of the input. They stay where they are: cpu_of is their
    // current CPU (the first input CPU when unknown, for display only) and the writer must skip them.
    // Their load counts on their current CPU when that is one of the input CPUs.
    std::vector<std::size_t> unplaceable;
    // Items that may not stay on their current CPU but were left there because max_moves ran out
    // (taken in input order); cpu_of is their current CPU, so the writer leaves them alone.
    std::vector<std::size_t> held;
};

class balancer {
public:
    explicit balancer(balance_input input);
    ~balancer();
    balancer(balancer&&) noexcept;
    balancer& operator=(balancer&&) noexcept;

    // Does about `work` units (a unit is a few hundred nanoseconds) and returns true when finished.
    bool step(std::uint64_t work);
    bool done() const;
    balance_plan plan() const;            // the best plan found so far; valid at any time
    const balance_input& input() const;

private:
    struct state;
    std::unique_ptr<state> s_;
};

// Runs a balancer to completion.
balance_plan balance(balance_input input);

}  // namespace irqd::core
