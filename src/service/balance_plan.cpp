// Balancing, the pure part: the balancer's input from measured rates, the plan made into moves with
// hysteresis and forced moves off CPUs outside the plan, and the answer's JSON.
#include "irqd/service/balance_plan.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "irqd/core/balancer_json.hpp"
#include "irqd/core/irq_queue.hpp"
#include "irqd/core/irq_selection.hpp"
#include "irqd/core/time_parse.hpp"

namespace irqd::service {
namespace json = boost::json;

namespace {

// Adds `load` to the entries of `loads` (parallel to `cpus`) of the CPUs in `set`, split evenly as
// the kernel's round robin over an affinity set does. False when no CPU of `set` is in `cpus`.
bool spread(std::uint64_t load, const core::cpu_set& set, const std::unordered_map<unsigned, std::size_t>& index,
            std::vector<std::uint64_t>& loads) {
    std::vector<std::size_t> at;
    for (auto c : set.cpus())
        if (auto it = index.find(c); it != index.end()) at.push_back(it->second);
    if (at.empty()) return false;
    const std::uint64_t share = load / at.size();
    std::uint64_t rest = load % at.size();
    for (auto i : at) loads[i] += share + (rest ? (--rest, 1) : 0);
    return true;
}

// The placement that makes only the moves no plan can do without.
struct evacuation {
    std::vector<std::uint64_t> loads;             // per CPU of the plan
    std::uint64_t outside = 0;
    std::vector<balance_move> moves;              // in the order of prepared_balance::irqs
};

// The IRQs with load on CPUs outside the plan (unless the plan leaves them there) go, largest first,
// to the least loaded CPU they may use; every other IRQ stays as it is now. One the plan leaves
// (held by max_moves, or unplaceable) has a single current CPU outside the plan, so none of its load
// is in `before` either: prepare_balance gives no other IRQ an allowed set without a CPU of the plan.
evacuation evacuate(const prepared_balance& p, const std::vector<bool>& stays) {
    const auto& cpus = p.input.cpus;
    evacuation e{p.unmoved, 0, {}};
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < p.irqs.size(); ++i) {
        e.outside += p.irqs[i].outside;
        if (p.irqs[i].must_move && !stays[i]) order.push_back(i);
    }
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p.irqs[a].load > p.irqs[b].load; });
    std::vector<std::optional<unsigned>> to(p.irqs.size());
    for (auto i : order) {
        const auto& allowed = p.input.items[i].allowed;
        std::optional<std::size_t> best;
        for (std::size_t c = 0; c < cpus.size(); ++c)
            if ((allowed.empty() || allowed.contains(cpus[c])) && (!best || e.loads[c] < e.loads[*best])) best = c;
        if (!best) continue;                          // nowhere to go: it stays outside
        e.loads[*best] += p.irqs[i].load;
        e.outside -= p.irqs[i].outside;
        to[i] = cpus[*best];
    }
    for (std::size_t i = 0; i < p.irqs.size(); ++i)
        if (to[i]) e.moves.push_back({p.irqs[i].irq, p.irqs[i].name, p.irqs[i].load, p.irqs[i].from, *to[i]});
    return e;
}

json::value set_or_null(const std::optional<core::cpu_set>& s) {
    if (!s) return nullptr;
    return json::value(s->to_list());
}

}  // namespace

std::string_view policy_name(balance_policy p) { return p == balance_policy::spread ? "spread" : "balance"; }

