// The balancer: runs its stages (constructions, local search, exact search, keep-current) as a
// resumable sequence over one work meter, and keeps the best placement found as the plan.
#include "irqd/core/balancer.hpp"

#include <algorithm>
#include <limits>

#include "balance_bnb.hpp"
#include "balance_ckk.hpp"
#include "balance_fewest.hpp"
#include "balance_greedy.hpp"
#include "balance_kk.hpp"
#include "balance_local.hpp"
#include "balance_problem.hpp"

namespace irqd::core {

using namespace detail;

namespace {

enum class stage {
    lpt,       // LPT, then local search
    kk,        // multiway differencing, then local search
    exact,     // CKK for two CPUs, branch and bound for more
    keep,      // keep items on their CPU under the best max load, LPT the rest, local search
    capped,    // max_moves binds: local search from the current placement, counting moves
    fewest,    // within the tolerance of the best max load: fewest moves from the current placement
};

std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
    return b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b ? std::numeric_limits<std::uint64_t>::max()
                                                                       : a * b;
}

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
    return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

}  // namespace

balance_metric measure(const std::vector<unsigned>& cpus, const std::vector<std::uint64_t>& loads,
                       std::uint64_t lower_bound, std::uint64_t outside) {
    balance_metric m;
    m.outside = outside;
    m.total = outside;
    for (std::uint64_t l : loads) m.total += l;
    for (std::size_t i = 0; i < loads.size(); ++i) {
        const double share = m.total == 0 ? 0.0 : static_cast<double>(loads[i]) / static_cast<double>(m.total);
        m.cpus.push_back({i < cpus.size() ? cpus[i] : static_cast<unsigned>(i), loads[i], share});
    }
    if (!loads.empty()) {
        m.max_load = *std::max_element(loads.begin(), loads.end());
        m.min_load = *std::min_element(loads.begin(), loads.end());
    }
    m.spread = m.max_load - m.min_load;
    m.peak_to_mean = m.total == 0 ? 1.0
                                  : static_cast<double>(m.max_load) * static_cast<double>(loads.size()) /
                                        static_cast<double>(m.total);
    m.lower_bound = lower_bound;
    m.gap = m.max_load > lower_bound ? m.max_load - lower_bound : 0;
    m.gap_ratio = lower_bound == 0 ? 0.0 : static_cast<double>(m.gap) / static_cast<double>(lower_bound);
    return m;
}

struct balancer::state {
    balance_input in;
    problem p;
    fixed_part fixed;
    work_meter meter;

    std::vector<stage> stages;
    std::size_t next_stage = 0;
    bool entered = false;
    int phase = 0;                 // position inside the current stage
    bool done = false;

    greedy_builder greedy;
    kk_partition kk;
    local_search search;
    ckk_search ckk;
    bnb_search bnb;
    placement work;                // the candidate being built or improved
    placement anchor;              // restricted items placed before differencing

    placement best;                // after offer(): the fewest moves for its max load we found
    bool have_best = false;
    bool proven_by_search = false; // an exact search finished: best's max load is the optimum
    std::uint64_t optimum = 0;     // the best max load found, once the fewest stage has run
    bool have_optimum = false;

    explicit state(balance_input input);
    void advance();
    bool enter(stage st);
    bool run(stage st);
    void offer(placement pl);
    void relabel(placement& pl) const;
    void move_back(placement& pl) const;
    balance_plan build_plan(const placement& pl) const;
    bool settled() const { return proven_by_search || (have_best && best.max_load() <= p.lower_bound); }
};

balancer::state::state(balance_input input) : in(std::move(input)) {
    make_problem(in, p, fixed);
    meter.budget_end = saturating_mul(in.work_budget, steps_per_unit);

    // The baseline: everything that may stay stays, the rest goes LPT. It respects every
    // constraint, max_moves included, so plan() is valid before the first step.
    meter.slice_end = std::numeric_limits<std::uint64_t>::max();
    greedy.start(p, work, std::numeric_limits<std::uint64_t>::max(), greedy_builder::which::all);
    greedy.run(p, work, meter);
    offer(work);

    if (p.size() == 0) {
        done = true;
    } else if (p.move_cap) {
        stages = {stage::capped};
    } else if (p.k == 2) {
        stages = {stage::exact, stage::keep};
    } else {
        stages = {stage::lpt, stage::kk};
        if (p.size() <= bnb_search::max_items) stages.push_back(stage::exact);
        stages.push_back(stage::keep);
    }
    if (in.tolerance > 0 && p.any_current) stages.push_back(stage::fewest);
}

