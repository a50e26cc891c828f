// Exact search for three or more CPUs: branch and bound over items heaviest first, each tried on its
// allowed CPUs least loaded first. Pruned by the best max load found (a CPU may not reach it, and
// the room left under it must hold what is left) and by symmetry (interchangeable CPUs with equal
// loads are tried once). Iterative, so it pauses at any node.
#pragma once

#include <cstdint>
#include <vector>

#include "balance_problem.hpp"

namespace irqd::core::detail {

class bnb_search {
public:
    enum class status { paused, improved, finished };

    // Exponential: measured on random loads with 3-16 CPUs, 20 items finish within ~2M units, while
    // from 24 items on the search mostly spends its whole budget without proving anything.
    static constexpr std::size_t max_items = 20;

    void start(const problem& p, std::uint64_t bound_max);
    status run(const problem& p, work_meter& meter);
    const placement& best() const { return best_; }
    bool complete() const { return complete_; }

private:
    struct frame {
        std::vector<std::uint32_t> cpus;   // candidates for this depth's item, in trial order
        std::size_t next = 0;
        std::uint64_t max_before = 0;      // max load before this depth's item was placed
    };

    void expand(const problem& p, work_meter& meter);

    placement pl_;
    placement best_;
    std::vector<frame> frames_;            // frames_[d] belongs to item d
    std::vector<std::uint64_t> suffix_;    // load of items d.. n-1
    std::size_t depth_ = 0;
    std::uint64_t cur_max_ = 0;
    std::uint64_t bound_ = 0;              // improvements have max load < bound_
    bool finished_ = false;
    bool complete_ = false;
};

}  // namespace irqd::core::detail
