// The balancer's working model, shared by its search stages (internal to src/core): the input
// reduced to CPU indices, the items that can actually move, a placement of them, and work metering.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "irqd/core/balancer.hpp"

namespace irqd::core::detail {

inline constexpr std::uint32_t no_cpu = std::numeric_limits<std::uint32_t>::max();

// Elementary steps (a comparison, a slot update) per public work unit. Stages count steps so that
// step(work) stops within a few steps of its slice, whatever the stage.
inline constexpr std::uint64_t steps_per_unit = 48;

// Work accounting shared by every stage. `spent` only grows, so a run cut into slices makes the
// same decisions as one run: stages pause at the slice end and give up at the budget end.
struct work_meter {
    std::uint64_t spent = 0;
    std::uint64_t slice_end = 0;
    std::uint64_t budget_end = std::numeric_limits<std::uint64_t>::max();

    void charge(std::uint64_t steps) { spent += steps; }
    bool slice_left() const { return spent < slice_end; }
    bool budget_left() const { return spent < budget_end; }
};

// The CPUs one item may use, as indices into balance_input::cpus.
struct allowed_set {
    std::vector<std::uint64_t> bits;
    std::vector<std::uint32_t> members;   // ascending

    bool contains(std::uint32_t cpu) const { return (bits[cpu / 64] >> (cpu % 64) & 1) != 0; }
};

// The input with everything that cannot move folded into per-CPU base loads. Movable items are
// sorted heaviest first (ties in input order), so index order is the LPT order and a list sorted
// by descending index is sorted by ascending weight.
struct problem {
    std::size_t k = 0;                          // number of CPUs
    std::vector<std::uint64_t> base;            // per CPU: fixed_load plus items that cannot move
    std::vector<std::uint64_t> weight;          // per movable item, descending
    std::vector<std::uint32_t> set_of;          // per movable item, index into sets; 0 = any CPU
    std::vector<std::uint32_t> current;         // per movable item: its CPU when staying is allowed, else no_cpu
    std::vector<std::size_t> input_index;       // per movable item, index into balance_input::items
    std::vector<allowed_set> sets;              // distinct allowed sets; sets[0] is every CPU
    std::vector<std::uint32_t> cpu_class;       // CPUs of one class are interchangeable for every item
    bool all_any = true;                        // no movable item is restricted
    bool equal_base = true;                     // every CPU has the same base load
    bool any_current = false;                   // some movable item has a current CPU
    std::uint64_t total = 0;                    // base plus movable load
    std::uint64_t lower_bound = 0;              // no placement has a smaller max load
    std::optional<std::size_t> move_cap;        // moves left for movable items when max_moves binds

    std::size_t size() const { return weight.size(); }
    bool allowed(std::size_t item, std::uint32_t cpu) const {
        return set_of[item] == 0 || sets[set_of[item]].contains(cpu);
    }
};

// What is decided once and for all about the items that do not move.
struct fixed_part {
    std::vector<unsigned> cpu_of;               // per input item; movable items are overwritten
    std::vector<std::size_t> unplaceable;
    std::vector<std::size_t> held;
    std::size_t moves = 0;                      // forced moves of items that may not stay
};

void make_problem(const balance_input& in, problem& p, fixed_part& fixed);

// A (possibly partial) placement of the movable items.
struct placement {
    std::vector<std::uint32_t> at;              // per movable item: CPU index or no_cpu
    std::vector<std::uint64_t> load;            // per CPU: base plus placed items
    std::size_t moves = 0;                      // placed items away from their current CPU

    void reset(const problem& p);
    void place(const problem& p, std::size_t item, std::uint32_t cpu);
    void unplace(const problem& p, std::size_t item);
    std::uint64_t max_load() const;
    bool complete() const;
};

inline bool is_move(const problem& p, std::size_t item, std::uint32_t cpu) {
    return p.current[item] != no_cpu && p.current[item] != cpu;
}

// 2*d < limit without overflow.
inline bool twice_below(std::uint64_t d, std::uint64_t limit) { return d < limit && d < limit - d; }

}  // namespace irqd::core::detail
