// Per-CPU interrupt load over a window (see cpu_load.hpp), from the sampler's per-CPU counter history.
#include "irqd/service/cpu_load.hpp"

#include <algorithm>
#include <array>
#include <string>

#include <boost/beast/http/verb.hpp>

#include "irqd/core/cpu_counters.hpp"

namespace irqd::service {
namespace json = boost::json;
namespace series = core::cpu_series;

namespace {

double per_second(std::uint64_t count, double seconds) { return seconds > 0 ? static_cast<double>(count) / seconds : 0.0; }
double share(std::uint64_t part, std::uint64_t whole) {
    return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

json::object count_rate(std::uint64_t count, double seconds) {
    return json::object{{"count", count}, {"rate", per_second(count, seconds)}};
}

double window_seconds(const core::window_counts& w) { return std::chrono::duration<double>(w.to - w.from).count(); }

}  // namespace

void add_cpu_load_fields(const core::window_counts& w, std::size_t column, double overload_share, json::object& o) {
    const double seconds = window_seconds(w);
    json::array reasons;
    auto cell = [&](std::string_view s) { return core::series_count(w, s, column); };
    if (auto total = cell(series::total_time)) {
        const auto irq = cell(series::irq_time).value_or(0), soft = cell(series::softirq_time).value_or(0);
        o["irq_time_share"] = share(irq, *total);
        o["softirq_time_share"] = share(soft, *total);
        if (share(irq + soft, *total) > overload_share) reasons.push_back("interrupt_time");
    }
    if (w.shape) {
        json::object softirqs;
        const auto& ids = w.shape->row_ids;
        for (std::size_t r = 0; r < ids.size(); ++r)
            if (ids[r].starts_with(series::softirq_prefix))
                softirqs[ids[r].substr(series::softirq_prefix.size())] =
                    count_rate(w.counts[r * w.shape->cpus.size() + column], seconds);
        if (!softirqs.empty()) o["softirqs"] = std::move(softirqs);
    }
    if (auto processed = cell(series::processed)) {
        const auto dropped = cell(series::dropped).value_or(0), squeezed = cell(series::time_squeezed).value_or(0);
        o["softnet"] = json::object{{"processed", count_rate(*processed, seconds)},
                                    {"dropped", count_rate(dropped, seconds)},
                                    {"time_squeezed", count_rate(squeezed, seconds)},
                                    {"received_rps", count_rate(cell(series::received_rps).value_or(0), seconds)},
                                    {"flow_limit_count", count_rate(cell(series::flow_limit_count).value_or(0), seconds)}};
        if (dropped) reasons.push_back("drops");
        if (squeezed) reasons.push_back("time_squeezed");
    }
    o["overloaded"] = !reasons.empty();
    o["overload_reasons"] = std::move(reasons);
}

namespace {
// Adds each CPU's fields from `w` to the objects of `cpus`, matched by their "cpu" key.
void add_to_cpus(const core::window_counts& w, double overload_share, json::array& cpus) {
    for (auto& v : cpus) {
        auto& o = v.as_object();
        const auto cpu = static_cast<unsigned>(o.at("cpu").to_number<std::uint64_t>());
        std::optional<std::size_t> column;
        if (w.shape) {
            const auto& c = w.shape->cpus;
            if (auto it = std::lower_bound(c.begin(), c.end(), cpu); it != c.end() && *it == cpu)
                column = static_cast<std::size_t>(it - c.begin());
        }
        if (column) {
            add_cpu_load_fields(w, *column, overload_share, o);
        } else {
            o["overloaded"] = false;
            o["overload_reasons"] = json::array{};
        }
    }
}
}  // namespace

void add_cpu_load(const sampler& s, double overload_share, core::clock_time from, core::clock_time to, json::array& cpus) {
    add_to_cpus(s.cpu_history().query(from, to), overload_share, cpus);
}

void add_last_cpu_load(const sampler& s, double overload_share, json::array& cpus) {
    const auto* frame = s.cpu_last_frame();
    if (!frame) return;
    core::window_counts w;
    w.to = s.latest_time();
    w.from = w.to - std::chrono::duration_cast<core::clock_time::duration>(
                        std::chrono::duration<double>(s.last_frame_seconds()));
    w.shape = frame->shape;
    w.counts.assign(frame->counts.begin(), frame->counts.end());
    w.frames = 1;
    add_to_cpus(w, overload_share, cpus);
}

namespace {

// GET /api/v1/softirqs?window=..: the whole /proc/softirqs table for the window, per CPU.
bool softirqs_route(api_context& ctx, const request& req, const target& t, responder& send) {
    const auto& s = t.segments;
    if (s.size() != 3 || s[0] != "api" || s[1] != "v1" || s[2] != "softirqs") return false;
    if (!allow_only(req, boost::beast::http::verb::get, send)) return true;
    if (auto* k = t.unknown_param({"window", "from", "to"})) {
        send(error_response(req, 400, "unknown_parameter",
                            "unknown query parameter '" + *k + "' (allowed: window, from, to)"));
        return true;
    }
    auto asked = window_from_query(t, std::chrono::system_clock::now(), std::chrono::seconds(60));
    if (!asked) {
        send(error_response(req, 400, "bad_window", asked.error_message()));
        return true;
    }
    const auto w = ctx.samples.cpu_history().query(asked->first, asked->second);
    const double seconds = window_seconds(w);
    json::array cpus, rows;
    if (w.shape) {
        const auto ncpu = w.shape->cpus.size();
        for (auto c : w.shape->cpus) cpus.push_back(c);
        for (std::size_t r = 0; r < w.shape->row_ids.size(); ++r) {
            const auto& id = w.shape->row_ids[r];
            if (!id.starts_with(series::softirq_prefix)) continue;
            json::array counts, rates;
            std::uint64_t total = 0;
            for (std::size_t c = 0; c < ncpu; ++c) {
                const auto v = w.counts[r * ncpu + c];
                counts.push_back(v);
                rates.push_back(per_second(v, seconds));
                total += v;
            }
            rows.push_back(json::object{{"name", id.substr(series::softirq_prefix.size())},
                                        {"counts", std::move(counts)},
                                        {"rates", std::move(rates)},
                                        {"total", total},
                                        {"rate", per_second(total, seconds)}});
        }
    }
    const bool available = ctx.samples.cpu_sources().softirqs;
    send(json_response(req, 200,
                       json::object{{"window", window_json(w, asked->first, asked->second)},
                                    {"available", available},
                                    {"cpus", std::move(cpus)},
                                    {"softirqs", std::move(rows)}}));
    return true;
}

}  // namespace

void add_cpu_load_routes(api_context& ctx) {
    ctx.routes.push_back(
        [&ctx](const request& req, const target& t, responder& send) { return softirqs_route(ctx, req, t, send); });
    ctx.extra_endpoints.push_back("GET /api/v1/softirqs?window=60s|from=..&to=..");
    ctx.cpu_sections.push_back([&ctx](core::clock_time from, core::clock_time to, json::array& cpus) {
        add_cpu_load(ctx.samples, ctx.config.overload_share, from, to, cpus);
    });
    ctx.health_sections.push_back(
        {.add = [&ctx](json::object& o) {
             const auto& src = ctx.samples.cpu_sources();
             json::array missing;
             for (const auto& m : src.missing) missing.push_back(json::value(m));
             o["cpu_sources"] = json::object{{"stat", src.stat},
                                             {"softirqs", src.softirqs},
                                             {"softnet_stat", src.softnet},
                                             {"missing", std::move(missing)}};
         },
         // A missing source is only ever added to the list, never changed.
         .key = [&ctx](health_key& k) {
             const auto& src = ctx.samples.cpu_sources();
             k.insert(k.end(), {src.stat, src.softirqs, src.softnet, src.missing.size()});
         }});
}

}  // namespace irqd::service
