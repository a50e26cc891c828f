// Fewest moves under a max load: the excess of each CPU above the limit closed with as few items as
// possible, and the lower bound that greedy choice meets per CPU.
#include "balance_fewest.hpp"

#include <algorithm>

namespace irqd::core::detail {

namespace {

// Per CPU, its items that have it as their current CPU, heaviest first (items are sorted so).
std::vector<std::vector<std::size_t>> items_by_cpu(const problem& p) {
    std::vector<std::vector<std::size_t>> on(p.k);
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p.current[i] != no_cpu) on[p.current[i]].push_back(i);
    return on;
}

// The load of each CPU with every item that has a current CPU on it.
std::vector<std::uint64_t> current_loads(const problem& p) {
    std::vector<std::uint64_t> load = p.base;
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p.current[i] != no_cpu) load[p.current[i]] += p.weight[i];
    return load;
}

}  // namespace

std::size_t moves_lower_bound(const problem& p, std::uint64_t limit) {
    const auto on = items_by_cpu(p);
    const auto load = current_loads(p);
    std::size_t bound = 0;
    for (std::size_t c = 0; c < p.k; ++c) {
        std::uint64_t over = load[c] > limit ? load[c] - limit : 0;
        for (std::size_t n = 0; over > 0 && n < on[c].size(); ++n, ++bound)
            over -= std::min(over, p.weight[on[c][n]]);
    }
    return bound;
}

// Items that left go back to their current CPU where it has room under `limit` now, lightest first.
void return_home(const problem& p, placement& pl, std::uint64_t limit, work_meter& meter) {
    for (std::size_t i = p.size(); i-- > 0;) {
        const std::uint32_t cur = p.current[i];
        if (cur == no_cpu || pl.at[i] == cur || pl.load[cur] + p.weight[i] > limit) continue;
        pl.unplace(p, i);
        pl.place(p, i, cur);
    }
    meter.charge(p.size());
}

std::optional<placement> fewest_moves(const problem& p, std::uint64_t limit, work_meter& meter) {
    placement pl;
    pl.reset(p);
    const auto on = items_by_cpu(p);
    for (std::size_t c = 0; c < p.k; ++c)
        for (auto i : on[c]) pl.place(p, i, static_cast<std::uint32_t>(c));
    // The CPU item i may go to with the most room under the limit, other than `from`.
    auto roomiest = [&](std::size_t i, std::uint32_t from) -> std::optional<std::uint32_t> {
        std::optional<std::uint32_t> best;
        auto consider = [&](std::uint32_t c) {
            if (c != from && (!best || pl.load[c] < pl.load[*best])) best = c;
        };
        if (p.set_of[i] == 0) {
            for (std::uint32_t c = 0; c < p.k; ++c) consider(c);
        } else {
            for (auto c : p.sets[p.set_of[i]].members) consider(c);
        }
        meter.charge(p.k / 4 + 1);
        if (best && pl.load[*best] + p.weight[i] > limit) best.reset();
        return best;
    };
    // Items without a current CPU go anywhere at no cost: largest first, where there is most room.
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (pl.at[i] != no_cpu) continue;
        auto to = roomiest(i, no_cpu);
        if (!to) return std::nullopt;
        pl.place(p, i, *to);
    }
    // Each CPU above the limit, the worst first, sheds as few items as close its excess: the largest
    // that fits somewhere while none closes it alone, then the smallest that does, each to the CPU
    // with the most room for it.
    std::vector<std::uint32_t> over_cpus;
    for (std::uint32_t c = 0; c < p.k; ++c)
        if (pl.load[c] > limit) over_cpus.push_back(c);
    std::sort(over_cpus.begin(), over_cpus.end(), [&](auto a, auto b) { return pl.load[a] > pl.load[b]; });
    for (auto c : over_cpus) {
        std::vector<std::size_t> here = on[c];   // heaviest first
        while (pl.load[c] > limit) {
            const std::uint64_t over = pl.load[c] - limit;
            std::optional<std::size_t> pick;
            std::optional<std::uint32_t> pick_to;
            for (auto i : here) {
                if (pl.at[i] != c) continue;
                if (pick && p.weight[i] < over && p.weight[*pick] >= over) break;   // lighter ones cannot close it
                auto to = roomiest(i, c);
                if (!to) continue;
                if (!pick || p.weight[i] >= over || p.weight[*pick] < over) {
                    pick = i;
                    pick_to = to;
                    if (p.weight[i] < over) break;                                   // the largest that fits
                }
            }
            if (!pick) return std::nullopt;
            pl.unplace(p, *pick);
            pl.place(p, *pick, *pick_to);
        }
    }
    return_home(p, pl, limit, meter);
    return pl;
}

std::optional<placement> fewest_moves_packed(const problem& p, std::uint64_t limit, work_meter& meter) {
    const auto on = items_by_cpu(p);
    const auto load = current_loads(p);
    // The items that leave: per CPU above the limit its largest that cover the excess (the lower
    // bound's choice), then, round by round, a few of the smallest left on those CPUs, which give the
    // packing finer pieces. The items that leave are placed by the balancer itself, free of cost.
    std::vector<bool> leaves(p.size(), false);
    std::vector<std::size_t> spare;                        // smallest first, on CPUs above the limit
    std::size_t leaving = 0;
    for (std::size_t c = 0; c < p.k; ++c) {
        std::uint64_t over = load[c] > limit ? load[c] - limit : 0;
        if (over == 0) continue;
        std::size_t n = 0;
        for (; over > 0 && n < on[c].size(); ++n, ++leaving) {
            leaves[on[c][n]] = true;
            over -= std::min(over, p.weight[on[c][n]]);
        }
        for (std::size_t m = on[c].size(); m-- > n;) spare.push_back(on[c][m]);
    }
    std::stable_sort(spare.begin(), spare.end(), [&](auto a, auto b) { return p.weight[a] < p.weight[b]; });
    for (std::size_t i = 0; i < p.size(); ++i) leaves[i] = leaves[i] || p.current[i] == no_cpu;
    const std::size_t step = std::max<std::size_t>(1, leaving / 20);
    std::size_t next_spare = 0;
    for (int round = 0; round < 6; ++round) {
        balance_input sub;
        for (std::uint32_t c = 0; c < p.k; ++c) sub.cpus.push_back(c);
        sub.fixed_load = p.base;
        std::vector<std::size_t> items;
        for (std::size_t i = 0; i < p.size(); ++i) {
            if (!leaves[i]) {
                sub.fixed_load[p.current[i]] += p.weight[i];
                continue;
            }
            items.push_back(i);
            cpu_set allowed;
            if (p.set_of[i] != 0)
                for (auto c : p.sets[p.set_of[i]].members) allowed.add(c);
            sub.items.push_back({std::string(), p.weight[i], allowed, std::nullopt});
        }
        sub.work_budget = 200'000;
        auto packed = balance(std::move(sub));
        meter.charge(packed.work * steps_per_unit);
        if (packed.metric.max_load <= limit) {
            placement pl;
            pl.reset(p);
            for (std::size_t i = 0; i < p.size(); ++i)
                if (!leaves[i]) pl.place(p, i, p.current[i]);
            for (std::size_t n = 0; n < items.size(); ++n) pl.place(p, items[n], packed.cpu_of[n]);
            return_home(p, pl, limit, meter);
            return pl;
        }
        if (next_spare == spare.size()) break;
        for (std::size_t n = 0; n < step && next_spare < spare.size(); ++n) leaves[spare[next_spare++]] = true;
    }
    return std::nullopt;
}

}  // namespace irqd::core::detail
