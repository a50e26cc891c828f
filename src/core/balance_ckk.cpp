// Complete Karmarkar-Karp, one search node per elementary step.
//
// Two CPUs with base loads b_heavy >= b_light are two bins of equal base b_light plus one extra
// number b_heavy - b_light (the anchor) whose side becomes the heavy CPU. The max load of a
// partition with difference d is (total + d) / 2, so minimising d minimises the makespan.
#include "balance_ckk.hpp"

#include <algorithm>

namespace irqd::core::detail {

void ckk_search::start(const problem& p, std::uint64_t bound_max) {
    list_.clear();
    frames_.clear();
    for (std::uint32_t i = 0; i < p.size(); ++i) list_.push_back({p.weight[i], i});
    leaves_ = static_cast<std::uint32_t>(p.size());
    heavy_ = p.base[1] > p.base[0] ? 1 : 0;
    const std::uint64_t excess = p.base[heavy_] - p.base[1 - heavy_];
    has_anchor_ = excess > 0;
    if (has_anchor_) list_.push_back({excess, leaves_++});
    std::sort(list_.begin(), list_.end());
    sum_ = 0;
    for (const entry& e : list_) sum_ += e.value;
    total_ = p.total;
    best_diff_ = 2 * bound_max - total_;
    target_diff_ = 2 * p.lower_bound - total_;
    descending_ = true;
    finished_ = best_diff_ <= target_diff_;
    complete_ = finished_;
    best_.reset(p);
}

void ckk_search::insert(entry e, frame& f) {
    const auto pos = std::lower_bound(list_.begin(), list_.end(), e);
    f.inserted = static_cast<std::size_t>(pos - list_.begin());
    list_.insert(pos, e);
}

// The leaf's sides, then each merge undone from the deepest: a keeps the merged node's side, b
// joins it (sum) or takes the other (difference).
void ckk_search::record(const problem& p) {
    side_.assign(leaves_ + frames_.size(), 0);
    const entry& largest = list_.back();
    for (const entry& e : list_) side_[e.node] = 1;
    side_[largest.node] = 0;
    for (std::size_t d = frames_.size(); d-- > 0;) {
        const frame& f = frames_[d];
        const std::uint8_t s = side_[leaves_ + d];
        side_[f.a.node] = s;
        side_[f.b.node] = f.sum_branch ? s : static_cast<std::uint8_t>(1 - s);
    }
    const std::uint8_t heavy_side = has_anchor_ ? side_[leaves_ - 1] : 0;
    best_.reset(p);
    for (std::uint32_t i = 0; i < p.size(); ++i)
        best_.place(p, i, side_[i] == heavy_side ? heavy_ : 1 - heavy_);
}

ckk_search::status ckk_search::run(const problem& p, work_meter& meter) {
    while (!finished_) {
        if (!meter.slice_left()) return status::paused;
        if (!meter.budget_left()) {
            finished_ = true;
            break;
        }
        if (descending_) {
            const std::uint64_t largest = list_.back().value;
            meter.charge(4);
            if (list_.size() == 1 || largest >= sum_ - largest) {
                // A leaf: the largest number alone against all the others.
                descending_ = false;
                const std::uint64_t diff = 2 * largest - sum_;
                if (diff >= best_diff_) continue;
                best_diff_ = diff;
                record(p);
                meter.charge((leaves_ + frames_.size()) / 4);
                if (diff <= target_diff_) finished_ = complete_ = true;
                return status::improved;
            }
            frame f{list_.back(), list_[list_.size() - 2], 0, false};
            list_.resize(list_.size() - 2);
            sum_ -= 2 * f.b.value;
            const auto node = static_cast<std::uint32_t>(leaves_ + frames_.size());
            insert({f.a.value - f.b.value, node}, f);
            meter.charge((list_.size() - f.inserted) / 16);
            frames_.push_back(f);
            continue;
        }
        if (frames_.empty()) {
            finished_ = complete_ = true;
            break;
        }
        frame& f = frames_.back();
        list_.erase(list_.begin() + static_cast<std::ptrdiff_t>(f.inserted));
        meter.charge(2 + (list_.size() - f.inserted) / 16);
        if (!f.sum_branch && f.b.value != 0) {
            // With b = 0 the sum would repeat the difference's subtree.
            f.sum_branch = true;
            sum_ += 2 * f.b.value;
            const auto node = static_cast<std::uint32_t>(leaves_ + frames_.size() - 1);
            insert({f.a.value + f.b.value, node}, f);
            descending_ = true;
            continue;
        }
        if (!f.sum_branch) sum_ += 2 * f.b.value;
        list_.push_back(f.b);
        list_.push_back(f.a);
        frames_.pop_back();
    }
    return status::finished;
}

}  // namespace irqd::core::detail