namespace {

// A device's queue IRQ: the device's key (its PCI address, else its interface), its sysfs view (null
// when unknown) and the queue as its name tells. Not for misc vectors or IRQs of no device.
struct device_queue {
    std::string key;
    const irq_device* device = nullptr;
    core::irq_queue q;
};

std::optional<device_queue> device_queue_of(const balance_facts& f, const core::irq_row& row) {
    if (!row.number) return std::nullopt;
    device_queue dq;
    dq.q = core::parse_irq_queue(row.name);
    if (!dq.q.index || dq.q.direction == "misc") return std::nullopt;
    dq.device = f.devices ? f.devices->of_row(row) : nullptr;
    dq.key = dq.device ? dq.device->pci : !dq.q.pci.empty() ? dq.q.pci : dq.q.netdev;
    if (dq.key.empty()) return std::nullopt;
    return dq;
}

// Policy spread: the CPU of each selected device's queue IRQs, one per CPU in queue order, the
// device's node's CPUs first, wrapping when there are more queues than CPUs.
std::unordered_map<unsigned, unsigned> spread_queues(const balance_facts& f, const balance_options& o,
                                                     const core::cpu_set& targets) {
    struct queue {
        unsigned index, irq;
    };
    std::map<std::string, std::pair<int, std::vector<queue>>> by_device;   // key -> node, queues
    for (const auto& row : f.latest->rows) {
        const auto dq = device_queue_of(f, row);
        if (!dq) continue;
        const auto& [key, d, q] = *dq;
        bool selected = o.devices.empty() && o.netdevs.empty();
        for (const auto& pci : o.devices) selected = selected || pci == key;
        for (const auto& n : o.netdevs)
            selected = selected || n == q.netdev || (d && std::find(d->netdevs.begin(), d->netdevs.end(), n) != d->netdevs.end());
        if (!selected) continue;
        auto& entry = by_device[key];
        entry.first = d ? d->node : -1;
        entry.second.push_back({*q.index, *row.number});
    }
    std::unordered_map<unsigned, unsigned> cpu_of;
    for (auto& [key, entry] : by_device) {
        auto& [node, queues] = entry;
        std::sort(queues.begin(), queues.end(), [](const queue& a, const queue& b) {
            return a.index != b.index ? a.index < b.index : a.irq < b.irq;
        });
        core::cpu_set local;
        for (const auto& [n, cpus] : f.topology->nodes)
            if (n == node) local = cpus & targets;
        std::vector<unsigned> order = local.cpus();
        for (auto c : (targets - local).cpus()) order.push_back(c);
        for (std::size_t i = 0; i < queues.size(); ++i) cpu_of[queues[i].irq] = order[i % order.size()];
    }
    return cpu_of;
}

// Option distinct: the devices whose queues crowd a CPU now (more on one CPU than the report's cap);
// an IRQ spread over several CPUs is on none in particular.
std::size_t crowded_now(const prepared_balance& p, const core::distinct_report& r) {
    std::map<std::pair<std::uint32_t, unsigned>, std::size_t> on;   // (group, cpu) -> queues there
    for (std::size_t i = 0; i < p.irqs.size() && i < p.group_of.size(); ++i)
        if (p.group_of[i] != core::no_group && p.irqs[i].from && p.irqs[i].from->size() == 1)
            ++on[{p.group_of[i], *p.irqs[i].from->first()}];
    std::size_t crowded = 0;
    for (const auto& g : r.groups) {
        auto it = on.lower_bound({g.group, 0});
        bool over = false;
        for (; it != on.end() && it->first.first == g.group; ++it) over = over || it->second > g.cap;
        crowded += over;
    }
    return crowded;
}

// An IRQ the numa rule keeps on its node's `cpus`: counted under its node, with its interface and device.
void note_node_local(const balance_facts& f, const core::irq_row& row, int node, const core::cpu_set& cpus,
                     std::vector<prepared_balance::node_local>& out) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& n) { return n.node == node; });
    if (it == out.end()) {
        it = out.insert(std::upper_bound(out.begin(), out.end(), node, [](int n, const auto& e) { return n < e.node; }),
                        prepared_balance::node_local{node, cpus, 0, {}, {}});
    }
    ++it->irqs;
    auto add = [](std::vector<std::string>& names, const std::string& name) {
        if (name.empty()) return;
        auto at = std::lower_bound(names.begin(), names.end(), name);
        if (at == names.end() || *at != name) names.insert(at, name);
    };
    const irq_device* d = f.devices ? f.devices->of_row(row) : nullptr;
    if (d) {
        add(it->devices, d->pci);
        for (const auto& n : d->netdevs) add(it->netdevs, n);
    }
    if (!d || d->netdevs.empty()) add(it->netdevs, core::parse_irq_queue(row.name).netdev);
}

