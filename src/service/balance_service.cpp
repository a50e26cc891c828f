// Balancing as a service: request options, the balancer's input from measured rates, and the job that
// sums history and runs the balancer in small slices on the io_context so other requests stay fast.
#include "irqd/service/balance_service.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ostream>
#include <unordered_map>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "irqd/core/time_parse.hpp"
#include "irqd/service/json_text.hpp"
#include "irqd/service/log.hpp"

namespace irqd::service {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_banned_irqs = 4096;
constexpr std::size_t max_pattern_length = 128;
constexpr std::size_t history_moves_shown = 256;           // moves kept per history entry
constexpr std::size_t chunk_cells = 500'000;               // IRQ x CPU cells summed per slice

std::optional<unsigned> irq_number(std::string_view s) {
    if (s.empty() || s.size() > 7) return std::nullopt;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::string_view numa_name(numa_mode m) {
    return m == numa_mode::prefer ? "prefer" : m == numa_mode::require ? "require" : "ignore";
}

request_error bad(std::string code, std::string message) { return {400, std::move(code), std::move(message)}; }

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

json::object metric_json(const core::balance_metric& m) {
    return json::object{{"total", m.total},           {"max_load", m.max_load},       {"min_load", m.min_load},
                        {"spread", m.spread},         {"peak_to_mean", m.peak_to_mean}, {"lower_bound", m.lower_bound},
                        {"gap", m.gap},               {"gap_ratio", m.gap_ratio},     {"outside", m.outside}};
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

std::variant<balance_options, request_error> parse_balance_options(const json::value& body, bool apply_query,
                                                                   const balance_settings& defaults) {
    balance_options o;
    o.window = defaults.window;
    o.min_improvement = defaults.min_improvement;
    o.apply = apply_query;
    if (body.is_null()) return o;
    if (!body.is_object()) return bad("bad_json", "body must be a JSON object like {\"window\": \"5m\"}");
    static constexpr std::string_view known[] = {"window", "cpus", "banned_cpus", "banned_irqs",
                                                 "numa", "max_moves", "min_improvement", "apply"};
    for (const auto& kv : body.as_object())
        if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known))
            return bad("unknown_field", "unknown field '" + std::string(kv.key()) +
                                            "' (known: window, cpus, banned_cpus, banned_irqs, numa, max_moves, "
                                            "min_improvement, apply)");
    const auto& b = body.as_object();
    if (auto* v = b.if_contains("window")) {
        if (!v->is_string()) return bad("bad_window", "'window' must be a duration string like \"5m\"");
        auto d = core::parse_duration(std::string_view(v->as_string()));
        if (!d) return bad("bad_window", "window: " + d.error_message());
        if (d->count() <= 0 || *d > std::chrono::hours(24 * 400))
            return bad("bad_window", "window must be longer than 0s and at most 400 days");
        o.window = *d;
    }
    auto cpu_list = [&](std::string_view key) -> std::variant<core::cpu_set, request_error> {
        const auto& v = b.at(key);
        if (!v.is_string()) return bad("bad_" + std::string(key), "'" + std::string(key) + "' must be a CPU list string like \"0-3,8\"");
        auto r = core::parse_cpu_list(std::string_view(v.as_string()));
        if (!r) return bad("bad_" + std::string(key), std::string(key) + ": " + r.error_message());
        return *r;
    };
    if (b.contains("cpus")) {
        auto r = cpu_list("cpus");
        if (auto* e = std::get_if<request_error>(&r)) return *e;
        if (std::get<core::cpu_set>(r).empty()) return bad("bad_cpus", "'cpus' names no CPU");
        o.cpus = std::get<core::cpu_set>(r);
    }
    if (b.contains("banned_cpus")) {
        auto r = cpu_list("banned_cpus");
        if (auto* e = std::get_if<request_error>(&r)) return *e;
        o.banned_cpus = std::get<core::cpu_set>(r);
    }
    if (auto* v = b.if_contains("banned_irqs")) {
        if (!v->is_array()) return bad("bad_banned_irqs", "'banned_irqs' must be an array of IRQ numbers or name globs");
        if (v->as_array().size() > max_banned_irqs)
            return bad("bad_banned_irqs", "at most " + std::to_string(max_banned_irqs) + " banned_irqs");
        for (const auto& e : v->as_array()) {
            if (e.is_uint64() || (e.is_int64() && e.as_int64() >= 0)) {
                o.banned_irqs.push_back(std::to_string(e.is_uint64() ? e.as_uint64() : static_cast<std::uint64_t>(e.as_int64())));
            } else if (e.is_string() && !e.as_string().empty() && e.as_string().size() <= max_pattern_length) {
                o.banned_irqs.emplace_back(e.as_string());
            } else {
                return bad("bad_banned_irqs", "each of 'banned_irqs' must be an IRQ number or a non-empty name glob (at most " +
                                                  std::to_string(max_pattern_length) + " characters)");
            }
        }
    }
    if (auto* v = b.if_contains("numa")) {
        std::string_view m = v->is_string() ? std::string_view(v->as_string()) : std::string_view();
        if (m == "prefer") o.numa = numa_mode::prefer;
        else if (m == "require") o.numa = numa_mode::require;
        else if (m == "ignore") o.numa = numa_mode::ignore;
        else return bad("bad_numa", "'numa' must be \"prefer\", \"require\" or \"ignore\"");
    }
    if (auto* v = b.if_contains("max_moves")) {
        if (v->is_uint64()) o.max_moves = static_cast<std::size_t>(v->as_uint64());
        else if (v->is_int64() && v->as_int64() >= 0) o.max_moves = static_cast<std::size_t>(v->as_int64());
        else return bad("bad_max_moves", "'max_moves' must be a non-negative integer");
    }
    if (auto* v = b.if_contains("min_improvement")) {
        if (!v->is_number()) return bad("bad_min_improvement", "'min_improvement' must be a number from 0 to below 1");
        double d = v->to_number<double>();
        if (!(d >= 0 && d < 1)) return bad("bad_min_improvement", "'min_improvement' must be a number from 0 to below 1");
        o.min_improvement = d;
    }
    if (auto* v = b.if_contains("apply")) {
        if (!v->is_bool()) return bad("bad_apply", "'apply' must be true or false");
        o.apply = o.apply || v->as_bool();
    }
    return o;
}

core::result<prepared_balance> prepare_balance(const balance_facts& f, const balance_options& o, const balance_settings& s) {
    const auto& topo = *f.topology;
    core::cpu_set online = topo.online;
    if (online.empty())
        for (auto c : f.latest->cpus) online.add(c);
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
                           (s.banned_cpus | o.banned_cpus).to_list() + ")"};
    const auto* rates = f.rates;
    if (!rates || !rates->shape || rates->frames == 0) return core::error{"no samples in the window yet; try again in a few seconds"};

