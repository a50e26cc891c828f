// Greedy construction of a placement, resumable item by item: optionally keep items on their
// current CPU while it stays under a limit, then LPT (heaviest first onto the least-loaded allowed
// CPU) for the rest.
#pragma once

#include <cstdint>
#include <vector>

#include "balance_problem.hpp"

namespace irqd::core::detail {

// Least-loaded CPU of a fixed set of CPUs (lowest index on ties) in O(log k) per update.
class min_load_tree {
public:
    void build(const std::vector<std::uint32_t>& cpus, const std::vector<std::uint64_t>& load);
    void update(std::size_t slot, std::uint64_t load);   // slot: position of the CPU in `cpus`
    std::uint32_t argmin() const { return cpus_[node_[1]]; }

private:
    bool less(std::uint32_t a, std::uint32_t b) const;
    std::size_t leaves_ = 0;
    std::vector<std::uint32_t> cpus_;
    std::vector<std::uint64_t> load_;   // per slot
    std::vector<std::uint32_t> node_;   // heap-ordered tournament of slots
};

class greedy_builder {
public:
    enum class which { all, restricted_only };

    // keep_limit: items stay on their current CPU (lightest first) while its load stays at or
    // under it; 0 keeps nothing. which: restricted_only places only items with an allowed set.
    void start(const problem& p, placement& pl, std::uint64_t keep_limit, which w);
    // Returns true when every selected item is placed.
    bool run(const problem& p, placement& pl, work_meter& meter);

private:
    std::uint32_t least_loaded(const problem& p, const placement& pl, std::size_t item) const;

    // One tree per allowed set while there are few sets; beyond that restricted items scan.
    static constexpr std::size_t max_trees = 64;
    struct membership {
        std::uint32_t tree;
        std::uint32_t slot;
    };
    void loaded(std::uint32_t cpu, std::uint64_t load);

    std::vector<min_load_tree> trees_;
    std::vector<std::vector<membership>> member_of_;   // per CPU

    std::uint64_t keep_limit_ = 0;
    which which_ = which::all;
    std::size_t keep_next_ = 0;    // counts down: lightest first
    std::size_t lpt_next_ = 0;
};

}  // namespace irqd::core::detail
