// Local search on a complete placement: repeatedly takes the busiest CPU and applies the best single
// move or pairwise swap with any other CPU that lowers it; when none does, re-splits it with a
// lighter CPU by a bounded two-way CKK over both CPUs' items. Resumable inside a round, so one step
// never costs more than one CPU pair's comparison or one CKK node.
#pragma once

#include <cstdint>
#include <vector>

#include "balance_ckk.hpp"
#include "balance_problem.hpp"

namespace irqd::core::detail {

class local_search {
public:
    // resplit: allow the pair re-split (not under max_moves: it may move many items at once).
    void start(const problem& p, const placement& pl, work_meter& meter, bool resplit);
    // Improves `pl` in place. Returns true when finished: no move or swap lowers the busiest CPU,
    // the lower bound is reached, or the budget is spent. `pl` is complete and valid throughout.
    bool run(const problem& p, placement& pl, work_meter& meter);

private:
    struct choice {
        bool valid = false;
        std::uint64_t new_max = 0;       // the larger of the two CPUs' loads afterwards
        long cost = 0;                   // change in the number of moves
        std::uint32_t cpu = 0;           // the other CPU
        std::uint32_t from_busy = no_cpu;  // item leaving the busiest CPU
        std::uint32_t to_busy = no_cpu;    // item coming back in a swap, or no_cpu for a move
    };

    void evaluate(const problem& p, const placement& pl, std::uint32_t c, work_meter& meter);
    void consider(const problem& p, const placement& pl, std::uint32_t c, std::uint32_t x, std::uint32_t y);
    void relocate(const problem& p, placement& pl, std::uint32_t item, std::uint32_t to);
    bool reachable(const problem& p, std::uint32_t c) const;   // may any item on the busy CPU go to c?
    void start_pair(const problem& p, const placement& pl, std::uint32_t c);
    // Runs the current pair's CKK; true when it is over (pair_improved_ says whether it helped).
    bool run_pair(const problem& p, placement& pl, work_meter& meter);

    std::vector<std::vector<std::uint32_t>> on_;   // per CPU: items by descending index (ascending weight)
    bool in_round_ = false;
    std::uint32_t busy_ = 0;
    std::uint32_t next_cpu_ = 0;
    choice best_;
    static constexpr std::size_t max_busy_sets = 8;
    std::vector<std::uint32_t> busy_sets_;         // distinct allowed sets on the busy CPU this round

    // The re-split fallback: partners in ascending load order, tried until one lowers the busiest.
    bool resplit_ = false;
    bool in_pairs_ = false;
    bool pair_running_ = false;
    bool pair_improved_ = false;
    std::vector<std::uint32_t> partners_;
    std::size_t next_partner_ = 0;
    std::uint32_t partner_ = 0;
    std::uint64_t pair_budget_end_ = 0;
    problem pair_;                                 // the two CPUs as a k = 2 problem of their shared items
    std::vector<std::uint32_t> pair_items_;        // pair_ item -> item
    ckk_search ckk_;
};

}  // namespace irqd::core::detail
