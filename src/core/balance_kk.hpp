// Multiway Karmarkar-Karp differencing: every item starts as a k-tuple (w, 0, ..., 0); the two tuples
// with the largest spread are merged largest-with-smallest until one is left. Restricted items
// are placed beforehand and enter as one "anchor" tuple whose slots are tied to their CPUs.
#pragma once

#include <cstdint>
#include <vector>

#include "balance_problem.hpp"

namespace irqd::core::detail {

class kk_partition {
public:
    // Slots (items x CPUs) above this are not worth the memory; the stage is skipped.
    static constexpr std::size_t max_slots = std::size_t{1} << 21;
    static bool fits(const problem& p);

    // `anchor`: restricted items already placed (on top of the base loads); KK places the rest.
    void start(const problem& p, const placement& anchor);
    // Returns true when `pl` holds the finished placement.
    bool run(const problem& p, placement& pl, work_meter& meter);

private:
    struct slot {
        std::uint64_t sum = 0;
        std::uint32_t head = no_cpu;     // linked list of the slot's items through next_
        std::uint32_t tail = no_cpu;
        std::uint32_t cpu = no_cpu;      // the anchor's CPU, once merged in
    };
    struct ranked {
        std::uint64_t spread;
        std::uint32_t tuple;
    };

    slot* tuple(std::uint32_t t) { return slots_.data() + std::size_t{t} * k_; }
    void push(std::uint32_t t);
    void merge(std::uint32_t into, std::uint32_t from);

    std::size_t k_ = 0;
    std::vector<slot> slots_;
    std::vector<std::uint32_t> next_;    // per item: the next item of its slot
    std::vector<ranked> heap_;
    std::vector<slot> scratch_;
    std::vector<std::uint32_t> free_items_;
    std::size_t init_next_ = 0;
    bool merged_ = false;
    placement anchor_;
};

}  // namespace irqd::core::detail
