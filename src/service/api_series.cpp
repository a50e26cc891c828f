// GET /api/v1/series (CPU or IRQ rates as time series from the history tiers, core::make_series) and
// GET /api/v1/events (applied plans, reverts, affinity changes: the charts' annotations).
#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api_call.hpp"
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

// The query's selection; false after answering 400.
bool parse_selection(api_call& c, core::series_query& q) {
    if (const auto* v = c.t.param("what")) {
        if (*v == "cpus") q.what = core::series_kind::cpus;
        else if (*v == "irqs") q.what = core::series_kind::irqs;
        else return c.fail(400, "bad_what", "what must be cpus or irqs, got '" + *v + "'"), false;
    }
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

}  // namespace

void get_series(api_call& c) {
    if (c.reject_unknown({"what", "window", "from", "to", "step", "cpus", "irqs", "name", "top"})) return;
    auto w = asked_window(c);
    if (!w) return;
    core::series_query q;
    q.from = w->first;
    q.to = w->second;
    if (!parse_selection(c, q)) return;
    if (q.what == core::series_kind::cpus && (c.t.param("irqs") || c.t.param("name") || c.t.param("top")))
        return c.fail(400, "bad_what", "irqs, name and top select IRQ series: ask what=irqs");
    auto s = core::make_series(c.ctx.samples.history(), q, c.ctx.samples.latest());
    if (!s) return c.fail(s.kind() == core::error_kind::unprocessable ? 422 : 400,
                          s.kind() == core::error_kind::unprocessable ? "too_many_points" : "bad_window", s.error_message());
    json::array times;
    times.reserve(s->times.size());
    for (auto t : s->times) times.push_back(unix_seconds(t));
    json::array series;
    series.reserve(s->lines.size());
    for (const auto& line : s->lines) {
        if (q.what == core::series_kind::cpus)
            series.push_back(json::object{{"cpu", line.cpu}, {"rates", rates_json(line.rates)}});
        else
            series.push_back(json::object{{"irq", line.irq}, {"name", line.name}, {"rates", rates_json(line.rates)}});
    }
    json::object o{{"what", q.what == core::series_kind::cpus ? "cpus" : "irqs"},
                   {"from", core::format_rfc3339(s->from)},
                   {"to", core::format_rfc3339(s->to)},
                   {"step_s", static_cast<double>(s->step.count())},
                   {"resolution_s", static_cast<double>(s->resolution.count())}};
    if (!s->note.empty()) o["note"] = s->note;
    o["times"] = std::move(times);
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