// Option distinct: the device group of each IRQ the balancer places (parallel to p.irqs).
void group_queues(const balance_facts& f, prepared_balance& p) {
    std::unordered_map<unsigned, const core::irq_row*> row_of;
    for (const auto& row : f.latest->rows)
        if (row.number) row_of.emplace(*row.number, &row);
    std::map<std::string, std::uint32_t> group;
    p.group_of.assign(p.irqs.size(), core::no_group);
    for (std::size_t i = 0; i < p.irqs.size(); ++i) {
        auto it = row_of.find(p.irqs[i].irq);
        const auto dq = it == row_of.end() ? std::nullopt : device_queue_of(f, *it->second);
        if (!dq) continue;
        auto [g, added] = group.emplace(dq->key, static_cast<std::uint32_t>(p.group_names.size()));
        if (added) p.group_names.push_back(dq->key);
        p.group_of[i] = g->second;
    }
}

}  // namespace

std::string_view numa_name(numa_mode m) {
    return m == numa_mode::prefer ? "prefer" : m == numa_mode::require ? "require" : "ignore";
}

balance_options default_balance_options(const balance_settings& s) {
    balance_options o;
    o.window = s.window;
    o.min_improvement = s.min_improvement;
    o.tolerance = s.tolerance;
    o.cpus = s.cpus;
    o.numa = s.numa == "require" ? numa_mode::require : s.numa == "ignore" ? numa_mode::ignore : numa_mode::prefer;
    o.max_moves = s.max_moves;
    o.policy = s.policy == "spread" ? balance_policy::spread : balance_policy::balance;
    o.distinct = s.distinct;
    return o;
}

std::optional<core::cpu_set> placement_of(const irq_kernel_info* info) {
    if (!info) return std::nullopt;
    auto now = info->effective && !info->effective->empty() ? info->effective : info->affinity;
    if (now && now->empty()) now.reset();
    return now;
}

