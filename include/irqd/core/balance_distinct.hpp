// Distinct CPUs for a device's queues: repairs a balancer plan so that items of one group (a device's
// queue IRQs) share no CPU where they can, as evenly as possible when a group has more items than CPUs,
// without letting the busiest CPU pass the plan's move limit. Pure, like the balancer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "irqd/core/balancer.hpp"

namespace irqd::core {

inline constexpr std::uint32_t no_group = std::numeric_limits<std::uint32_t>::max();

struct distinct_group {
    std::uint32_t group = 0;
    std::size_t items = 0;                // the group's items
    std::size_t cpus = 0;                 // CPUs any of them may go to
    std::size_t cap = 0;                  // at most this many per CPU: ceil(items / cpus)
    std::size_t most_per_cpu = 0;         // the most of them on one CPU after the repair
    bool kept = false;                    // most_per_cpu <= cap
};

struct distinct_report {
    std::vector<distinct_group> groups;   // groups of two or more items, by group number
    std::size_t changed = 0;              // items the repair put on another CPU than the plan had
    bool all_kept() const {
        for (const auto& g : groups)
            if (!g.kept) return false;
        return true;
    }
};

// `group_of` is parallel to in.items (no_group: the item belongs to none). Moves single items and swaps
// pairs, within each item's allowed set, so that no CPU holds more than ceil(items / cpus) of a group,
// keeping every CPU at or below max(plan.move_limit, plan's max load): a group that cannot be spread
// within that stays as it is and is reported not kept. Items in plan.unplaceable and plan.held stay
// where they are (they still count for their group). plan's cpu_of, metric and moves are updated.
distinct_report keep_distinct(const balance_input& in, const std::vector<std::uint32_t>& group_of, balance_plan& plan);

}  // namespace irqd::core