// The max load the plan may have: the best found, plus the tolerance.
static std::uint64_t with_tolerance(std::uint64_t best, double tolerance) {
    const double limit = static_cast<double>(best) * (1 + std::max(0.0, tolerance));
    return limit >= static_cast<double>(std::numeric_limits<std::uint64_t>::max()) ? best
                                                                                  : std::max(best, static_cast<std::uint64_t>(limit));
}

void balancer::state::advance() {
    if (next_stage == stages.size()) {
        done = true;
        return;
    }
    const stage st = stages[next_stage];
    if (!entered) {
        phase = 0;
        if (!enter(st)) {
            ++next_stage;
            return;
        }
        entered = true;
    }
    if (run(st)) {
        ++next_stage;
        entered = false;
    }
}

// Sets a stage up, or returns false to skip it.
bool balancer::state::enter(stage st) {
    if (st == stage::fewest) return true;   // cheap (a pass over the items) and worth it whatever was spent
    if (!meter.budget_left()) return false;
    switch (st) {
    case stage::lpt:
        if (settled()) return false;
        greedy.start(p, work, 0, greedy_builder::which::all);
        return true;
    case stage::kk:
        if (settled() || !kk_partition::fits(p)) return false;
        greedy.start(p, anchor, 0, greedy_builder::which::restricted_only);
        return true;
    case stage::exact:
        if (settled()) return false;
        if (p.k == 2) ckk.start(p, best.max_load());
        else bnb.start(p, best.max_load());
        return true;
    case stage::keep:
        if (!p.any_current || best.moves == 0) return false;
        greedy.start(p, work, best.max_load(), greedy_builder::which::all);
        return true;
    case stage::fewest:
        return true;
    case stage::capped:
        work = best;
        search.start(p, work, meter, false);
        phase = 1;
        return true;
    }
    return false;
}

// Runs a stage until the slice ends (false) or the stage is over (true).
bool balancer::state::run(stage st) {
    switch (st) {
    case stage::lpt:
    case stage::keep:
    case stage::capped:
        if (phase == 0) {
            if (!greedy.run(p, work, meter)) return false;
            search.start(p, work, meter, !p.move_cap);
            phase = 1;
        }
        if (!search.run(p, work, meter)) return false;
        offer(work);
        return true;
    case stage::kk:
        if (phase == 0) {
            if (!greedy.run(p, anchor, meter)) return false;
            kk.start(p, anchor);
            phase = 1;
        }
        if (phase == 1) {
            if (!kk.run(p, work, meter)) return false;
            search.start(p, work, meter, true);
            phase = 2;
        }
        if (!search.run(p, work, meter)) return false;
        offer(work);
        return true;
    case stage::fewest: {
        optimum = best.max_load();
        have_optimum = true;
        const std::uint64_t limit = with_tolerance(optimum, in.tolerance);
        placement home = best;                 // the best placement, its moves undone where there is room
        return_home(p, home, limit, meter);
        auto fewer = fewest_moves(p, limit, meter);
        if (fewer && fewer->moves < home.moves) home = std::move(*fewer);
        auto packed = fewest_moves_packed(p, limit, meter);
        if (packed && packed->moves < home.moves) home = std::move(*packed);
        if (home.moves < best.moves) best = std::move(home);
        return true;
    }
    case stage::exact:
        while (true) {
            if (p.k == 2) {
                const auto status = ckk.run(p, meter);
                if (status == ckk_search::status::paused) return false;
                if (status == ckk_search::status::improved) {
                    offer(ckk.best());
                    continue;
                }
                proven_by_search = ckk.complete();
            } else {
                const auto status = bnb.run(p, meter);
                if (status == bnb_search::status::paused) return false;
                if (status == bnb_search::status::improved) {
                    offer(bnb.best());
                    continue;
                }
                proven_by_search = bnb.complete();
            }
            return true;
        }
    }
    return true;
}