core::result<prepared_balance> prepare_balance(const balance_facts& f, const balance_options& o, const balance_settings& s) {
    const auto& topo = *f.topology;
    const core::cpu_set online = online_cpus(topo, f.latest->cpus);
    core::cpu_set targets;
    prepared_balance p;
    if (o.cpus) {
        targets = *o.cpus & online;
        if (!(targets == *o.cpus))
            p.notes.push_back("CPUs " + (*o.cpus - online).to_list() + " are not online and were left out");
    } else {
        targets = online - topo.isolated - topo.nohz_full - s.banned_cpus;
    }
    targets = targets - o.banned_cpus;
    if (targets.empty())
        return core::error{"no CPU left to balance over (online " + online.to_list() + ", isolated " +
                           topo.isolated.to_list() + ", nohz_full " + topo.nohz_full.to_list() + ", banned " +
                           (s.banned_cpus | o.banned_cpus).to_list() + ")",
                           core::error_kind::unprocessable};
    const auto* rates = f.rates;
    if (!rates || !rates->shape || rates->frames == 0) return core::error{"no samples in the window yet; try again in a few seconds", core::error_kind::unavailable};

    auto& in = p.input;
    in.cpus = targets.cpus();
    in.max_moves = o.max_moves;
    in.tolerance = o.tolerance;
    std::unordered_map<unsigned, std::size_t> index;
    for (std::size_t i = 0; i < in.cpus.size(); ++i) index.emplace(in.cpus[i], i);
    in.fixed_load.assign(in.cpus.size(), 0);
    p.before.assign(in.cpus.size(), 0);
    p.unmoved.assign(in.cpus.size(), 0);

    std::unordered_map<std::string_view, std::size_t> row_of;
    for (std::size_t r = 0; r < f.latest->rows.size(); ++r) row_of.emplace(f.latest->rows[r].id, r);
    std::vector<std::string> banned = s.banned_irqs;
    banned.insert(banned.end(), o.banned_irqs.begin(), o.banned_irqs.end());
    auto is_banned = [&](const std::string& id, const std::string& name) {
        for (const auto& pat : banned) {
            if (core::parse_irq_number(pat)) {
                if (pat == id) return true;
            } else if (core::name_or_id_matches(pat, id, name)) {
                return true;
            }
        }
        return false;
    };

    const auto spread_cpu = o.policy == balance_policy::spread ? spread_queues(f, o, targets)
                                                               : std::unordered_map<unsigned, unsigned>{};
    const auto& shape = *rates->shape;
    const auto ncpu = shape.cpus.size();
    std::size_t no_node_cpu = 0;
    for (std::size_t r = 0; r < shape.row_ids.size(); ++r) {
        const auto& id = shape.row_ids[r];
        std::uint64_t load = 0;
        for (std::size_t c = 0; c < ncpu; ++c) load += rates->counts[r * ncpu + c];
        auto measured = [&](std::vector<std::uint64_t>& loads) {
            std::uint64_t added = 0;
            for (std::size_t c = 0; c < ncpu; ++c)
                if (auto it = index.find(shape.cpus[c]); it != index.end()) {
                    loads[it->second] += rates->counts[r * ncpu + c];
                    added += rates->counts[r * ncpu + c];
                }
            return added;
        };
        auto row = row_of.find(id);
        std::string name = row != row_of.end() ? f.latest->rows[row->second].name : std::string();
        auto number = core::parse_irq_number(id);
        const irq_kernel_info* info = number && f.irq_info ? f.irq_info(*number) : nullptr;
        std::optional<core::cpu_set> now = placement_of(info);
        // Where its load lands now, as fixed load (it cannot move) or as the current placement: on its
        // one effective CPU, or as measured when it is spread over several (how the kernel shares it
        // out is not ours to guess) or its affinity is unknown; on none of the plan's CPUs when it
        // has none of them (what was measured there is from before it went). Returns what it added:
        // the rest lands outside the plan.
        const bool outside_only = now && (*now & targets).empty();
        auto count_now = [&](std::vector<std::uint64_t>& loads) -> std::uint64_t {
            if (outside_only) return 0;
            if (now && now->size() == 1 && spread(load, *now, index, loads)) return load;
            return measured(loads);
        };
        bool movable = number && load > 0 && row != row_of.end() && (!f.writable || f.writable(*number)) &&
                       !is_banned(id, name) && now;
        // An IRQ spread over several CPUs has no single current CPU; with a move cap it stays as it is,
        // so pinning it cannot exceed the cap unnoticed.
        if (movable && now->size() > 1 && o.max_moves) movable = false;
        core::cpu_set allowed;
        if (auto it = movable ? spread_cpu.find(*number) : spread_cpu.end(); it != spread_cpu.end()) {
            allowed = core::cpu_set::of({it->second});
        } else if (movable && o.numa != numa_mode::ignore && info->node >= 0) {
            core::cpu_set node_cpus;
            for (const auto& [n, cpus] : topo.nodes)
                if (n == info->node) node_cpus = cpus;
            allowed = node_cpus & targets;
            if (allowed.empty() && o.numa == numa_mode::require) {
                movable = false;
                ++no_node_cpu;
            } else if (!allowed.empty() && !(allowed == targets)) {
                note_node_local(f, f.latest->rows[row->second], info->node, allowed, p.numa_local);
            }
        }
        if (!movable) {
            count_now(in.fixed_load);
            ++p.fixed_irqs;
            continue;
        }
        core::balance_item item{id, load, allowed, std::nullopt};
        if (now->size() == 1) item.current = *now->first();
        in.items.push_back(std::move(item));
        // Load now on a CPU outside the plan (banned, isolated, ...) is load the plan must move in.
        const std::uint64_t outside = load - count_now(p.before);
        if (outside == 0) count_now(p.unmoved);
        const bool wider = now->size() == 1 && info->affinity && info->affinity->size() > 1;
        p.irqs.push_back({*number, name, load, now, outside, outside > 0, wider});
    }
    for (std::size_t i = 0; i < in.cpus.size(); ++i) {
        p.before[i] += in.fixed_load[i];
        p.unmoved[i] += in.fixed_load[i];
    }
    if (o.distinct && o.policy == balance_policy::balance) group_queues(f, p);
    if (no_node_cpu)
        p.notes.push_back(std::to_string(no_node_cpu) + " IRQs stay where they are: numa is 'require' and their node has no CPU to balance over");
    if (!rates->complete)
        p.notes.push_back("history covers only " +
                          core::format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(rates->to - rates->from)) +
                          " of the " + core::format_duration(o.window) + " asked; the plan uses what is there");
    return p;
}