    auto& in = p.input;
    in.cpus = targets.cpus();
    in.max_moves = o.max_moves;
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
            if (irq_number(pat)) {
                if (pat == id) return true;
            } else if (fnmatch(pat.c_str(), name.c_str(), 0) == 0 || fnmatch(pat.c_str(), id.c_str(), 0) == 0) {
                return true;
            }
        }
        return false;
    };

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
        auto number = irq_number(id);
        const irq_kernel_info* info = number && f.irq_info ? f.irq_info(*number) : nullptr;
        std::optional<core::cpu_set> now;
        if (info) now = info->effective && !info->effective->empty() ? info->effective : info->affinity;
        if (now && now->empty()) now.reset();
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
        if (movable && o.numa != numa_mode::ignore && info->node >= 0) {
            core::cpu_set node_cpus;
            for (const auto& [n, cpus] : topo.nodes)
                if (n == info->node) node_cpus = cpus;
            allowed = node_cpus & targets;
            if (allowed.empty() && o.numa == numa_mode::require) {
                movable = false;
                ++no_node_cpu;
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
        p.irqs.push_back({*number, name, load, now, outside, outside > 0});
    }
    for (std::size_t i = 0; i < in.cpus.size(); ++i) {
        p.before[i] += in.fixed_load[i];
        p.unmoved[i] += in.fixed_load[i];
    }
    if (no_node_cpu)
        p.notes.push_back(std::to_string(no_node_cpu) + " IRQs stay where they are: numa is 'require' and their node has no CPU to balance over");
    if (!rates->complete)
        p.notes.push_back("history covers only " +
                          core::format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(rates->to - rates->from)) +
                          " of the " + core::format_duration(o.window) + " asked; the plan uses what is there");
    return p;
}