// When every item may go anywhere and the bases are equal, CPUs can trade whole contents: map each
// of the plan's CPUs to the current CPU most of its items come from.
void balancer::state::relabel(placement& pl) const {
    std::vector<std::uint64_t> pairs;   // at << 32 | current
    for (std::size_t i = 0; i < p.size(); ++i)
        if (p.current[i] != no_cpu) pairs.push_back(std::uint64_t{pl.at[i]} << 32 | p.current[i]);
    std::sort(pairs.begin(), pairs.end());
    struct run_of {
        std::size_t count;
        std::uint64_t pair;
    };
    std::vector<run_of> runs;
    for (std::size_t i = 0; i < pairs.size();) {
        std::size_t j = i;
        while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
        runs.push_back({j - i, pairs[i]});
        i = j;
    }
    std::stable_sort(runs.begin(), runs.end(), [](const run_of& a, const run_of& b) { return a.count > b.count; });

    std::vector<std::uint32_t> to(p.k, no_cpu);
    std::vector<bool> taken(p.k, false);
    for (const run_of& r : runs) {
        const auto from = static_cast<std::uint32_t>(r.pair >> 32);
        const auto cur = static_cast<std::uint32_t>(r.pair);
        if (to[from] == no_cpu && !taken[cur]) {
            to[from] = cur;
            taken[cur] = true;
        }
    }
    std::uint32_t free_cpu = 0;
    for (std::uint32_t c = 0; c < p.k; ++c) {
        if (to[c] != no_cpu) continue;
        while (taken[free_cpu]) ++free_cpu;
        to[c] = free_cpu;
        taken[free_cpu] = true;
    }

    std::size_t moves = 0;
    for (std::size_t i = 0; i < p.size(); ++i) moves += is_move(p, i, to[pl.at[i]]);
    if (moves >= pl.moves) return;
    std::vector<std::uint64_t> load(p.k);
    for (std::uint32_t c = 0; c < p.k; ++c) load[to[c]] = pl.load[c];
    for (std::uint32_t& c : pl.at) c = to[c];
    pl.load = std::move(load);
    pl.moves = moves;
}

// Items go back to their current CPU, lightest first, wherever that keeps the max load.
void balancer::state::move_back(placement& pl) const {
    const std::uint64_t max_load = pl.max_load();
    for (std::size_t i = p.size(); i-- > 0;) {
        const std::uint32_t cur = p.current[i];
        if (cur == no_cpu || pl.at[i] == cur || pl.load[cur] + p.weight[i] > max_load) continue;
        pl.unplace(p, i);
        pl.place(p, i, cur);
    }
}

// Polishes a finished candidate and keeps it if it beats the best: lower max load, then fewer moves.
void balancer::state::offer(placement pl) {
    if (p.all_any && p.equal_base && p.any_current) relabel(pl);
    move_back(pl);
    meter.charge(p.size() / 2 + p.k / 4 + 1);
    const std::uint64_t max_load = pl.max_load();
    if (have_best && (max_load > best.max_load() || (max_load == best.max_load() && pl.moves >= best.moves))) return;
    best = std::move(pl);
    have_best = true;
}

balance_plan balancer::state::build_plan(const placement& pl) const {
    balance_plan plan;
    plan.cpu_of = fixed.cpu_of;
    for (std::size_t i = 0; i < p.size(); ++i) plan.cpu_of[p.input_index[i]] = in.cpus[pl.at[i]];
    // Within the tolerance the plan may be above the best max load; proven is about the best.
    const std::uint64_t max_load = have_optimum ? optimum : pl.max_load();
    const bool proven = max_load <= p.lower_bound || (proven_by_search && max_load <= (have_optimum ? optimum : best.max_load()));
    plan.metric = measure(in.cpus, pl.load, proven ? std::max(max_load, p.lower_bound) : p.lower_bound);
    plan.moves = fixed.moves + pl.moves;
    plan.best_max_load = std::min(max_load, pl.max_load());
    plan.move_limit = with_tolerance(plan.best_max_load, have_optimum ? in.tolerance : 0);
    plan.moves_lower_bound = fixed.moves + moves_lower_bound(p, plan.move_limit);
    plan.proven_optimal = proven;
    plan.work = meter.spent / steps_per_unit;
    plan.unplaceable = fixed.unplaceable;
    plan.held = fixed.held;
    return plan;
}

balancer::balancer(balance_input input) : s_(std::make_unique<state>(std::move(input))) {}
balancer::~balancer() = default;
balancer::balancer(balancer&&) noexcept = default;
balancer& balancer::operator=(balancer&&) noexcept = default;

bool balancer::step(std::uint64_t work) {
    state& s = *s_;
    s.meter.slice_end = saturating_add(s.meter.spent, saturating_mul(work, steps_per_unit));
    while (!s.done && s.meter.slice_left()) s.advance();
    return s.done;
}

bool balancer::done() const { return s_->done; }

// Between stages `best` is the answer; while a local search runs, its placement may already be better.
balance_plan balancer::plan() const {
    const state& s = *s_;
    const bool searching = s.entered && s.next_stage < s.stages.size() && s.work.complete() &&
                           ((s.stages[s.next_stage] != stage::kk && s.phase == 1) || s.phase == 2);
    if (searching && s.work.max_load() < s.best.max_load()) return s.build_plan(s.work);
    return s.build_plan(s.best);
}

const balance_input& balancer::input() const { return s_->in; }

balance_plan balance(balance_input input) {
    balancer b(std::move(input));
    while (!b.step(std::numeric_limits<std::uint64_t>::max())) {
    }
    return b.plan();
}

}  // namespace irqd::core
