// Greedy construction: keep-current then LPT, one item per elementary step so it slices finely.
#include "balance_greedy.hpp"

#include <bit>

namespace irqd::core::detail {

bool min_load_tree::less(std::uint32_t a, std::uint32_t b) const {
    if (b == no_cpu) return a != no_cpu;
    if (a == no_cpu) return false;
    return load_[a] < load_[b] || (load_[a] == load_[b] && cpus_[a] < cpus_[b]);
}

void min_load_tree::build(const std::vector<std::uint32_t>& cpus, const std::vector<std::uint64_t>& load) {
    cpus_ = cpus;
    load_.resize(cpus.size());
    for (std::size_t s = 0; s < cpus.size(); ++s) load_[s] = load[cpus[s]];
    leaves_ = std::bit_ceil(std::max<std::size_t>(cpus.size(), 1));
    node_.assign(2 * leaves_, no_cpu);
    for (std::size_t s = 0; s < cpus.size(); ++s) node_[leaves_ + s] = static_cast<std::uint32_t>(s);
    for (std::size_t n = leaves_ - 1; n >= 1; --n)
        node_[n] = less(node_[2 * n + 1], node_[2 * n]) ? node_[2 * n + 1] : node_[2 * n];
}

void min_load_tree::update(std::size_t slot, std::uint64_t load) {
    load_[slot] = load;
    for (std::size_t n = (leaves_ + slot) / 2; n >= 1; n /= 2)
        node_[n] = less(node_[2 * n + 1], node_[2 * n]) ? node_[2 * n + 1] : node_[2 * n];
}

void greedy_builder::start(const problem& p, placement& pl, std::uint64_t keep_limit, which w) {
    pl.reset(p);
    const std::size_t tree_count = p.sets.size() <= max_trees ? p.sets.size() : 1;
    trees_.resize(tree_count);
    member_of_.assign(p.k, {});
    for (std::uint32_t t = 0; t < tree_count; ++t) {
        trees_[t].build(p.sets[t].members, pl.load);
        for (std::uint32_t slot = 0; slot < p.sets[t].members.size(); ++slot)
            member_of_[p.sets[t].members[slot]].push_back({t, slot});
    }
    keep_limit_ = keep_limit;
    which_ = w;
    keep_next_ = keep_limit == 0 ? 0 : p.size();
    lpt_next_ = 0;
}

void greedy_builder::loaded(std::uint32_t cpu, std::uint64_t load) {
    for (const membership& m : member_of_[cpu]) trees_[m.tree].update(m.slot, load);
}

std::uint32_t greedy_builder::least_loaded(const problem& p, const placement& pl, std::size_t item) const {
    if (p.set_of[item] < trees_.size()) return trees_[p.set_of[item]].argmin();
    std::uint32_t best = no_cpu;
    for (std::uint32_t c : p.sets[p.set_of[item]].members)
        if (best == no_cpu || pl.load[c] < pl.load[best]) best = c;
    return best;
}

bool greedy_builder::run(const problem& p, placement& pl, work_meter& meter) {
    // Lightest first keeps the most items in place under the limit.
    while (keep_next_ > 0) {
        if (!meter.slice_left()) return false;
        const std::size_t i = --keep_next_;
        meter.charge(1);
        const std::uint32_t cur = p.current[i];
        if (cur == no_cpu || pl.load[cur] + p.weight[i] > keep_limit_) continue;
        pl.place(p, i, cur);
        loaded(cur, pl.load[cur]);
    }
    while (lpt_next_ < p.size()) {
        if (!meter.slice_left()) return false;
        const std::size_t i = lpt_next_++;
        meter.charge(1);
        if (pl.at[i] != no_cpu || (which_ == which::restricted_only && p.set_of[i] == 0)) continue;
        const std::uint32_t c = least_loaded(p, pl, i);
        meter.charge(p.set_of[i] < trees_.size() ? member_of_[c].size() : p.sets[p.set_of[i]].members.size() / 8);
        pl.place(p, i, c);
        loaded(c, pl.load[c]);
    }
    return true;
}

}  // namespace irqd::core::detail