balance_outcome finish_balance(const prepared_balance& p, const core::balance_plan& plan, const balance_options& o) {
    balance_outcome b;
    b.proven_optimal = plan.proven_optimal;
    b.work = plan.work;
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
        if (stays[i] || (irq.from && irq.from->size() == 1 && irq.from->contains(to))) continue;
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
    if (b.moves.size() > forced && (b.improvement <= 0 || b.improvement < o.min_improvement)) {
        b.below_threshold = true;
        b.held_back = b.moves.size() - forced;
        b.moves = std::move(evac.moves);
        b.forced_moves = b.moves.size();
        b.after = base;
    }
    return b;
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
    core::cpu_set cpus;
    for (auto c : p.input.cpus) cpus.add(c);
    json::object metric{{"before", metric_json(b.before)}, {"after", metric_json(b.after)}};
    if (b.forced) metric["forced"] = metric_json(*b.forced);
    return json::object{{"cpus", cpus.to_list()},
                        {"moves", std::move(moves)},
                        {"move_count", b.moves.size()},
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
}

// ---------------------------------------------------------------------------------------------------

// One plan in progress: first the window's rates are summed a chunk per slice (a 5 min window of
// 64 x 4096 counters is 78M additions), then the balancer runs a work budget per slice.
struct balance_service::job {
    balance_options opts;
    std::string trigger;
    on_done done;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::size_t slices = 0;
    double longest_slice_ms = 0;

    core::clock_time from, to, cursor;
    core::clock_time::duration chunk{};
    // The sum so far, over a layout that is the union of the chunks' layouts.
    core::window_counts sum;
    std::vector<std::vector<std::uint64_t>> rows;          // per row of `names`, per CPU of `cpus`
    std::vector<std::string> names;
    std::vector<unsigned> cpus;
    std::unordered_map<std::string, std::size_t> row_index;
    core::layout_ptr mapped;                               // the chunk layout row_map/col_map are for
    std::vector<std::size_t> row_map, col_map;
    bool first_chunk = true;

    std::optional<prepared_balance> prepared;
    std::optional<core::balancer> balancer;
    // Applying: the answer so far and the plan being written.
    json::object body;
    bool applying = false;
    std::chrono::steady_clock::time_point apply_started;
    balance_outcome outcome;

    void add(const core::window_counts& w) {
        if (w.frames == 0 || !w.shape) return;
        if (first_chunk || sum.frames == 0) sum.from = w.from;
        sum.to = w.to;
        sum.frames += w.frames;
        sum.resolution = std::max(sum.resolution, w.resolution);
        if (w.shape != mapped) {
            mapped = w.shape;
            row_map.clear();
            col_map.clear();
            for (auto c : w.shape->cpus) {
                auto it = std::find(cpus.begin(), cpus.end(), c);
                if (it == cpus.end()) {
                    cpus.push_back(c);
                    for (auto& r : rows) r.push_back(0);
                    it = cpus.end() - 1;
                }
                col_map.push_back(static_cast<std::size_t>(it - cpus.begin()));
            }
            for (const auto& id : w.shape->row_ids) {
                auto [it, fresh] = row_index.emplace(id, names.size());
                if (fresh) {
                    names.push_back(id);
                    rows.emplace_back(cpus.size(), 0);
                }
                row_map.push_back(it->second);
            }
        }
        const auto ncpu = w.shape->cpus.size();
        for (std::size_t r = 0; r < row_map.size(); ++r) {
            auto& dst = rows[row_map[r]];
            const auto* src = &w.counts[r * ncpu];
            for (std::size_t c = 0; c < ncpu; ++c) dst[col_map[c]] += src[c];
        }
    }

    // The sum as one window_counts over CPUs in ascending order.
    void seal() {
        std::vector<std::size_t> order(cpus.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::sort(order.begin(), order.end(), [&](auto a, auto b) { return cpus[a] < cpus[b]; });
        auto shape = std::make_shared<core::layout>();
        shape->row_ids = std::move(names);
        for (auto i : order) shape->cpus.push_back(cpus[i]);
        sum.counts.clear();
        sum.counts.reserve(rows.size() * order.size());
        for (const auto& r : rows)
            for (auto i : order) sum.counts.push_back(r[i]);
        sum.shape = std::move(shape);
        rows.clear();
    }
};

balance_service::balance_service(boost::asio::io_context& io, const settings& cfg, sampler& samples, affinity_writer& writer)
    : io_(io), cfg_(cfg), samples_(samples), writer_(writer), auto_timer_(io) {}

balance_service::~balance_service() = default;

std::vector<std::string> balance_service::endpoints() {
    return {"POST /api/v1/balance[?apply=true] {\"window\":\"5m\",\"cpus\":\"LIST\",\"banned_cpus\":\"LIST\","
            "\"banned_irqs\":[N|\"GLOB\"],\"numa\":\"prefer|require|ignore\",\"max_moves\":N,\"min_improvement\":0.05,"
            "\"apply\":false}",
            "POST /api/v1/balance/revert",
            "GET /api/v1/balance/history"};
}

core::cpu_set balance_service::online() const {
    const auto& topo = samples_.topology();
    if (!topo.online.empty()) return topo.online;
    core::cpu_set s;
    for (auto c : samples_.latest().cpus) s.add(c);
    return s;
}

void balance_service::plan(const balance_options& o, std::string trigger, on_done done) {
    if (job_) {
        done(409, json::object{{"error", json::object{{"code", "busy"},
                                                      {"message", std::string("a plan is being ") +
                                                                      (job_->applying ? "applied (" : "computed (") +
                                                                      job_->trigger + "); try again in a moment"}}}});
        return;
    }
    if (o.apply && cfg_.read_only) {
        done(403, json::object{{"error", json::object{{"code", "read_only"},
                                                      {"message", "irqd runs with --read-only; plans cannot be applied"}}}});
        return;
    }
    job_ = std::make_unique<job>();
    auto& j = *job_;
    j.opts = o;
    j.trigger = std::move(trigger);
    j.done = std::move(done);
    j.to = std::chrono::system_clock::now();
    j.from = j.to - o.window;
    j.cursor = j.from;
    // Chunks of about chunk_cells x frames when the window lies in the finest tier; otherwise the
    // coarse tiers answer it in one query (a chunk could be answered by a different tier than its
    // neighbour and count an edge frame twice).
    const auto& finest = samples_.history().tiers().front();
    const auto& snap = samples_.latest();
    std::size_t cells = std::max<std::size_t>(1, snap.rows.size() * std::max<std::size_t>(1, snap.cpus.size()));
    if (o.window <= finest.retention) {
        auto frames = std::max<std::size_t>(1, chunk_cells / cells);
        j.chunk = std::chrono::duration_cast<core::clock_time::duration>(finest.resolution * static_cast<long>(frames));
    } else {
        j.chunk = j.to - j.from;
    }
    boost::asio::post(io_, [this] { slice(); });
}

void balance_service::slice() {
    if (!job_ || stopped_) return;
    auto& j = *job_;
    auto t0 = std::chrono::steady_clock::now();
    if (j.cursor < j.to) {
        auto end = std::min(j.to, j.cursor + j.chunk);
        auto last = end == j.to ? end : end - core::clock_time::duration(1);   // chunks are disjoint
        auto w = samples_.history().query(j.cursor, last);
        if (j.first_chunk) j.sum.complete = w.complete && w.frames > 0;
        j.first_chunk = false;
        j.add(w);
        j.cursor = end;
    } else if (!j.prepared) {
        j.seal();
        if (j.sum.frames == 0) j.sum.complete = false;
        balance_facts facts{&j.sum, &samples_.latest(), &samples_.topology(),
                            [this](unsigned irq) { return samples_.irq_info(irq); },
                            [this](unsigned irq) {
                                auto path = cfg_.procfs / "irq" / std::to_string(irq) / "smp_affinity_list";
                                // The simulated kernel takes writes whatever the file's mode says.
                                return cfg_.simulate.has_value() || ::access(path.c_str(), W_OK) == 0;
                            }};
        auto p = prepare_balance(facts, j.opts, cfg_.balance);
        if (!p) {
            auto done = std::move(j.done);
            job_.reset();
            done(p.error_message().starts_with("no samples") ? 503 : 422,
                 json::object{{"error", json::object{{"code", p.error_message().starts_with("no samples") ? "no_rates" : "no_cpus"},
                                                     {"message", p.error_message()}}}});
            return;
        }
        j.prepared = std::move(*p);
        auto input = j.prepared->input;
        input.work_budget = 20'000'000;
        j.balancer.emplace(std::move(input));
    } else if (j.balancer->step(cfg_.balance.slice_work)) {
        finish();
        return;
    }
    ++j.slices;
    j.longest_slice_ms = std::max(j.longest_slice_ms,
                                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    boost::asio::post(io_, [this] { slice(); });
}

void balance_service::finish() {
    std::unique_ptr<job> j = std::move(job_);
    ++runs_;
    const auto& p = *j->prepared;
    auto outcome = finish_balance(p, j->balancer->plan(), j->opts);
    auto body = outcome_json(p, outcome);
    body["window"] = window_json(j->sum, j->from, j->to);
    body["options"] = json::object{{"numa", numa_name(j->opts.numa)},
                                   {"max_moves", j->opts.max_moves ? json::value(*j->opts.max_moves) : json::value(nullptr)},
                                   {"min_improvement", j->opts.min_improvement},
                                   {"banned_cpus", (cfg_.balance.banned_cpus | j->opts.banned_cpus).to_list()}};
    body["planning"] = json::object{
        {"ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - j->started).count()},
        {"slices", j->slices},
        {"longest_slice_ms", j->longest_slice_ms}};
    body["trigger"] = j->trigger;
    body["applied"] = false;
    body["dry_run"] = !j->opts.apply;
    if (!j->opts.apply || outcome.moves.empty()) {
        if (j->opts.apply)
            log(log_level::debug, "balance_nothing_to_do",
                {{"trigger", j->trigger}, {"improvement", std::to_string(outcome.improvement)},
                 {"held_back", std::to_string(outcome.held_back)}});
        j->done(200, std::move(body));
        return;
    }
    // The plan is written in slices (requests keep being answered); the job stays, so this service
    // is busy until the writer is done.
    std::vector<affinity_change> changes;
    changes.reserve(outcome.moves.size());
    for (const auto& m : outcome.moves) changes.push_back({m.irq, core::cpu_set::of({m.to})});
    j->body = std::move(body);
    j->applying = true;
    j->apply_started = std::chrono::steady_clock::now();
    j->outcome = std::move(outcome);
    job_ = std::move(j);
    writer_.start_batch(std::move(changes), online(), [this](affinity_writer::batch_result r) { applied(std::move(r)); });
}

void balance_service::applied(affinity_writer::batch_result r) {
    if (!job_) return;                                           // stopped meanwhile
    std::unique_ptr<job> j = std::move(job_);
    auto& body = j->body;
    const auto& outcome = j->outcome;
    if (auto* f = std::get_if<batch_failure>(&r)) {
        log(log_level::warn, "balance_apply_failed",
            {{"trigger", j->trigger}, {"irq", std::to_string(f->irq)}, {"code", f->error.code},
             {"rolled_back", std::to_string(f->rolled_back.size())},
             {"rollback_failed", std::to_string(f->rollback_failed.size())}});
        auto answer = batch_failure_json(*f);
        answer["plan"] = std::move(body);
        j->done(f->error.status, std::move(answer));
        return;
    }
    const auto& outs = std::get<std::vector<affinity_outcome>>(r);
    journal_entry entry{next_id_++, {}};
    std::size_t changed = 0;
    for (const auto& o : outs) {
        changed += o.changed;
        if (o.changed && o.before) entry.previous.push_back({o.irq, *o.before});
    }
    const auto id = entry.plan_id;
    journal_.push_back(std::move(entry));
    while (journal_.size() > cfg_.balance.journal_limit) journal_.pop_front();

    json::array shown;
    for (std::size_t i = 0; i < outcome.moves.size() && i < history_moves_shown; ++i) shown.push_back(body["moves"].as_array()[i]);
    record(json::object{{"id", id},
                        {"kind", "plan"},
                        {"trigger", j->trigger},
                        {"moves", std::move(shown)},
                        {"move_count", outcome.moves.size()},
                        {"forced_moves", outcome.forced_moves},
                        {"changed", changed},
                        {"improvement", outcome.improvement},
                        {"before", metric_json(outcome.before)},
                        {"after", metric_json(outcome.after)},
                        {"window", body["window"]}});
    log(log_level::info, "balance_applied",
        {{"id", std::to_string(id)}, {"trigger", j->trigger}, {"moves", std::to_string(outcome.moves.size())},
         {"max_load_before", std::to_string(outcome.before.max_load)},
         {"max_load_after", std::to_string(outcome.after.max_load)},
         {"improvement", std::to_string(outcome.improvement)}});
    body["applied"] = true;
    body["plan_id"] = id;
    body["changed"] = changed;
    body["applying_ms"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - j->apply_started).count();
    j->done(200, std::move(body));
}

void balance_service::record(json::object entry) {
    entry["time"] = core::format_rfc3339(std::chrono::system_clock::now());
    history_.push_back(std::move(entry));
    while (history_.size() > cfg_.balance.history_limit) history_.pop_front();
}

void balance_service::revert(on_done done) {
    auto error = [&](unsigned status, std::string_view code, std::string message) {
        done(status, json::object{{"error", json::object{{"code", code}, {"message", message}}}});
    };
    if (cfg_.read_only) return error(403, "read_only", "irqd runs with --read-only; affinities cannot be changed");
    if (journal_.empty()) return error(409, "nothing_to_revert", "no applied plan to revert (see GET /api/v1/balance/history)");
    if (job_ && job_->applying)
        return error(409, "busy", "a plan is being applied (" + job_->trigger + "); revert it when that has ended");
    const auto id = journal_.back().plan_id;
    writer_.start_batch(journal_.back().previous, online(), [this, id, done = std::move(done)](affinity_writer::batch_result r) {
        if (auto* f = std::get_if<batch_failure>(&r)) {
            log(log_level::warn, "balance_revert_failed", {{"plan", std::to_string(id)}, {"code", f->error.code}});
            return done(f->error.status, batch_failure_json(*f));
        }
        const auto& outs = std::get<std::vector<affinity_outcome>>(r);
        json::array restored;
        std::size_t changed = 0;
        for (const auto& o : outs) {
            changed += o.changed;
            restored.push_back(json::object{{"irq", std::to_string(o.irq)}, {"cpus", o.requested.to_list()}, {"changed", o.changed}});
        }
        std::erase_if(journal_, [id](const journal_entry& e) { return e.plan_id == id; });
        record(json::object{{"id", next_id_++}, {"kind", "revert"}, {"trigger", "api"}, {"reverts", id}, {"changed", changed}});
        log(log_level::info, "balance_reverted", {{"plan", std::to_string(id)}, {"changed", std::to_string(changed)}});
            done(200, json::object{{"reverted", id}, {"restored", std::move(restored)}, {"changed", changed},
                               {"journal", journal_.size()}});
    });
}

json::value balance_service::history_json() const {
    json::array list;
    for (auto it = history_.rbegin(); it != history_.rend(); ++it) list.push_back(*it);
    return json::object{{"plans", std::move(list)}, {"limit", cfg_.balance.history_limit}, {"revertible", journal_.size()},
                        {"busy", busy()}};
}

extra_route balance_service::route() {
    return [this](const request& req, const target& t, responder& send) {
        const auto& s = t.segments;
        if (s.size() < 3 || s.size() > 4 || s[0] != "api" || s[1] != "v1" || s[2] != "balance") return false;
        auto fail = [&](unsigned status, std::string_view code, std::string_view message) {
            send(error_response(req, status, code, message));
        };
        auto only = [&](http::verb v) { return allow_only(req, v, send); };
        auto no_params = [&](std::initializer_list<std::string_view> allowed) {
            if (auto* k = t.unknown_param(allowed)) {
                fail(400, "unknown_parameter", "unknown query parameter '" + *k + "'");
                return false;
            }
            return true;
        };
        if (s.size() == 4 && s[3] == "history") {
            if (only(http::verb::get) && no_params({})) send(json_response(req, 200, history_json()));
            return true;
        }
        if (s.size() == 4 && s[3] == "revert") {
            if (only(http::verb::post) && no_params({}))
                revert([send, head = answer_head(req)](unsigned status, const json::value& body) {
                    send(json_response(head, status, body));
                });
            return true;
        }
        if (s.size() == 4) {
            fail(404, "not_found", "no such endpoint: " + std::string(req.target()) + " (see GET /api/v1)");
            return true;
        }
        if (!only(http::verb::post) || !no_params({"apply"})) return true;
        bool apply = false;
        if (auto* a = t.param("apply")) {
            if (*a == "true" || *a == "1") apply = true;
            else if (*a != "false" && *a != "0") return fail(400, "bad_apply", "apply must be true or false"), true;
        }
        json::value body;
        if (req.body().find_first_not_of(" \t\r\n") != std::string::npos) {
            auto parsed = parse_json_body(req.body());
            if (auto* p = std::get_if<json_body_problem>(&parsed)) return fail(400, p->code, p->message), true;
            body = std::get<json::value>(std::move(parsed));
        }
        auto o = parse_balance_options(body, apply, cfg_.balance);
        if (auto* e = std::get_if<request_error>(&o)) return fail(e->status, e->code, e->message), true;
        plan(std::get<balance_options>(o), "api", [send, head = answer_head(req)](unsigned status, json::value answer) {
            send(json_response(head, status, answer));
        });
        return true;
    };
}

void balance_service::start_auto() {
    if (cfg_.balance.interval.count() <= 0) return;
    if (cfg_.read_only) {
        log(log_level::warn, "balance_auto_off", {{"reason", "--read-only"}});
        return;
    }
    log(log_level::info, "balance_auto", {{"interval", core::format_duration(cfg_.balance.interval)}});
    schedule_auto();
}

void balance_service::schedule_auto() {
    auto_timer_.expires_after(cfg_.balance.interval);
    auto_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        if (!busy()) {
            balance_options o;
            o.window = cfg_.balance.window;
            o.min_improvement = cfg_.balance.min_improvement;
            o.apply = true;
            plan(o, "auto", [](unsigned status, const json::value& body) {
                if (status != 200)
                    log(log_level::warn, "balance_auto_failed",
                        {{"status", std::to_string(status)}, {"reason", json::serialize(body)}});
            });
        }
        schedule_auto();
    });
}

void balance_service::stop() {
    stopped_ = true;
    auto_timer_.cancel();
    job_.reset();
}

int run_oneshot(boost::asio::io_context& io, const settings& cfg, sampler& samples, balance_service& balancing,
                std::ostream& out) {
    int code = 1;
    samples.start();
    boost::asio::steady_timer wait(io);
    // Three frames (four samples) give every IRQ a rate; the window then says how little that is.
    wait.expires_after(cfg.interval * 3 + cfg.interval / 2);
    wait.async_wait([&](boost::system::error_code ec) {
        if (ec) return;
        balance_options o;
        o.window = cfg.balance.window;
        o.min_improvement = cfg.balance.min_improvement;
        o.apply = !cfg.read_only;
        balancing.plan(o, "oneshot", [&](unsigned status, const json::value& body) {
            out << to_json_text(body) << std::endl;
            code = status == 200 ? 0 : 1;
            samples.stop();
            balancing.stop();
        });
    });
    io.run();
    return code;
}

}  // namespace irqd::service
