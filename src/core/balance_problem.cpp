// Reduces a balance_input to the balancer's working model: CPU indices, base loads for everything
// that cannot move, distinct allowed sets, and the lower bound no placement can beat.
#include "balance_problem.hpp"

#include <algorithm>
#include <map>
#include <numeric>

namespace irqd::core::detail {
namespace {

std::uint64_t ceil_div(std::uint64_t a, std::uint64_t b) { return a / b + (a % b != 0); }

// Sums of loads, sets and base loads that the lower bound needs, gathered per distinct set.
void compute_lower_bound(problem& p) {
    if (p.k == 0) return;
    std::uint64_t lb = ceil_div(p.total, p.k);
    lb = std::max(lb, *std::max_element(p.base.begin(), p.base.end()));

    // Every item lands on some CPU of its set, on top of that CPU's base.
    std::vector<std::uint64_t> min_base(p.sets.size(), std::numeric_limits<std::uint64_t>::max());
    std::vector<std::uint64_t> set_load(p.sets.size(), 0);
    for (std::size_t s = 0; s < p.sets.size(); ++s)
        for (std::uint32_t c : p.sets[s].members) min_base[s] = std::min(min_base[s], p.base[c]);
    for (std::size_t i = 0; i < p.size(); ++i) {
        lb = std::max(lb, p.weight[i] + min_base[p.set_of[i]]);
        set_load[p.set_of[i]] += p.weight[i];
    }

    // The items restricted to subsets of a set S must fit on S (a NUMA node, say). Quadratic in
    // the number of distinct sets, so only while there are few.
    constexpr std::size_t max_sets_for_bound = 256;
    if (p.sets.size() > max_sets_for_bound) {
        p.lower_bound = lb;
        return;
    }
    for (std::size_t s = 1; s < p.sets.size(); ++s) {
        const allowed_set& big = p.sets[s];
        std::uint64_t sum = 0;
        for (std::uint32_t c : big.members) sum += p.base[c];
        for (std::size_t t = 1; t < p.sets.size(); ++t) {
            const allowed_set& small = p.sets[t];
            bool subset = true;
            for (std::size_t w = 0; w < small.bits.size() && subset; ++w) subset = (small.bits[w] & ~big.bits[w]) == 0;
            if (subset) sum += set_load[t];
        }
        lb = std::max(lb, ceil_div(sum, big.members.size()));
    }
    p.lower_bound = lb;
}

}  // namespace

void make_problem(const balance_input& in, problem& p, fixed_part& fixed) {
    p = problem{};
    fixed = fixed_part{};
    p.k = in.cpus.size();
    p.base.assign(p.k, 0);
    for (std::size_t c = 0; c < p.k && c < in.fixed_load.size(); ++c) p.base[c] = in.fixed_load[c];

    std::vector<std::uint32_t> index_of;   // CPU number -> index
    for (std::size_t c = 0; c < p.k; ++c) {
        if (in.cpus[c] >= index_of.size()) index_of.resize(in.cpus[c] + std::size_t{1}, no_cpu);
        index_of[in.cpus[c]] = static_cast<std::uint32_t>(c);
    }
    auto index = [&](unsigned cpu) { return cpu < index_of.size() ? index_of[cpu] : no_cpu; };

    const std::size_t words = (p.k + 63) / 64;
    allowed_set every;
    every.bits.assign(words, 0);
    for (std::uint32_t c = 0; c < p.k; ++c) {
        every.bits[c / 64] |= std::uint64_t{1} << (c % 64);
        every.members.push_back(c);
    }
    p.sets.push_back(every);
    std::map<std::vector<std::uint64_t>, std::uint32_t> set_ids{{every.bits, 0}};

    // An allowed set resolved against the input: no CPU, one CPU, or an index into p.sets.
    // IRQs of one device share their set, so the last few are remembered.
    struct resolved {
        cpu_set allowed;
        std::size_t count = 0;
        std::uint32_t set = 0;       // when count > 1
        std::uint32_t only = no_cpu; // when count == 1
    };
    std::vector<resolved> recent;
    recent.reserve(8);
    constexpr std::size_t recent_limit = 8;
    std::size_t recent_next = 0;
    auto resolve = [&](const cpu_set& allowed) -> const resolved& {
        for (const resolved& r : recent)
            if (r.allowed == allowed) return r;
        resolved r{allowed};
        allowed_set mine;
        mine.bits.assign(words, 0);
        for (unsigned cpu : allowed.cpus()) {
            const std::uint32_t c = index(cpu);
            if (c == no_cpu) continue;
            mine.bits[c / 64] |= std::uint64_t{1} << (c % 64);
            mine.members.push_back(c);
        }
        std::sort(mine.members.begin(), mine.members.end());
        r.count = mine.members.size();
        if (r.count == 1) r.only = mine.members.front();
        if (r.count > 1) {
            auto [it, inserted] = set_ids.try_emplace(mine.bits, static_cast<std::uint32_t>(p.sets.size()));
            if (inserted) p.sets.push_back(std::move(mine));
            r.set = it->second;
        }
        if (recent.size() < recent_limit) {
            recent.push_back(std::move(r));
            return recent.back();
        }
        resolved& slot = recent[recent_next++ % recent_limit];
        slot = std::move(r);
        return slot;
    };

    // max_moves binds only when fewer moves are allowed than there are items that could move.
    std::size_t with_current = 0;
    for (const balance_item& item : in.items) with_current += item.current.has_value();
    const bool capped = in.max_moves && *in.max_moves < with_current;

    struct movable {
        std::uint64_t weight;
        std::uint32_t set;
        std::uint32_t current;
        std::size_t input;
    };
    std::vector<movable> items;
    items.reserve(in.items.size());
    fixed.cpu_of.assign(in.items.size(), in.cpus.empty() ? 0u : in.cpus.front());
    for (std::size_t i = 0; i < in.items.size(); ++i) {
        const balance_item& item = in.items[i];
        const std::uint32_t cur = item.current ? index(*item.current) : no_cpu;

        resolved any{{}, p.k, 0, p.k == 1 ? 0 : no_cpu};
        const resolved& r = item.allowed.empty() ? any : resolve(item.allowed);

        // Nowhere to go: it stays where it is and the writer leaves it alone.
        if (r.count == 0) {
            fixed.unplaceable.push_back(i);
            if (item.current) fixed.cpu_of[i] = *item.current;
            if (cur != no_cpu) p.base[cur] += item.load;
            continue;
        }

        const bool may_stay = cur != no_cpu && (r.count == 1 ? cur == r.only : p.sets[r.set].contains(cur));
        if (item.current && !may_stay) {
            if (capped && fixed.moves >= *in.max_moves) {
                fixed.held.push_back(i);
                fixed.cpu_of[i] = *item.current;
                if (cur != no_cpu) p.base[cur] += item.load;
                continue;
            }
            ++fixed.moves;   // it leaves its CPU wherever it goes, so the search places it freely
        }

        if (r.count == 1) {
            fixed.cpu_of[i] = in.cpus[r.only];
            p.base[r.only] += item.load;
            continue;
        }
        items.push_back({item.load, r.set, may_stay ? cur : no_cpu, i});
    }

    std::stable_sort(items.begin(), items.end(),
                     [](const movable& a, const movable& b) { return a.weight > b.weight; });
    for (const movable& m : items) {
        p.weight.push_back(m.weight);
        p.set_of.push_back(m.set);
        p.current.push_back(m.current);
        p.input_index.push_back(m.input);
        p.all_any = p.all_any && m.set == 0;
        p.any_current = p.any_current || m.current != no_cpu;
    }
    if (capped) p.move_cap = *in.max_moves - fixed.moves;

    // CPUs are interchangeable when every restricted set either has both or neither.
    std::vector<std::vector<std::uint32_t>> signature(p.k);
    for (std::uint32_t s = 1; s < p.sets.size(); ++s)
        for (std::uint32_t c : p.sets[s].members) signature[c].push_back(s);
    std::map<std::vector<std::uint32_t>, std::uint32_t> classes;
    p.cpu_class.resize(p.k);
    for (std::size_t c = 0; c < p.k; ++c)
        p.cpu_class[c] = classes.try_emplace(signature[c], static_cast<std::uint32_t>(classes.size())).first->second;

    p.total = std::accumulate(p.base.begin(), p.base.end(), std::uint64_t{0}) +
              std::accumulate(p.weight.begin(), p.weight.end(), std::uint64_t{0});
    p.equal_base = std::adjacent_find(p.base.begin(), p.base.end(), std::not_equal_to<>()) == p.base.end();
    compute_lower_bound(p);
}

void placement::reset(const problem& p) {
    at.assign(p.size(), no_cpu);
    load = p.base;
    moves = 0;
}

void placement::place(const problem& p, std::size_t item, std::uint32_t cpu) {
    at[item] = cpu;
    load[cpu] += p.weight[item];
    moves += is_move(p, item, cpu);
}

void placement::unplace(const problem& p, std::size_t item) {
    const std::uint32_t cpu = at[item];
    load[cpu] -= p.weight[item];
    moves -= is_move(p, item, cpu);
    at[item] = no_cpu;
}

std::uint64_t placement::max_load() const { return load.empty() ? 0 : *std::max_element(load.begin(), load.end()); }

bool placement::complete() const { return std::find(at.begin(), at.end(), no_cpu) == at.end(); }

}  // namespace irqd::core::detail
