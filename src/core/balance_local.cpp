// Local search: best move or swap between the busiest CPU and each other CPU, one pair per step.
#include "balance_local.hpp"

#include <algorithm>
#include <functional>

namespace irqd::core::detail {
namespace {

// How many disallowed neighbours a search skips before giving up on a direction; restricted items
// are rarely interleaved with many others of a different set at the same weight.
constexpr int skip_limit = 4;

// Items sitting on their current CPU that a re-split may move, per CPU: enough for a fine split
// (2^32 subsets against loads of a few million), few enough to keep moves down.
constexpr std::size_t resplit_at_home = 16;

}  // namespace

void local_search::start(const problem& p, const placement& pl, work_meter& meter, bool resplit) {
    on_.assign(p.k, {});
    for (std::size_t i = p.size(); i-- > 0;) on_[pl.at[i]].push_back(static_cast<std::uint32_t>(i));
    meter.charge(p.size() / 4 + p.k / 4 + 1);
    in_round_ = false;
    resplit_ = resplit;
    in_pairs_ = false;
    pair_running_ = false;
}

void local_search::consider(const problem& p, const placement& pl, std::uint32_t c, std::uint32_t x,
                            std::uint32_t y) {
    const std::uint64_t wx = p.weight[x];
    const std::uint64_t wy = y == no_cpu ? 0 : p.weight[y];
    const std::uint64_t d = wx - wy;   // callers ensure 0 < d < load[busy] - load[c]
    const std::uint64_t new_max = std::max(pl.load[busy_] - d, pl.load[c] + d);
    long cost = long{is_move(p, x, c)} - long{is_move(p, x, busy_)};
    if (y != no_cpu) cost += long{is_move(p, y, busy_)} - long{is_move(p, y, c)};
    if (p.move_cap && static_cast<long>(pl.moves) + cost > static_cast<long>(*p.move_cap)) return;
    if (new_max >= pl.load[busy_]) return;
    if (best_.valid && (new_max > best_.new_max || (new_max == best_.new_max && cost >= best_.cost))) return;
    best_ = choice{true, new_max, cost, c, x, y};
}

// First position in [lo, end) where `pred` is false (pred true then false along the range),
// searching outwards from lo: O(log distance), so a walk whose answers only move forwards costs
// O(shorter * log(longer / shorter)) in all.
template <class It, class Pred>
It gallop(It lo, It end, Pred pred) {
    std::size_t step = 1;
    It hi = lo;
    while (hi != end && pred(*hi)) {
        lo = hi + 1;
        hi = static_cast<std::size_t>(end - hi) > step ? hi + static_cast<std::ptrdiff_t>(step) : end;
        step *= 2;
    }
    return std::partition_point(lo, hi, pred);
}

void local_search::evaluate(const problem& p, const placement& pl, std::uint32_t c, work_meter& meter) {
    const std::vector<std::uint32_t>& busy = on_[busy_];
    const std::vector<std::uint32_t>& other = on_[c];
    const std::uint64_t delta = pl.load[busy_] - pl.load[c];
    std::uint64_t steps = 2;   // comparisons made, charged at the end
    auto w = [&](std::uint32_t i) {
        ++steps;
        return p.weight[i];
    };

    // Moves: the item nearest delta/2 (and under delta) improves both CPUs the most.
    {
        const auto first_big = std::partition_point(busy.begin(), busy.end(),
                                                    [&](std::uint32_t i) { return twice_below(w(i), delta); });
        int skipped = 0;
        for (auto it = first_big; it != busy.end() && w(*it) < delta && skipped <= skip_limit; ++it, ++skipped)
            if (p.allowed(*it, c)) { consider(p, pl, c, *it, no_cpu); break; }
        skipped = 0;
        for (auto it = first_big; it != busy.begin() && skipped <= skip_limit; ++skipped) {
            --it;
            if (w(*it) == 0) break;
            if (p.allowed(*it, c)) { consider(p, pl, c, *it, no_cpu); break; }
        }
    }

    // Swaps: x leaves the busy CPU, y comes back, d = w(x) - w(y) nearest delta/2 within (0, delta).
    // Walk the shorter list; in the longer one the partner only moves forwards.
    auto fits = [&](std::uint32_t x, std::uint32_t y) { return p.allowed(x, c) && p.allowed(y, busy_); };
    if (other.empty()) {
    } else if (busy.size() <= other.size()) {
        auto small_d = other.begin();
        for (std::uint32_t x : busy) {
            // Along `other` w(y) grows, so d shrinks: first the y with 2d >= delta, then 2d < delta.
            small_d = gallop(small_d, other.end(), [&](std::uint32_t y) {
                return w(y) < w(x) && !twice_below(w(x) - w(y), delta);
            });
            int skipped = 0;
            for (auto it = small_d; it != other.end() && w(*it) < w(x) && skipped <= skip_limit; ++it, ++skipped)
                if (fits(x, *it)) { consider(p, pl, c, x, *it); break; }
            skipped = 0;
            for (auto it = small_d; it != other.begin() && skipped <= skip_limit; ++skipped) {
                --it;
                if (w(x) - w(*it) >= delta) break;
                if (fits(x, *it)) { consider(p, pl, c, x, *it); break; }
            }
        }
    } else {
        auto big_d = busy.begin();
        for (std::uint32_t y : other) {
            // Along `busy` w(x) grows, so d grows: first 2d < delta (or d <= 0), then 2d >= delta.
            big_d = gallop(big_d, busy.end(), [&](std::uint32_t x) {
                return w(x) <= w(y) || twice_below(w(x) - w(y), delta);
            });
            int skipped = 0;
            for (auto it = big_d; it != busy.end() && w(*it) - w(y) < delta && skipped <= skip_limit; ++it, ++skipped)
                if (fits(*it, y)) { consider(p, pl, c, *it, y); break; }
            skipped = 0;
            for (auto it = big_d; it != busy.begin() && skipped <= skip_limit; ++skipped) {
                --it;
                if (w(*it) <= w(y)) break;
                if (fits(*it, y)) { consider(p, pl, c, *it, y); break; }
            }
        }
    }
    meter.charge(steps / 2);
}

bool local_search::reachable(const problem& p, std::uint32_t c) const {
    if (busy_sets_.size() > max_busy_sets) return true;   // too varied to tell cheaply
    for (std::uint32_t s : busy_sets_)
        if (s == 0 || p.sets[s].contains(c)) return true;
    return false;
}

void local_search::relocate(const problem& p, placement& pl, std::uint32_t item, std::uint32_t to) {
    std::vector<std::uint32_t>& from_list = on_[pl.at[item]];
    from_list.erase(std::lower_bound(from_list.begin(), from_list.end(), item, std::greater<>()));
    std::vector<std::uint32_t>& to_list = on_[to];
    to_list.insert(std::lower_bound(to_list.begin(), to_list.end(), item, std::greater<>()), item);
    pl.unplace(p, item);
    pl.place(p, item, to);
}

void local_search::start_pair(const problem& p, const placement& pl, std::uint32_t c) {
    // The pair's items: those that may go to either CPU and cost no move to shift (no current CPU,
    // or already away from it), plus the lightest few that sit on their current CPU. Everything
    // else stays put as the pair's base loads, so a re-split moves few items.
    pair_items_.clear();
    std::uint64_t base_busy = pl.load[busy_];
    std::uint64_t base_other = pl.load[c];
    auto take = [&](std::uint32_t from, std::uint32_t to, std::uint64_t& base) {
        std::size_t at_home = 0;
        for (std::uint32_t x : on_[from]) {   // lightest first
            if (!p.allowed(x, to)) continue;
            if (p.current[x] == from && at_home++ >= resplit_at_home) continue;
            pair_items_.push_back(x);
            base -= p.weight[x];
        }
    };
    take(busy_, c, base_busy);
    take(c, busy_, base_other);
    std::sort(pair_items_.begin(), pair_items_.end());   // heaviest first, as problem wants

    pair_.k = 2;
    pair_.base = {base_busy, base_other};
    pair_.weight.clear();
    for (std::uint32_t x : pair_items_) pair_.weight.push_back(p.weight[x]);
    pair_.set_of.assign(pair_items_.size(), 0);
    pair_.current.assign(pair_items_.size(), no_cpu);
    pair_.sets = {allowed_set{{3}, {0, 1}}};
    pair_.cpu_class = {0, 0};
    pair_.total = pl.load[busy_] + pl.load[c];
    pair_.lower_bound = std::max({pair_.total / 2 + pair_.total % 2, base_busy, base_other});
    if (!pair_items_.empty()) pair_.lower_bound = std::max(pair_.lower_bound, pair_.weight.front() + std::min(base_busy, base_other));
    partner_ = c;
    pair_improved_ = false;
    ckk_.start(pair_, pl.load[busy_]);
}

bool local_search::run_pair(const problem& p, placement& pl, work_meter& meter) {
    work_meter bounded = meter;
    bounded.budget_end = std::min(meter.budget_end, pair_budget_end_);
    const auto status = ckk_.run(pair_, bounded);
    meter.spent = bounded.spent;
    if (status == ckk_search::status::paused) return false;
    // The first split that lowers the busiest CPU will do: CKK's first leaf is KK's, usually close
    // to even, and searching on would cost every round the whole pair budget.
    if (status != ckk_search::status::improved) return true;
    pair_improved_ = true;
    const placement& split = ckk_.best();
    // With equal bases the split can be mirrored; take the side that moves fewer items home.
    std::uint32_t side_cpu[2] = {busy_, partner_};
    if (pair_.base[0] == pair_.base[1]) {
        long mirrored = 0;
        for (std::size_t j = 0; j < pair_items_.size(); ++j) {
            const std::uint32_t x = pair_items_[j];
            mirrored += long{is_move(p, x, side_cpu[1 - split.at[j]])} - long{is_move(p, x, side_cpu[split.at[j]])};
        }
        if (mirrored < 0) std::swap(side_cpu[0], side_cpu[1]);
    }
    for (std::size_t j = 0; j < pair_items_.size(); ++j) {
        const std::uint32_t to = side_cpu[split.at[j]];
        if (pl.at[pair_items_[j]] != to) relocate(p, pl, pair_items_[j], to);
    }
    meter.charge(pair_items_.size() / 2 + 1);
    return true;
}

bool local_search::run(const problem& p, placement& pl, work_meter& meter) {
    while (meter.slice_left()) {
        if (!meter.budget_left()) return true;
        if (in_pairs_) {
            if (pair_running_) {
                if (!run_pair(p, pl, meter)) return false;
                pair_running_ = false;
                if (pair_improved_) {
                    in_pairs_ = false;
                    continue;
                }
            }
            if (next_partner_ == partners_.size()) return true;
            const std::uint32_t c = partners_[next_partner_++];
            start_pair(p, pl, c);
            pair_budget_end_ = meter.spent + 256 * pair_items_.size() + 16384;
            meter.charge(on_[busy_].size() / 4 + on_[c].size() / 4 + 1);
            pair_running_ = !pair_items_.empty();
            continue;
        }
        if (!in_round_) {
            busy_ = static_cast<std::uint32_t>(std::max_element(pl.load.begin(), pl.load.end()) - pl.load.begin());
            meter.charge(p.k / 8 + 1);
            if (pl.load[busy_] <= p.lower_bound) return true;
            in_round_ = true;
            next_cpu_ = 0;
            // The allowed sets present on the busy CPU decide which CPUs can take anything from it.
            busy_sets_.clear();
            for (std::uint32_t x : on_[busy_])
                if (std::find(busy_sets_.begin(), busy_sets_.end(), p.set_of[x]) == busy_sets_.end()) {
                    busy_sets_.push_back(p.set_of[x]);
                    if (busy_sets_.size() > max_busy_sets) break;
                }
            meter.charge(on_[busy_].size() / 8);
            best_ = choice{};
            continue;
        }
        if (next_cpu_ < p.k) {
            const std::uint32_t c = next_cpu_++;
            meter.charge(1);
            if (c != busy_ && pl.load[c] < pl.load[busy_] && reachable(p, c)) evaluate(p, pl, c, meter);
            continue;
        }
        in_round_ = false;
        if (!best_.valid || best_.new_max >= pl.load[busy_]) {
            // Stuck for single moves and swaps: try re-splitting with lighter CPUs, lightest first.
            if (!resplit_) return true;
            partners_.clear();
            for (std::uint32_t c = 0; c < p.k; ++c)
                if (pl.load[c] + 1 < pl.load[busy_]) partners_.push_back(c);
            std::stable_sort(partners_.begin(), partners_.end(),
                             [&](std::uint32_t x, std::uint32_t y) { return pl.load[x] < pl.load[y]; });
            meter.charge(p.k / 4 + 1);
            in_pairs_ = true;
            next_partner_ = 0;
            continue;
        }
        const std::uint32_t busy = busy_;
        meter.charge((on_[busy].size() + on_[best_.cpu].size()) / 8 + 1);
        relocate(p, pl, best_.from_busy, best_.cpu);
        if (best_.to_busy != no_cpu) relocate(p, pl, best_.to_busy, busy);
    }
    return false;
}
}  // namespace irqd::core::detail
