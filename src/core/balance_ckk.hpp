// Complete Karmarkar-Karp (Korf 1998) for two CPUs: a depth-first search whose first leaf is the KK
// differencing result; each node either differences its two largest numbers (opposite CPUs) or adds
// them (same CPU). Iterative with undo, so it pauses at any node and needs O(n) memory.
#pragma once

#include <cstdint>
#include <vector>

#include "balance_problem.hpp"

namespace irqd::core::detail {

class ckk_search {
public:
    enum class status { paused, improved, finished };

    // Only partitions whose max load is below `bound_max` count as improvements.
    void start(const problem& p, std::uint64_t bound_max);
    status run(const problem& p, work_meter& meter);
    const placement& best() const { return best_; }          // the last improvement
    bool complete() const { return complete_; }              // finished without running out of budget

private:
    struct entry {
        std::uint64_t value;
        std::uint32_t node;      // item index, the anchor, or a merged node (leaves + depth)
        bool operator<(const entry& o) const { return value < o.value || (value == o.value && node < o.node); }
    };
    struct frame {
        entry a, b;              // the two largest, a >= b
        std::size_t inserted;    // where a-b or a+b went in list_
        bool sum_branch;
    };

    void insert(entry e, frame& f);
    void record(const problem& p);

    std::vector<entry> list_;    // ascending, the largest last
    std::vector<frame> frames_;
    std::vector<std::uint8_t> side_;
    std::uint64_t sum_ = 0;
    std::uint32_t leaves_ = 0;   // items, plus the anchor when the base loads differ
    bool has_anchor_ = false;
    std::uint32_t heavy_ = 0;    // the CPU with the larger base load
    std::uint64_t total_ = 0;
    std::uint64_t best_diff_ = 0;
    std::uint64_t target_diff_ = 0;   // reaching it proves optimality
    bool descending_ = true;
    bool finished_ = false;
    bool complete_ = false;
    placement best_;
};

}  // namespace irqd::core::detail
