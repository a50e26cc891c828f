// GET /api/v1/series (CPU or IRQ interrupt rates, per-CPU softirq and softnet rates, as time series
// from the history tiers, core::make_series) and GET /api/v1/events (applied plans, reverts, affinity
// changes: the charts' annotations).
#include <algorithm>
#include <array>
#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api_call.hpp"
#include "irqd/core/cpu_counters.hpp"
#include "irqd/core/series.hpp"
#include "irqd/core/time_parse.hpp"

namespace irqd::service {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::hours default_chart_window{1};

json::array rates_json(const std::vector<std::optional<double>>& rates) {
    json::array a;
    a.reserve(rates.size());
    for (const auto& r : rates) a.push_back(r ? json::value(*r) : json::value(nullptr));
    return a;
}

double unix_seconds(core::clock_time t) { return std::chrono::duration<double>(t.time_since_epoch()).count(); }

// The window of a request (window= or from=/to=, 1 h by default); nullopt after answering 400.
std::optional<std::pair<core::clock_time, core::clock_time>> asked_window(api_call& c) {
    auto w = window_from_query(c.t, std::chrono::system_clock::now(), default_chart_window);
    if (!w) {
        c.fail(400, "bad_window", w.error_message());
        return std::nullopt;
    }
    return *w;
}

// What a series request counts: interrupts per CPU or per IRQ (the interrupt history), or per CPU one
// softirq type or the softnet counters (the CPU counter history).
constexpr std::array<std::string_view, 4> series_whats{"cpus", "irqs", "softirqs", "softnet"};
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> softnet_counters{{
    {"processed", core::cpu_series::processed},
    {"dropped", core::cpu_series::dropped},
    {"time_squeezed", core::cpu_series::time_squeezed},
}};

// The query's selection; false after answering 400.
bool parse_selection(api_call& c, std::string_view what, core::series_query& q) {
    if (what == "irqs") q.what = core::series_kind::irqs;
    if (const auto* v = c.t.param("step")) {
        auto d = core::parse_duration(*v);
        if (!d) return c.fail(400, "bad_step", "step: " + d.error_message()), false;
        if (d->count() <= 0) return c.fail(400, "bad_step", "step must be longer than 0s"), false;
        if (*d > core::max_window) return c.fail(400, "bad_step", "step is longer than " + std::string(core::max_window_text)), false;
        q.step = *d;
    }
    if (const auto* v = c.t.param("cpus")) {
        auto r = core::parse_cpu_list(*v);
        if (!r) return c.fail(400, "bad_cpus", "cpus: " + r.error_message()), false;
        q.cpus = *r;
    }
    if (const auto* v = c.t.param("irqs")) {
        auto r = core::parse_irq_list(*v);
        if (!r) return c.fail(400, "bad_irqs", "irqs: " + r.error_message()), false;
        for (auto n : *r) q.irqs.ids.insert(std::to_string(n));
    }
    if (const auto* v = c.t.param("name")) q.irqs.pattern = *v;
    if (const auto* v = c.t.param("top")) {
        std::size_t n = 0;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc{} || p != v->data() + v->size() || n == 0)
            return c.fail(400, "bad_top", "top must be a positive integer"), false;
        q.irqs.top = n;
    }
    return true;
}

// what=softirqs: the row of the asked type ("softirq.NET_RX"); "" after answering 400. A type this
// machine's /proc/softirqs lacks is refused with the ones it has; without the file every step is null.
std::string softirq_row(api_call& c, std::string& note) {
    const auto* type = c.t.param("type");
    const std::string name = type ? *type : "NET_RX";
    const bool token = !name.empty() && name.size() <= 32 &&
                       std::all_of(name.begin(), name.end(), [](char ch) { return (ch >= 'A' && ch <= 'Z') || ch == '_'; });
    if (!token) return c.fail(400, "bad_type", "type must be a softirq name as /proc/softirqs spells it (NET_RX, TIMER, ...)"), "";
    std::string row = std::string(core::cpu_series::softirq_prefix) + name, known;
    for (const auto& r : c.ctx.samples.cpu_latest().rows) {
        if (r.id == row) return row;
        if (r.id.starts_with(core::cpu_series::softirq_prefix))
            known += (known.empty() ? "" : ", ") + r.id.substr(core::cpu_series::softirq_prefix.size());
    }
    if (!known.empty()) return c.fail(400, "bad_type", "no softirq " + name + " here; /proc/softirqs has " + known), "";
    note = "no /proc/softirqs on this machine: every step is null";
    return row;
}

