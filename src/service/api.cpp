// The /api/v1 routes: interrupts over a window, one IRQ, CPUs, affinity writes, raw text, health.
// Every bad input is a 4xx with {"error":{"code","message"}} and changes nothing.
#include "irqd/service/api.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <numeric>
#include <unordered_map>

#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "irqd/core/time_parse.hpp"
#include "irqd/core/version.hpp"
#include "irqd/service/affinity_request.hpp"
#include "irqd/service/json_text.hpp"

namespace irqd::service {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {
constexpr auto max_window = std::chrono::hours(24 * 400);

bool plain_row_id(std::string_view s) {
    if (s.empty() || s.size() > 32) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

json::value set_json(const std::optional<core::cpu_set>& s) {
    if (!s) return nullptr;
    return json::value(s->to_list());
}

double per_second(std::uint64_t count, double seconds) { return seconds > 0 ? static_cast<double>(count) / seconds : 0.0; }

json::object outcome_json(const affinity_outcome& o) {
    json::object j;
    j["irq"] = std::to_string(o.irq);
    j["changed"] = o.changed;
    j["before"] = set_json(o.before);
    j["requested"] = o.requested.to_list();
    j["affinity"] = set_json(o.affinity);
    j["mask"] = o.affinity ? json::value(o.affinity->to_mask()) : json::value(nullptr);
    j["effective"] = set_json(o.effective);
    return j;
}

json::value batch_progress_json(const std::optional<affinity_writer::batch_progress>& p) {
    if (!p) return nullptr;
    return json::object{{"total", p->total},
                        {"read", p->read},
                        {"written", p->written},
                        {"rolling_back", p->rolling_back},
                        {"slices", p->slices}};
}

unsigned batch_status(const affinity_writer::batch_result& r) {
    if (auto* f = std::get_if<batch_failure>(&r)) return f->error.status;
    return 200;
}

json::object batch_json(const affinity_writer::batch_result& r) {
    if (auto* f = std::get_if<batch_failure>(&r)) return batch_failure_json(*f);
    const auto& outs = std::get<std::vector<affinity_outcome>>(r);
    json::array applied;
    std::size_t changed = 0;
    for (const auto& o : outs) {
        changed += o.changed;
        applied.push_back(outcome_json(o));
    }
    return json::object{{"applied", std::move(applied)}, {"changed", changed}};
}

class router {
public:
    router(request&& req, responder send, api_context& ctx) : req_(std::move(req)), send_(std::move(send)), ctx_(ctx) {}

    void run() {
        if (ctx_.access && ctx_.access->needs_token(req_) && !ctx_.access->authorized(req_))
            return send_(ctx_.access->unauthorized(req_));
        auto t = parse_target(req_.target());
        if (!t) return fail(400, "bad_target", t.error_message());
        t_ = std::move(*t);
        for (auto& route : ctx_.routes)
            if (route(req_, t_, send_)) return;
        const auto& s = t_.segments;
        if (s.empty()) return index();
        if (s[0] != "api" || s.size() < 2) return not_found();
        if (s[1] != "v1") return fail(404, "not_found", "unknown API version '" + s[1] + "' (this irqd serves /api/v1)");
        std::vector<std::string_view> rest(s.begin() + 2, s.end());
        if (rest.empty()) { if (only(http::verb::get)) index(); return; }
        if (rest[0] == "interrupts" && rest.size() == 1) { if (only(http::verb::get)) interrupts(); return; }
        if (rest[0] == "interrupts" && rest.size() == 2) { if (only(http::verb::get)) one_irq(rest[1]); return; }
        if (rest[0] == "interrupts" && rest.size() == 3 && rest[2] == "affinity")
            { if (only(http::verb::put)) put_affinity(rest[1]); return; }
        if (rest[0] == "affinity" && rest.size() == 1) { if (only(http::verb::post)) post_affinity(); return; }
        if (rest[0] == "cpus" && rest.size() == 1) { if (only(http::verb::get)) cpus(); return; }
        if (rest[0] == "raw" && rest.size() == 1) { if (only(http::verb::get)) raw(); return; }
        if (rest[0] == "health" && rest.size() == 1) { if (only(http::verb::get)) health(); return; }
        if (rest[0] == "stream" && rest.size() == 1) { if (only(http::verb::get)) stream_without_upgrade(); return; }
        not_found();
    }

private:
    void reply(unsigned status, const json::value& body) { send_(json_response(req_, status, body)); }
    void fail(unsigned status, std::string_view code, std::string_view message) {
        send_(error_response(req_, status, code, message));
    }
    void fail(const request_error& e) { fail(e.status, e.code, e.message); }
    void not_found() { fail(404, "not_found", "no such endpoint: " + std::string(req_.target()) + " (see GET /api/v1)"); }

    bool only(http::verb v) { return allow_only(req_, v, send_); }

    bool reject_unknown(std::initializer_list<std::string_view> allowed) {
        if (auto* k = t_.unknown_param(allowed)) {
            std::string names;
            for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
            fail(400, "unknown_parameter", "unknown query parameter '" + *k + "' (allowed: " + names + ")");
            return true;
        }
        return false;
    }

    std::optional<json::value> body_json() {
        boost::system::error_code ec;
        auto v = json::parse(req_.body(), ec);
        if (ec) {
            fail(400, "bad_json", "request body is not valid JSON: " + ec.message());
            return std::nullopt;
        }
        return v;
    }

    std::optional<core::window_counts> window(std::chrono::milliseconds def, core::clock_time& from, core::clock_time& to) {
        auto w = window_from_query(t_, std::chrono::system_clock::now(), def);
        if (!w) {
            fail(400, "bad_window", w.error_message());
            return std::nullopt;
        }
        from = w->first;
        to = w->second;
        return ctx_.samples.history().query(from, to);
    }

    // A plain GET of the WebSocket endpoint (a browser, curl without the upgrade headers).
    void stream_without_upgrade() {
        auto res = error_response(req_, 426, "upgrade_required",
                                  "/api/v1/stream is a WebSocket endpoint: connect with a WebSocket client");
        res.set(http::field::upgrade, "websocket");
        res.set(http::field::connection, "Upgrade");
        send_(std::move(res));
    }

    void index() {
        json::array routes{
            "GET /api/v1/interrupts?window=60s|from=..&to=..[&cpus=LIST&irqs=LIST&name=GLOB&top=N&device=PCI&netdev=IF&driver=NAME]",
            "GET /api/v1/interrupts/{irq}[?window=60s]",
            "PUT /api/v1/interrupts/{irq}/affinity {\"cpu\":N}|{\"cpus\":\"LIST\"}|{\"mask\":\"HEX\"}",
            "POST /api/v1/affinity {\"changes\":[{\"irq\":N,\"cpus\":\"LIST\"},...]}",
            "GET /api/v1/cpus?window=60s",
            "GET /api/v1/raw",
            "GET /api/v1/health",
            "GET /api/v1/stream (WebSocket) then {\"type\":\"subscribe\",\"cpus\":true,\"irqs\":[..]|\"GLOB\",\"top\":N,\"every\":N}"};
        for (auto& extra : ctx_.extra_endpoints) routes.push_back(json::value(extra));
        reply(200, json::object{{"name", "irqd"}, {"version", core::version()}, {"endpoints", std::move(routes)}});
    }

    void interrupts() {
        if (reject_unknown({"window", "from", "to", "cpus", "irqs", "name", "top", "device", "netdev", "driver"})) return;
        core::clock_time from, to;
        auto w = window(60s, from, to);
        if (!w) return;
        std::optional<core::cpu_set> cpu_filter, irq_filter;
        if (auto* v = t_.param("cpus")) {
            auto r = core::parse_cpu_list(*v);
            if (!r) return fail(400, "bad_cpus", "cpus: " + r.error_message());
            cpu_filter = *r;
        }
        if (auto* v = t_.param("irqs")) {
            auto r = core::parse_cpu_list(*v);   // IRQ numbers use the same list syntax
            if (!r) return fail(400, "bad_irqs", "irqs: " + r.error_message());
            irq_filter = *r;
        }
        std::optional<std::size_t> top;
        if (auto* v = t_.param("top")) {
            std::size_t n = 0;
            auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
            if (ec != std::errc{} || p != v->data() + v->size() || n == 0)
                return fail(400, "bad_top", "top must be a positive integer");
            top = n;
        }
        const std::string* name_glob = t_.param("name");
        const device_filter devices{t_.param("device"), t_.param("netdev"), t_.param("driver")};

        const auto& snap = ctx_.samples.latest();
        std::unordered_map<std::string_view, std::size_t> row_of;
        row_of.reserve(snap.rows.size());
        for (std::size_t i = 0; i < snap.rows.size(); ++i) row_of.emplace(snap.rows[i].id, i);

        double seconds = std::chrono::duration<double>(w->to - w->from).count();
        const auto& shape = w->shape;
        std::vector<std::size_t> cols;
        if (shape)
            for (std::size_t c = 0; c < shape->cpus.size(); ++c)
                if (!cpu_filter || cpu_filter->contains(shape->cpus[c])) cols.push_back(c);
        struct pick {
            std::size_t row;
            std::uint64_t total;
        };
        std::vector<pick> picks;
        std::vector<std::uint64_t> cpu_totals(cols.size(), 0);
        std::uint64_t grand = 0;
        if (shape) {
            const auto ncpu = shape->cpus.size();
            for (std::size_t r = 0; r < shape->row_ids.size(); ++r) {
                const auto& id = shape->row_ids[r];
                auto it = row_of.find(id);
                if (irq_filter) {
                    auto n = parse_irq_number(id);
                    if (!n || !irq_filter->contains(*n)) continue;
                }
                if (!devices.matches(ctx_.samples.devices(), it != row_of.end() ? &snap.rows[it->second] : nullptr))
                    continue;
                if (name_glob) {
                    std::string name = it != row_of.end() ? snap.rows[it->second].name : std::string();
                    if (fnmatch(name_glob->c_str(), name.c_str(), 0) != 0 && fnmatch(name_glob->c_str(), id.c_str(), 0) != 0)
                        continue;
                }
                std::uint64_t total = 0;
                for (std::size_t k = 0; k < cols.size(); ++k) {
                    auto v = w->counts[r * ncpu + cols[k]];
                    total += v;
                    cpu_totals[k] += v;
                }
                grand += total;
                picks.push_back({r, total});
            }
        }
        if (top) {
            std::stable_sort(picks.begin(), picks.end(), [](const pick& a, const pick& b) { return a.total > b.total; });
            if (picks.size() > *top) picks.resize(*top);
        }
        json::array cpu_list;
        for (auto c : cols) cpu_list.push_back(shape->cpus[c]);
        json::array irqs;
        irqs.reserve(picks.size());
        for (const auto& p : picks) {
            const auto& id = shape->row_ids[p.row];
            json::object o;
            o["irq"] = id;
            auto it = row_of.find(id);
            if (it != row_of.end()) {
                const auto& row = snap.rows[it->second];
                o["name"] = row.name;
                o["chip"] = row.chip;
                add_device_json(ctx_.samples.devices(), row, o);
                if (row.number)
                    if (auto* info = ctx_.samples.irq_info(*row.number)) {
                        o["affinity"] = set_json(info->affinity);
                        o["effective"] = set_json(info->effective);
                    }
            } else {
                o["name"] = "";
                o["gone"] = true;
            }
            json::array counts;
            counts.reserve(cols.size());
            for (auto c : cols) counts.push_back(w->counts[p.row * shape->cpus.size() + c]);
            o["counts"] = std::move(counts);
            o["total"] = p.total;
            o["rate"] = per_second(p.total, seconds);
            irqs.push_back(std::move(o));
        }
        json::array totals;
        for (std::size_t k = 0; k < cols.size(); ++k)
            totals.push_back(json::object{{"cpu", shape->cpus[cols[k]]},
                                          {"count", cpu_totals[k]},
                                          {"rate", per_second(cpu_totals[k], seconds)},
                                          {"share", grand ? static_cast<double>(cpu_totals[k]) / static_cast<double>(grand) : 0.0}});
        reply(200, json::object{{"window", window_json(*w, from, to)},
                                {"cpus", std::move(cpu_list)},
                                {"irqs", std::move(irqs)},
                                {"cpu_totals", std::move(totals)},
                                {"total", grand},
                                {"rate", per_second(grand, seconds)}});
    }

    void one_irq(std::string_view id) {
        if (!plain_row_id(id)) return fail(400, "bad_irq", "IRQ must be a number or a row name like NMI");
        if (reject_unknown({"window", "from", "to"})) return;
        const auto& snap = ctx_.samples.latest();
        auto row = snap.find_row(id);
        if (!row) return fail(404, "irq_not_found", "IRQ " + std::string(id) + " is not in /proc/interrupts");
        core::clock_time from, to;
        auto w = window(60s, from, to);
        if (!w) return;
        const auto& r = snap.rows[*row];
        json::object o;
        o["irq"] = r.id;
        o["name"] = r.name;
        o["chip"] = r.chip;
        o["hwirq"] = r.hwirq;
        o["trigger"] = r.trigger;
        o["per_cpu"] = r.per_cpu;
        add_device_json(ctx_.samples.devices(), r, o);
        json::array cpus, counts;
        for (std::size_t c = 0; c < snap.cpus.size(); ++c) {
            cpus.push_back(snap.cpus[c]);
            counts.push_back(snap.count(*row, c));
        }
        o["cpus"] = std::move(cpus);
        o["counts"] = std::move(counts);
        o["total"] = snap.row_total(*row);
        if (r.number) {
            const irq_kernel_info* info = ctx_.samples.irq_info(*r.number);
            irq_kernel_info fresh;
            if (!info) {
                fresh = read_irq_info(ctx_.config.procfs, *r.number);
                info = &fresh;
            }
            o["affinity"] = set_json(info->affinity);
            o["affinity_mask"] = info->affinity ? json::value(info->affinity->to_mask()) : json::value(nullptr);
            o["effective"] = set_json(info->effective);
            o["node"] = info->node;
        }
        double seconds = std::chrono::duration<double>(w->to - w->from).count();
        json::array wc;
        std::uint64_t wt = 0;
        if (w->shape) {
            auto wr = std::find(w->shape->row_ids.begin(), w->shape->row_ids.end(), r.id);
            for (std::size_t c = 0; c < w->shape->cpus.size(); ++c) {
                std::uint64_t v = wr == w->shape->row_ids.end()
                                      ? 0
                                      : w->counts[static_cast<std::size_t>(wr - w->shape->row_ids.begin()) * w->shape->cpus.size() + c];
                wc.push_back(json::object{{"cpu", w->shape->cpus[c]}, {"count", v}, {"rate", per_second(v, seconds)}});
                wt += v;
            }
        }
        o["window"] = window_json(*w, from, to);
        o["window_counts"] = std::move(wc);
        o["window_total"] = wt;
        o["rate"] = per_second(wt, seconds);
        reply(200, o);
    }

    void cpus() {
        if (reject_unknown({"window", "from", "to"})) return;
        core::clock_time from, to;
        auto w = window(60s, from, to);
        if (!w) return;
        const auto& topo = ctx_.samples.topology();
        const auto& snap = ctx_.samples.latest();
        double seconds = std::chrono::duration<double>(w->to - w->from).count();
        std::map<unsigned, std::uint64_t> totals;
        std::uint64_t grand = 0;
        for (auto c : snap.cpus) totals[c] = 0;
        if (w->shape) {
            // Column sums first: a map look-up per cell costs 20x the sum on 256 CPUs x 4096 IRQs.
            const auto ncpu = w->shape->cpus.size();
            std::vector<std::uint64_t> column(ncpu, 0);
            for (std::size_t r = 0; r < w->shape->row_ids.size(); ++r) {
                const auto* row = w->counts.data() + r * ncpu;
                for (std::size_t c = 0; c < ncpu; ++c) column[c] += row[c];
            }
            for (std::size_t c = 0; c < ncpu; ++c) {
                totals[w->shape->cpus[c]] += column[c];
                grand += column[c];
            }
        }
        for (auto c : topo.online.cpus()) totals.try_emplace(c, 0);
        std::map<unsigned, std::size_t> irqs_on;
        for (const auto& row : snap.rows)
            if (row.number)
                if (auto* info = ctx_.samples.irq_info(*row.number); info && info->effective)
                    for (auto c : info->effective->cpus()) ++irqs_on[c];
        json::array list;
        for (auto [cpu, count] : totals) {
            list.push_back(json::object{
                {"cpu", cpu},
                {"online", topo.online.empty() ? snap.find_cpu(cpu).has_value() : topo.online.contains(cpu)},
                {"isolated", topo.isolated.contains(cpu)},
                {"nohz_full", topo.nohz_full.contains(cpu)},
                {"node", topo.node_of(cpu)},
                {"count", count},
                {"rate", per_second(count, seconds)},
                {"share", grand ? static_cast<double>(count) / static_cast<double>(grand) : 0.0},
                {"irqs", irqs_on[cpu]}});
        }
        for (const auto& section : ctx_.cpu_sections) section(from, to, list);
        reply(200, json::object{{"window", window_json(*w, from, to)},
                                {"online", topo.online.to_list()},
                                {"isolated", topo.isolated.to_list()},
                                {"nohz_full", topo.nohz_full.to_list()},
                                {"cpus", std::move(list)},
                                {"total", grand},
                                {"rate", per_second(grand, seconds)}});
    }

    core::cpu_set online() const {
        const auto& topo = ctx_.samples.topology();
        if (!topo.online.empty()) return topo.online;
        core::cpu_set s;
        for (auto c : ctx_.samples.latest().cpus) s.add(c);
        return s;
    }

    void put_affinity(std::string_view id) {
        if (reject_unknown({})) return;
        auto irq = parse_irq_number(id);
        if (!irq) return fail(400, "bad_irq", "IRQ must be a plain decimal number, got '" + std::string(id) + "'");
        auto set = parse_affinity_body(req_.body());
        if (auto* e = std::get_if<request_error>(&set)) return fail(*e);
        auto r = ctx_.writer.set({*irq, std::get<core::cpu_set>(std::move(set))}, online());
        if (auto* e = std::get_if<affinity_error>(&r)) return fail(e->status, e->code, e->message);
        reply(200, outcome_json(std::get<affinity_outcome>(r)));
    }

    void post_affinity() {
        if (reject_unknown({})) return;
        auto parsed = parse_affinity_batch(req_.body());
        if (auto* e = std::get_if<request_error>(&parsed)) return fail(*e);
        // Written in slices: other requests are answered meanwhile, and this one when the batch ends.
        auto& changes = std::get<std::vector<affinity_change>>(parsed);
        ctx_.writer.start_batch(std::move(changes), online(),
                                [send = send_, head = answer_head(req_)](affinity_writer::batch_result r) {
                                    send(json_response(head, batch_status(r), batch_json(r)));
                                });
    }

    void raw() {
        if (reject_unknown({})) return;
        response res{http::status::ok, req_.version()};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.set(http::field::server, "irqd");
        res.keep_alive(req_.keep_alive());
        res.body() = ctx_.samples.latest_text();
        send_(std::move(res));
    }

    void health() {
        if (reject_unknown({})) return;
        const auto& st = ctx_.samples.stats();
        const auto& h = ctx_.samples.history();
        bool ok = ctx_.samples.has_sample() && st.last_error.empty();
        json::object o{
            {"status", ok ? "ok" : "degraded"},
            {"version", core::version()},
            {"uptime_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx_.started).count()},
            {"simulated", ctx_.simulated},
            {"read_only", ctx_.config.read_only},
            {"procfs", ctx_.config.procfs.string()},
            {"sysfs", ctx_.config.sysfs.string()},
            {"interval_ms", ctx_.config.interval.count()},
            {"samples", st.samples},
            {"samples_skipped", st.skipped},
            {"samples_late", st.late},
            {"parse_issues", st.parse_issues},
            {"last_sample", ctx_.samples.has_sample() ? json::value(core::format_rfc3339(ctx_.samples.latest_time()))
                                                      : json::value(nullptr)},
            {"last_sample_ms", std::chrono::duration<double, std::milli>(st.last_duration).count()},
            {"cpus", ctx_.samples.latest().cpus.size()},
            {"irqs", ctx_.samples.latest().rows.size()},
            {"history", json::object{{"tiers", core::format_tiers(h.tiers())},
                                     {"bytes", h.memory_bytes()},
                                     {"oldest", h.empty() ? json::value(nullptr) : json::value(core::format_rfc3339(h.oldest()))},
                                     {"newest", h.empty() ? json::value(nullptr) : json::value(core::format_rfc3339(h.newest()))}}},
            {"affinity_writes", ctx_.writer.writes()},
            {"affinity_failures", ctx_.writer.failures()},
            {"affinity_batch", batch_progress_json(ctx_.writer.progress())}};
        if (!st.last_error.empty()) o["last_error"] = st.last_error;
        if (ctx_.server) o["connections"] = ctx_.server->open_connections();
        for (const auto& section : ctx_.health_sections) section(o);
        if (ctx_.hub) {
            const auto& hs = ctx_.hub->stats();
            o["stream"] = json::object{{"subscribers", ctx_.hub->size()}, {"messages", hs.messages}, {"built", hs.built},
                                       {"coalesced", hs.coalesced},     {"closed_slow", hs.closed_slow},
                                       {"rejected", hs.rejected}};
        }
        reply(200, o);
    }

    request req_;
    responder send_;
    api_context& ctx_;
    target t_;
};
}  // namespace

response json_response(const request& req, unsigned status, const json::value& body) {
    response res{static_cast<http::status>(status), req.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::server, "irqd");
    res.keep_alive(req.keep_alive());
    res.body() = to_json_text(body);
    res.body() += '\n';
    return res;
}

json::object batch_failure_json(const batch_failure& f) {
    auto irqs = [](const std::vector<unsigned>& list) {
        json::array a;
        for (auto i : list) a.push_back(json::value(std::to_string(i)));
        return a;
    };
    return json::object{{"error", json::object{{"code", f.error.code},
                                               {"message", f.error.message},
                                               {"irq", std::to_string(f.irq)},
                                               {"rolled_back", irqs(f.rolled_back)},
                                               {"rollback_failed", irqs(f.rollback_failed)}}}};
}

request answer_head(const request& req) {
    request head;
    head.version(req.version());
    head.method(req.method());
    head.keep_alive(req.keep_alive());
    return head;
}

bool allow_only(const request& req, http::verb v, const responder& send) {
    if (req.method() == v || (v == http::verb::get && req.method() == http::verb::head)) return true;
    auto res = error_response(req, 405, "method_not_allowed",
                              std::string(req.method_string()) + " is not allowed here; use " +
                                  std::string(http::to_string(v)));
    res.set(http::field::allow, http::to_string(v));
    send(std::move(res));
    return false;
}

response error_response(const request& req, unsigned status, std::string_view code, std::string_view message) {
    auto res = http_server::json_error(status, code, message, req.version(), req.keep_alive());
    return res;
}

core::result<std::pair<core::clock_time, core::clock_time>> window_from_query(const target& t, core::clock_time now,
                                                                              std::chrono::milliseconds def) {
    const auto* w = t.param("window");
    const auto* f = t.param("from");
    const auto* to_s = t.param("to");
    if (w && f) return core::error{"give either window or from/to, not both"};
    std::chrono::milliseconds length = def;
    if (w) {
        auto d = core::parse_duration(*w);
        if (!d) return core::error{"window: " + d.error_message()};
        if (d->count() <= 0) return core::error{"window must be longer than 0s"};
        if (*d > max_window) return core::error{"window is longer than 400 days"};
        length = *d;
    }
    core::clock_time to = now;
    if (to_s) {
        auto p = core::parse_time(*to_s);
        if (!p) return core::error{"to: " + p.error_message()};
        to = *p;
        // Nothing is older than 1970; earlier instants (down to 1677) would overflow the
        // nanosecond arithmetic below (found by fuzz/time_window_fuzz).
        if (to < core::clock_time{}) return core::error{"to is before 1970"};
        if (to > now + 1h) return core::error{"to is in the future"};
        if (to > now) to = now;
    }
    core::clock_time from = to - length;
    if (f) {
        auto p = core::parse_time(*f);
        if (!p) return core::error{"from: " + p.error_message()};
        from = *p;
        if (from < core::clock_time{}) return core::error{"from is before 1970"};
        if (from >= to) return core::error{"from must be before to"};
        if (to - from > max_window) return core::error{"window from..to is longer than 400 days"};
    }
    return std::make_pair(from, to);
}

json::object window_json(const core::window_counts& w, core::clock_time asked_from, core::clock_time asked_to) {
    return json::object{{"from", core::format_rfc3339(w.from)},
                        {"to", core::format_rfc3339(w.to)},
                        {"seconds", std::chrono::duration<double>(w.to - w.from).count()},
                        {"resolution_s", w.resolution.count()},
                        {"complete", w.complete},
                        {"frames", w.frames},
                        {"asked_from", core::format_rfc3339(asked_from)},
                        {"asked_to", core::format_rfc3339(asked_to)}};
}

void handle_request(request&& req, responder send, api_context& ctx) {
    router(std::move(req), std::move(send), ctx).run();
}

}  // namespace irqd::service
