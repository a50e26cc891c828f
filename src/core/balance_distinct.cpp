// Distinct CPUs for a device's queues, as a repair of a finished plan: the balancer's searches stay
// as they are (and as fast), and the repair only takes steps that keep the max load within the plan's
// move limit, so "distinct" never costs balance beyond the tolerance.
#include "irqd/core/balance_distinct.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace irqd::core {

namespace {

constexpr std::size_t nowhere = static_cast<std::size_t>(-1);

// One way to take an item off a crowded CPU: to `to` alone, or swapped with `other` (nowhere: none).
struct repair {
    std::size_t item = nowhere, to = nowhere, other = nowhere;
    long added_moves = 0;
    std::uint64_t peak = 0;               // the higher of the two CPUs' loads afterwards
    bool better_than(const repair& r) const {
        if (r.item == nowhere) return true;
        return added_moves != r.added_moves ? added_moves < r.added_moves : peak < r.peak;
    }
};

}  // namespace

distinct_report keep_distinct(const balance_input& in, const std::vector<std::uint32_t>& group_of, balance_plan& plan) {
    distinct_report report;
    const std::size_t n = in.items.size(), k = in.cpus.size();
    if (group_of.size() != n || plan.cpu_of.size() != n || plan.metric.cpus.size() != k || k == 0) return report;

    std::unordered_map<unsigned, std::size_t> index;
    for (std::size_t c = 0; c < k; ++c) index.emplace(in.cpus[c], c);
    std::vector<std::uint64_t> load(k);
    for (std::size_t c = 0; c < k; ++c) load[c] = plan.metric.cpus[c].load;
    std::vector<std::size_t> at(n, nowhere);
    std::vector<bool> fixed(n, false);
    for (std::size_t i = 0; i < n; ++i)
        if (auto it = index.find(plan.cpu_of[i]); it != index.end()) at[i] = it->second;
    for (auto i : plan.unplaceable) fixed[i] = true;
    for (auto i : plan.held) fixed[i] = true;
    auto movable = [&](std::size_t i) { return !fixed[i] && at[i] != nowhere; };
    auto allowed = [&](std::size_t i, std::size_t c) {
        return in.items[i].allowed.empty() || in.items[i].allowed.contains(in.cpus[c]);
    };
    auto is_move = [&](std::size_t i, std::size_t c) {
        return in.items[i].current && *in.items[i].current != in.cpus[c] ? 1L : 0L;
    };

    // Groups of two or more items, densely numbered: gi[i] is the item's (nowhere: none).
    std::map<std::uint32_t, std::vector<std::size_t>> members;
    for (std::size_t i = 0; i < n; ++i)
        if (group_of[i] != no_group) members[group_of[i]].push_back(i);
    std::vector<std::size_t> gi(n, nowhere);
    std::vector<std::vector<std::size_t>> groups;
    for (auto& [g, items] : members) {
        if (items.size() < 2) continue;
        distinct_group d;
        d.group = g;
        d.items = items.size();
        for (std::size_t c = 0; c < k; ++c)
            d.cpus += std::any_of(items.begin(), items.end(), [&](std::size_t i) { return allowed(i, c); });
        d.cap = (d.items + std::max<std::size_t>(d.cpus, 1) - 1) / std::max<std::size_t>(d.cpus, 1);
        for (auto i : items) gi[i] = groups.size();
        report.groups.push_back(d);
        groups.push_back(items);
    }
    std::vector<std::vector<std::size_t>> on(k);   // movable items per CPU, for the swap search
    for (std::size_t i = 0; i < n; ++i)
        if (movable(i)) on[at[i]].push_back(i);
    std::vector<std::size_t> count(groups.size() * k, 0);
    for (std::size_t i = 0; i < n; ++i)
        if (gi[i] != nowhere && at[i] != nowhere) ++count[gi[i] * k + at[i]];
    auto room = [&](std::size_t i, std::size_t c) {   // may item i join CPU c without crowding its group?
        return gi[i] == nowhere || count[gi[i] * k + c] < report.groups[gi[i]].cap;
    };
    auto relocate = [&](std::size_t i, std::size_t to) {
        const std::size_t from = at[i];
        load[from] -= in.items[i].load;
        load[to] += in.items[i].load;
        if (gi[i] != nowhere) {
            --count[gi[i] * k + from];
            ++count[gi[i] * k + to];
        }
        plan.moves = plan.moves + static_cast<std::size_t>(is_move(i, to)) - static_cast<std::size_t>(is_move(i, from));
        auto& list = on[from];
        *std::find(list.begin(), list.end(), i) = list.back();
        list.pop_back();
        on[to].push_back(i);
        at[i] = to;
        plan.cpu_of[i] = in.cpus[to];
    };

    const std::vector<unsigned> planned = plan.cpu_of;
    const std::uint64_t limit = std::max(plan.move_limit, plan.metric.max_load);
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const std::size_t cap = report.groups[g].cap;
        for (std::size_t c = 0; c < k; ++c) {
            while (count[g * k + c] > cap) {
                repair best;
                for (auto a : groups[g]) {
                    if (at[a] != c || !movable(a)) continue;
                    const std::uint64_t wa = in.items[a].load;
                    const long leave = -is_move(a, c);
                    for (std::size_t y = 0; y < k; ++y) {
                        if (y == c || !allowed(a, y) || count[g * k + y] >= cap) continue;
                        if (load[y] + wa <= limit) {
                            repair r{a, y, nowhere, leave + is_move(a, y), std::max(load[c] - wa, load[y] + wa)};
                            if (r.better_than(best)) best = r;
                        }
                        for (auto b : on[y]) {
                            if (gi[b] == g || !allowed(b, c) || !room(b, c)) continue;
                            const std::uint64_t wb = in.items[b].load;
                            const std::uint64_t new_c = load[c] - wa + wb, new_y = load[y] - wb + wa;
                            if (new_c > limit || new_y > limit) continue;
                            repair r{a, y, b, leave + is_move(a, y) - is_move(b, y) + is_move(b, c), std::max(new_c, new_y)};
                            if (r.better_than(best)) best = r;
                        }
                    }
                }
                if (best.item == nowhere) break;   // no step within the limit: the group stays crowded here
                if (best.other != nowhere) relocate(best.other, c);
                relocate(best.item, best.to);
            }
        }
    }

    for (std::size_t g = 0; g < groups.size(); ++g) {
        auto& d = report.groups[g];
        d.most_per_cpu = *std::max_element(count.begin() + static_cast<std::ptrdiff_t>(g * k),
                                           count.begin() + static_cast<std::ptrdiff_t>((g + 1) * k));
        d.kept = d.most_per_cpu <= d.cap;
    }
    for (std::size_t i = 0; i < n; ++i) report.changed += plan.cpu_of[i] != planned[i];
    plan.metric = measure(in.cpus, load, plan.metric.lower_bound, plan.metric.outside);
    return report;
}

}  // namespace irqd::core
