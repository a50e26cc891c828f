// Fewest moves under a max load: from the current placement, only what must leave a CPU above the
// limit moves (as few items as can close each CPU's excess), and the lower bound on such moves.
#pragma once

#include <cstdint>
#include <optional>

#include "balance_problem.hpp"

namespace irqd::core::detail {

// A placement with every CPU at most `limit` that keeps items on their current CPU where it can: each
// CPU above the limit gives up as few items as close its excess (the largest, the last one the
// smallest that suffices), and those plus the items without a current CPU go, largest first, to the
// least loaded CPU they may use. Empty when they do not all fit under the limit.
std::optional<placement> fewest_moves(const problem& p, std::uint64_t limit, work_meter& meter);

// The same by another route, for tight packings: the items the lower bound picks (plus, round by
// round, a few small ones from the same CPUs) are placed by the balancer itself over the rest.
std::optional<placement> fewest_moves_packed(const problem& p, std::uint64_t limit, work_meter& meter);

// Items away from their current CPU go back to it where that keeps it at most `limit`, lightest first.
void return_home(const problem& p, placement& pl, std::uint64_t limit, work_meter& meter);

// No placement with every CPU at most `limit` moves fewer items: per CPU above the limit with every
// item at its current CPU, the number of its largest items whose load covers the excess.
std::size_t moves_lower_bound(const problem& p, std::uint64_t limit);

}  // namespace irqd::core::detail
