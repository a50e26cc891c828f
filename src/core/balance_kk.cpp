// Multiway differencing, one tuple merge (O(k log k)) per elementary step.
#include "balance_kk.hpp"

#include <algorithm>
#include <bit>

namespace irqd::core::detail {
namespace {

// Max-heap on spread; equal spreads pop the lower tuple index first, which keeps runs repeatable.
bool heap_less(std::uint64_t sa, std::uint32_t ta, std::uint64_t sb, std::uint32_t tb) {
    return sa < sb || (sa == sb && ta > tb);
}

std::uint64_t sort_steps(std::size_t k) { return k * (static_cast<std::uint64_t>(std::bit_width(k)) + 2) / 4 + 1; }

}  // namespace

bool kk_partition::fits(const problem& p) {
    std::size_t free_items = 0;
    for (std::uint32_t s : p.set_of) free_items += s == 0;
    return free_items > 0 && (free_items + 1) * p.k <= max_slots;
}

void kk_partition::start(const problem& p, const placement& anchor) {
    k_ = p.k;
    anchor_ = anchor;
    free_items_.clear();
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p.set_of[i] == 0) free_items_.push_back(static_cast<std::uint32_t>(i));
    // Grown tuple by tuple in run(), so the megabytes it may take are touched in slices.
    slots_.clear();
    slots_.reserve((free_items_.size() + 1) * k_);
    next_.assign(p.size(), no_cpu);
    heap_.clear();
    scratch_.resize(k_);
    init_next_ = 0;
    merged_ = false;
}

void kk_partition::push(std::uint32_t t) {
    const slot* s = tuple(t);
    heap_.push_back({s[0].sum - s[k_ - 1].sum, t});
    std::push_heap(heap_.begin(), heap_.end(),
                   [](const ranked& a, const ranked& b) { return heap_less(a.spread, a.tuple, b.spread, b.tuple); });
}

void kk_partition::merge(std::uint32_t into, std::uint32_t from) {
    slot* a = tuple(into);
    const slot* b = tuple(from);
    for (std::size_t j = 0; j < k_; ++j) {
        slot s = a[j];
        const slot& o = b[k_ - 1 - j];
        s.sum += o.sum;
        if (o.head != no_cpu) {
            if (s.head == no_cpu) s.head = o.head;
            else next_[s.tail] = o.head;
            s.tail = o.tail;
        }
        if (s.cpu == no_cpu) s.cpu = o.cpu;
        scratch_[j] = s;
    }
    std::stable_sort(scratch_.begin(), scratch_.end(), [](const slot& x, const slot& y) { return x.sum > y.sum; });
    const std::uint64_t low = scratch_[k_ - 1].sum;
    for (std::size_t j = 0; j < k_; ++j) {
        a[j] = scratch_[j];
        a[j].sum -= low;
    }
}

bool kk_partition::run(const problem& p, placement& pl, work_meter& meter) {
    const std::uint32_t anchor_tuple = static_cast<std::uint32_t>(free_items_.size());
    while (init_next_ <= free_items_.size()) {
        if (!meter.slice_left()) return false;
        const std::uint32_t t = static_cast<std::uint32_t>(init_next_++);
        slots_.resize(slots_.size() + k_);
        slot* s = tuple(t);
        if (t == anchor_tuple) {
            for (std::uint32_t c = 0; c < k_; ++c) s[c] = slot{anchor_.load[c], no_cpu, no_cpu, c};
            std::stable_sort(s, s + k_, [](const slot& x, const slot& y) { return x.sum > y.sum; });
            const std::uint64_t low = s[k_ - 1].sum;
            for (std::size_t j = 0; j < k_; ++j) s[j].sum -= low;
            meter.charge(sort_steps(k_));
        } else {
            const std::uint32_t item = free_items_[t];
            s[0] = slot{p.weight[item], item, item, no_cpu};
            meter.charge(k_ / 16 + 1);
        }
        push(t);
    }
    while (heap_.size() > 1) {
        if (!meter.slice_left()) return false;
        auto pop = [&] {
            std::pop_heap(heap_.begin(), heap_.end(), [](const ranked& a, const ranked& b) {
                return heap_less(a.spread, a.tuple, b.spread, b.tuple);
            });
            const std::uint32_t t = heap_.back().tuple;
            heap_.pop_back();
            return t;
        };
        const std::uint32_t first = pop();
        const std::uint32_t second = pop();
        merge(first, second);
        push(first);
        meter.charge(sort_steps(k_));
    }
    if (!meter.slice_left()) return false;

    // The last tuple: each slot holds exactly one anchor CPU, so its items go there.
    pl = anchor_;
    const slot* last = tuple(heap_.front().tuple);
    for (std::size_t j = 0; j < k_; ++j)
        for (std::uint32_t i = last[j].head; i != no_cpu; i = next_[i]) pl.place(p, i, last[j].cpu);
    meter.charge(p.size() / 4 + 1);
    heap_.clear();
    return true;
}

}  // namespace irqd::core::detail