balance_outcome finish_balance(const prepared_balance& p, const core::balance_plan& optimised, const balance_options& o) {
    balance_outcome b;
    core::balance_plan repaired;
    if (o.distinct && !p.group_of.empty()) {
        repaired = optimised;
        b.distinct = core::keep_distinct(p.input, p.group_of, repaired);
    }
    const core::balance_plan& plan = b.distinct ? repaired : optimised;
    if (b.distinct) b.crowded_now = crowded_now(p, *b.distinct);
    b.proven_optimal = plan.proven_optimal;
    b.work = plan.work;
    b.moves_lower_bound = plan.moves_lower_bound;
    b.best_max_load = plan.best_max_load;
    const auto& cpus = p.input.cpus;
    const std::uint64_t lower_bound = plan.metric.lower_bound;
    std::vector<bool> stays(p.irqs.size(), false);
    for (auto i : plan.unplaceable) stays[i] = true;
    for (auto i : plan.held) stays[i] = true;

    // Before: every IRQ where it is, its load outside the plan's CPUs included, so that before and
    // after add up to the same total. After: the plan, with what it leaves outside (held by max_moves).
    std::uint64_t outside_before = 0, outside_after = 0;
    for (std::size_t i = 0; i < p.irqs.size(); ++i) {
        outside_before += p.irqs[i].outside;
        if (stays[i]) outside_after += p.irqs[i].outside;
    }
    b.before = core::measure(cpus, p.before, lower_bound, outside_before);
    std::vector<std::uint64_t> planned;
    for (const auto& c : plan.metric.cpus) planned.push_back(c.load);
    b.after = core::measure(cpus, planned, lower_bound, outside_after);

    std::size_t forced = 0;
    for (std::size_t i = 0; i < p.irqs.size(); ++i) {
        const auto& irq = p.irqs[i];
        const unsigned to = plan.cpu_of[i];
        // One spread over several CPUs is free to place for the balancer, but pinning it is a write:
        // every plan makes it, so it counts in the lower bound as in the moves.
        b.moves_lower_bound += !stays[i] && irq.from && irq.from->size() > 1;
        if (stays[i] || (irq.from && irq.from->size() == 1 && irq.from->contains(to))) {
            b.pins += !stays[i] && irq.wider_affinity;
            continue;
        }
        b.moves.push_back({irq.irq, irq.name, irq.load, irq.from, to});
        forced += irq.must_move;
    }
    b.forced_moves = forced;

    // IRQs on CPUs outside the plan move whatever it costs; the other moves must earn their keep
    // against the placement that makes the forced moves alone.
    evacuation evac;
    if (forced) {
        evac = evacuate(p, stays);
        b.forced = core::measure(cpus, evac.loads, lower_bound, evac.outside);
    }
    const core::balance_metric& base = b.forced ? *b.forced : b.before;
    if (base.max_load > 0)
        b.improvement = (static_cast<double>(base.max_load) - static_cast<double>(b.after.max_load)) /
                        static_cast<double>(base.max_load);
    // Spreading queues was asked for, so min_improvement does not hold back a spread, nor a distinct
    // plan that leaves fewer devices crowded than they are now (once they are apart, it judges as usual).
    const bool distinct_gain = b.distinct && b.crowded_now > b.crowded_after();
    if (o.policy != balance_policy::spread && !distinct_gain && b.moves.size() > forced &&
        (b.improvement <= 0 || b.improvement < o.min_improvement)) {
        b.below_threshold = true;
        b.held_back = b.moves.size() - forced;
        b.moves = std::move(evac.moves);
        b.forced_moves = b.moves.size();
        b.after = base;
    }
    return b;
}

