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
    // May item i join CPU c without crowding its group, with these per-group counts?
    auto room_in = [&](const std::vector<std::size_t>& counts, std::size_t i, std::size_t c) {
        return gi[i] == nowhere || counts[gi[i] * k + c] < report.groups[gi[i]].cap;
    };
    auto room = [&](std::size_t i, std::size_t c) { return room_in(count, i, c); };
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
    // The plan's own max load times 1 + tolerance: not the move limit (best max load times 1 +
    // tolerance) alone, which a plan whose every IRQ moves anyway (all on wide masks) never sets. The
    // move limit is at most that, but for its rounding.
    const std::uint64_t limit = std::max(
        plan.move_limit, static_cast<std::uint64_t>(static_cast<double>(plan.metric.max_load) * (1 + in.tolerance)));
    auto repair_all = [&] {
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
    };
    auto crowded = [&] {
        std::size_t out = 0;
        for (std::size_t g = 0; g < groups.size(); ++g)
            for (std::size_t c = 0; c < k; ++c)
                if (count[g * k + c] > report.groups[g].cap) {
                    ++out;
                    break;
                }
        return out;
    };
    repair_all();

    // Single moves and swaps get stuck when every group's cap is tight at once (many NICs of as many
    // queues as CPUs). Then a placement built with the caps from the start, largest first onto the
    // least loaded CPU with room (the current CPU on ties), is taken instead when it crowds fewer
    // groups and stays within the limit; the repair then goes over it once more.
    if (const std::size_t before = crowded(); before > 0) {
        std::vector<std::uint64_t> base = load;
        std::vector<std::size_t> free_count = count;
        std::vector<std::size_t> order;
        for (std::size_t i = 0; i < n; ++i)
            if (movable(i)) {
                order.push_back(i);
                base[at[i]] -= in.items[i].load;
                if (gi[i] != nowhere) --free_count[gi[i] * k + at[i]];
            }
        std::stable_sort(order.begin(), order.end(),
                         [&](std::size_t a, std::size_t b) { return in.items[a].load > in.items[b].load; });
        std::vector<std::size_t> target(n, nowhere);
        for (auto i : order) {
            std::size_t pick = nowhere;
            bool pick_room = false;
            for (std::size_t c = 0; c < k; ++c) {
                if (!allowed(i, c)) continue;
                const bool has_room = room_in(free_count, i, c);
                if (pick != nowhere) {
                    if (pick_room && !has_room) continue;
                    if (pick_room == has_room && (base[c] > base[pick] || (base[c] == base[pick] && !is_move(i, pick))))
                        continue;
                }
                pick = c;
                pick_room = has_room;
            }
            if (pick == nowhere) pick = at[i];
            target[i] = pick;
            base[pick] += in.items[i].load;
            if (gi[i] != nowhere) ++free_count[gi[i] * k + pick];
        }
        // Taken on trial: the state as it is now comes back unless the trial crowds fewer groups
        // within the limit.
        const auto kept_load = load;
        const auto kept_count = count;
        const auto kept_at = at;
        const auto kept_on = on;
        const auto kept_moves = plan.moves;
        const auto kept_cpu_of = plan.cpu_of;
        for (auto i : order)
            if (target[i] != at[i]) relocate(i, target[i]);
        // Then the busiest CPU trades items while that lowers it: two of one group (its counts stay),
        // or of two groups each with room on the other's CPU, or one item alone to a CPU with room.
        for (std::uint64_t budget = 20'000'000; budget > 0;) {
            const auto c = static_cast<std::size_t>(std::max_element(load.begin(), load.end()) - load.begin());
            std::uint64_t best_peak = load[c];
            std::size_t best_a = nowhere, best_y = nowhere, best_b = nowhere;
            for (auto a : on[c]) {
                const std::uint64_t wa = in.items[a].load;
                for (std::size_t y = 0; y < k && budget > 0; ++y) {
                    if (y == c || !allowed(a, y)) continue;
                    const bool a_fits = room(a, y);
                    if (a_fits && std::max(load[c] - wa, load[y] + wa) < best_peak) {
                        best_peak = std::max(load[c] - wa, load[y] + wa);
                        best_a = a, best_y = y, best_b = nowhere;
                    }
                    for (auto b : on[y]) {
                        --budget;
                        const std::uint64_t wb = in.items[b].load;
                        if (wb >= wa || !allowed(b, c)) continue;
                        if (gi[a] != gi[b] && !(a_fits && room(b, c))) continue;
                        const std::uint64_t p = std::max(load[c] - wa + wb, load[y] - wb + wa);
                        if (p < best_peak) {
                            best_peak = p;
                            best_a = a, best_y = y, best_b = b;
                        }
                    }
                }
            }
            if (best_a == nowhere) break;
            if (best_b != nowhere) relocate(best_b, c);
            relocate(best_a, best_y);
        }
        if (crowded() < before && *std::max_element(load.begin(), load.end()) <= limit) {
            repair_all();
        } else {
            load = kept_load;
            count = kept_count;
            at = kept_at;
            on = kept_on;
            plan.moves = kept_moves;
            plan.cpu_of = kept_cpu_of;
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