// The fields before the series: what, span, step, resolution, the notes (of make_series, then `note`).
json::object series_head(std::string_view what, const core::series& s, const std::string& note) {
    json::object o{{"what", what},
                   {"from", core::format_rfc3339(s.from)},
                   {"to", core::format_rfc3339(s.to)},
                   {"step_s", static_cast<double>(s.step.count())},
                   {"resolution_s", static_cast<double>(s.resolution.count())}};
    const std::string notes = s.note + (s.note.empty() || note.empty() ? "" : "; ") + note;
    if (!notes.empty()) o["note"] = notes;
    return o;
}

json::array times_json(const core::series& s) {
    json::array times;
    times.reserve(s.times.size());
    for (auto t : s.times) times.push_back(unix_seconds(t));
    return times;
}

}  // namespace

void get_series(api_call& c) {
    if (c.reject_unknown({"what", "type", "window", "from", "to", "step", "cpus", "irqs", "name", "top"})) return;
    const std::string what = c.t.param("what") ? *c.t.param("what") : "cpus";
    if (std::find(series_whats.begin(), series_whats.end(), what) == series_whats.end())
        return c.fail(400, "bad_what", "what must be cpus, irqs, softirqs or softnet, got '" + what + "'");
    auto w = asked_window(c);
    if (!w) return;
    core::series_query q;
    q.from = w->first;
    q.to = w->second;
    if (!parse_selection(c, what, q)) return;
    if (what != "irqs" && (c.t.param("irqs") || c.t.param("name") || c.t.param("top")))
        return c.fail(400, "bad_what", "irqs, name and top select IRQ series: ask what=irqs");
    if (what != "softirqs" && c.t.param("type")) return c.fail(400, "bad_what", "type selects a softirq: ask what=softirqs");
    const bool per_cpu_counters = what == "softirqs" || what == "softnet";
    const auto& source = per_cpu_counters ? c.ctx.samples.cpu_history() : c.ctx.samples.history();
    auto fail = [&c](const auto& s) {
        const bool too_big = s.kind() == core::error_kind::unprocessable;
        c.fail(too_big ? 422 : 400, too_big ? "too_many_points" : "bad_window", s.error_message());
    };
    std::string note;
    if (what == "softnet") {
        // Three counters per CPU, from three passes over the same frames: the same grid, so one `times`.
        if (!c.ctx.samples.cpu_sources().softnet) note = "no /proc/net/softnet_stat on this machine: every step is null";
        json::object o;
        json::array lines;
        json::object totals;
        for (const auto& [field, row] : softnet_counters) {
            q.row = row;
            auto s = core::make_series(source, q, c.ctx.samples.latest());
            if (!s) return fail(s);
            if (o.empty()) {
                const auto points = s->times.size(), series = s->lines.size() * softnet_counters.size();
                if (points * series > q.max_cells)
                    return c.fail(422, "too_many_points", "the answer would hold " + std::to_string(points) + " points x " + std::to_string(series) +
                                                              " series (3 per CPU), more than the limit of " + std::to_string(q.max_cells) +
                                                              " (ask a larger step, a shorter window, or fewer CPUs)");
                o = series_head(what, *s, note);
                o["times"] = times_json(*s);
                for (const auto& line : s->lines) lines.push_back(json::object{{"cpu", line.cpu}});
            }
            for (std::size_t l = 0; l < s->lines.size(); ++l) lines[l].as_object()[field] = rates_json(s->lines[l].rates);
            totals[field] = rates_json(s->total);
        }
        o["series"] = std::move(lines);
        o["total"] = std::move(totals);
        return c.reply(200, o);
    }
    if (what == "softirqs") {
        q.row = softirq_row(c, note);
        if (q.row.empty()) return;
    }
    auto s = core::make_series(source, q, c.ctx.samples.latest());
    if (!s) return fail(s);
    json::array series;
    series.reserve(s->lines.size());
    for (const auto& line : s->lines) {
        if (q.what == core::series_kind::cpus)
            series.push_back(json::object{{"cpu", line.cpu}, {"rates", rates_json(line.rates)}});
        else
            series.push_back(json::object{{"irq", line.irq}, {"name", line.name}, {"rates", rates_json(line.rates)}});
    }
    json::object o = series_head(what, *s, note);
    if (what == "softirqs") o["type"] = q.row.substr(core::cpu_series::softirq_prefix.size());
    o["times"] = times_json(*s);
    o["series"] = std::move(series);
    o["total"] = rates_json(s->total);
    c.reply(200, o);
}

void get_events(api_call& c) {
    if (c.reject_unknown({"window", "from", "to"})) return;
    auto w = asked_window(c);
    if (!w) return;
    json::array list;
    if (c.ctx.events)
        for (const auto* e : c.ctx.events->between(w->first, w->second)) list.push_back(event_json(*e));
    c.reply(200, json::object{{"events", std::move(list)}});
}

}  // namespace irqd::service