// {"kept":bool,"devices":N,"not_kept":[{"device","queues","cpus","per_cpu_max","per_cpu_target"}],
//  "crowded_now":N,"changed":N}:
// the devices whose queues share CPUs beyond ceil(queues / CPUs): irqd found no placement within the
// plan's tolerance that spreads them (a heuristic search, not a proof).
static json::object distinct_json(const prepared_balance& p, const core::distinct_report& r, std::size_t crowded) {
    json::array not_kept;
    for (const auto& g : r.groups) {
        if (g.kept) continue;
        not_kept.push_back(json::object{{"device", g.group < p.group_names.size() ? p.group_names[g.group] : std::string()},
                                        {"queues", g.items},
                                        {"cpus", g.cpus},
                                        {"per_cpu_max", g.most_per_cpu},
                                        {"per_cpu_target", g.cap}});
    }
    return json::object{{"kept", r.all_kept()}, {"devices", r.groups.size()}, {"not_kept", std::move(not_kept)},
                        {"crowded_now", crowded}, {"changed", r.changed}};
}

json::object outcome_json(const prepared_balance& p, const balance_outcome& b) {
    json::array moves;
    moves.reserve(b.moves.size());
    for (const auto& m : b.moves)
        moves.push_back(json::object{{"irq", std::to_string(m.irq)}, {"name", m.name}, {"load", m.load},
                                     {"from", set_or_null(m.from)}, {"to", m.to}});
    json::array loads;
    for (std::size_t i = 0; i < p.input.cpus.size(); ++i)
        loads.push_back(json::object{{"cpu", p.input.cpus[i]},
                                     {"before", b.before.cpus[i].load},
                                     {"after", b.after.cpus[i].load},
                                     {"share_before", b.before.cpus[i].share},
                                     {"share_after", b.after.cpus[i].share}});
    json::array notes;
    for (const auto& n : p.notes) notes.push_back(json::value(n));
    if (b.distinct && !b.distinct->all_kept()) {
        std::string names;
        std::size_t crowded = 0;
        for (const auto& g : b.distinct->groups) {
            if (g.kept) continue;
            if (crowded++ < 5) names += (names.empty() ? "" : ", ") + (g.group < p.group_names.size() ? p.group_names[g.group] : "?");
        }
        if (crowded > 5) names += ", ...";
        notes.push_back(json::value(std::to_string(crowded) + " of " + std::to_string(b.distinct->groups.size()) +
                                    " devices keep queues on a shared CPU (" + names + "): irqd found no placement "
                                    "within the tolerance that spreads them further (see \"distinct\")"));
    }
    core::cpu_set cpus;
    for (auto c : p.input.cpus) cpus.add(c);
    json::object metric{{"before", json::value_from(b.before)}, {"after", json::value_from(b.after)}};
    if (b.forced) metric["forced"] = json::value_from(*b.forced);
    json::object out{{"cpus", cpus.to_list()},
                        {"moves", std::move(moves)},
                        {"move_count", b.moves.size()},
                        {"moves_lower_bound", b.moves_lower_bound},
                        {"pins", b.pins},
                        {"best_max_load", b.best_max_load},
                        {"cpu_loads", std::move(loads)},
                        {"metric", std::move(metric)},
                        {"forced_moves", b.forced_moves},
                        {"improvement", b.improvement},
                        {"below_threshold", b.below_threshold},
                        {"held_back", b.held_back},
                        {"proven_optimal", b.proven_optimal},
                        {"work", b.work},
                        {"irqs_balanced", p.irqs.size()},
                        {"irqs_fixed", p.fixed_irqs},
                        {"notes", std::move(notes)}};
    if (b.distinct) out["distinct"] = distinct_json(p, *b.distinct, b.crowded_now);
    json::array numa_local;
    for (const auto& n : p.numa_local)
        numa_local.push_back(json::object{{"node", n.node},
                                          {"cpus", n.cpus.to_list()},
                                          {"irqs", n.irqs},
                                          {"netdevs", json::value_from(n.netdevs)},
                                          {"devices", json::value_from(n.devices)}});
    out["numa_local"] = std::move(numa_local);
    return out;
}

plan_drift compare_readings(const plan_reading& then, const plan_reading& now) {
    plan_drift d;
    auto a = then.placement.begin(), b = now.placement.begin();
    while (a != then.placement.end() || b != now.placement.end()) {
        if (b == now.placement.end() || (a != then.placement.end() && a->first < b->first)) {
            d.gone.push_back((a++)->first);
        } else if (a == then.placement.end() || b->first < a->first) {
            d.added.push_back((b++)->first);
        } else {
            if (a->second != b->second) d.affinities.push_back({a->first, a->second, b->second});
            ++a, ++b;
        }
    }
    d.cpus_offline = then.online - now.online;
    d.cpus_online = now.online - then.online;
    return d;
}

json::object drift_json(const plan_drift& d, std::size_t limit) {
    json::array moved, gone, added;
    for (std::size_t i = 0; i < d.affinities.size() && i < limit; ++i)
        moved.push_back(json::object{{"irq", std::to_string(d.affinities[i].irq)},
                                     {"was", set_or_null(d.affinities[i].was)},
                                     {"now", set_or_null(d.affinities[i].now)}});
    auto numbers = [limit](const std::vector<unsigned>& from, json::array& to) {
        for (std::size_t i = 0; i < from.size() && i < limit; ++i) to.push_back(json::value(std::to_string(from[i])));
    };
    numbers(d.gone, gone);
    numbers(d.added, added);
    return json::object{{"affinities", std::move(moved)},      {"affinities_count", d.affinities.size()},
                        {"irqs_gone", std::move(gone)},        {"irqs_gone_count", d.gone.size()},
                        {"irqs_new", std::move(added)},        {"irqs_new_count", d.added.size()},
                        {"cpus_offline", d.cpus_offline.to_list()}, {"cpus_online", d.cpus_online.to_list()}};
}

std::string drift_text(const plan_drift& d) {
    auto some = [](const std::vector<unsigned>& irqs) {
        std::string s;
        for (std::size_t i = 0; i < irqs.size() && i < 5; ++i) s += (i ? ", " : "") + std::to_string(irqs[i]);
        return s + (irqs.size() > 5 ? ", ..." : "");
    };
    std::vector<std::string> parts;
    if (!d.affinities.empty()) {
        std::vector<unsigned> irqs;
        for (const auto& m : d.affinities) irqs.push_back(m.irq);
        parts.push_back(std::to_string(irqs.size()) + " IRQs' affinities changed (" + some(irqs) + ")");
    }
    if (!d.gone.empty()) parts.push_back(std::to_string(d.gone.size()) + " IRQs are gone (" + some(d.gone) + ")");
    if (!d.added.empty()) parts.push_back(std::to_string(d.added.size()) + " IRQs are new (" + some(d.added) + ")");
    if (!d.cpus_offline.empty()) parts.push_back("CPUs " + d.cpus_offline.to_list() + " went offline");
    if (!d.cpus_online.empty()) parts.push_back("CPUs " + d.cpus_online.to_list() + " came online");
    std::string s;
    for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? ", " : "") + parts[i];
    return s;
}

}  // namespace irqd::service
