// GET /api/v1/health: sampling, history, writes, connections, the stream, and the sections other
// parts of the daemon add (api_context::health_sections). The body is kept and sent again while
// nothing it shows has moved (a monitor polling it costs a copy); uptime_s is written fresh each time.
#include <boost/json/object.hpp>

#include "api_call.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/core/version.hpp"
#include "irqd/service/json_text.hpp"

namespace irqd::service {
namespace json = boost::json;

namespace {

json::value batch_progress_json(const std::optional<affinity_writer::batch_progress>& p) {
    if (!p) return nullptr;
    return json::object{{"total", p->total},
                        {"read", p->read},
                        {"written", p->written},
                        {"rolling_back", p->rolling_back},
                        {"slices", p->slices}};
}

double uptime_s(const api_context& ctx) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started).count();
}

json::object health_json(const api_context& ctx, double uptime) {
    const auto& st = ctx.samples.stats();
    const auto& h = ctx.samples.history();
    bool ok = ctx.samples.has_sample() && st.last_error.empty();
    json::object o{
        {"status", ok ? "ok" : "degraded"},
        {"version", core::version()},
        {"uptime_s", uptime},
        {"simulated", ctx.simulated},
        {"read_only", ctx.config.read_only},
        {"procfs", ctx.config.procfs.string()},
        {"sysfs", ctx.config.sysfs.string()},
        {"interval_ms", ctx.config.interval.count()},
        {"samples", st.samples},
        {"samples_skipped", st.skipped},
        {"samples_late", st.late},
        {"parse_issues", st.parse_issues},
        {"last_sample", ctx.samples.has_sample() ? json::value(core::format_rfc3339(ctx.samples.latest_time()))
                                                : json::value(nullptr)},
        {"last_sample_ms", std::chrono::duration<double, std::milli>(st.last_duration).count()},
        {"cpus", ctx.samples.latest().cpus.size()},
        {"irqs", ctx.samples.latest().rows.size()},
        {"history", json::object{{"tiers", core::format_tiers(h.tiers())},
                                 {"bytes", h.memory_bytes()},
                                 {"budget", h.budget()},
                                 {"dropped_frames", h.frames_dropped_for_budget()},
                                 {"oldest", h.empty() ? json::value(nullptr) : json::value(core::format_rfc3339(h.oldest()))},
                                 {"newest", h.empty() ? json::value(nullptr) : json::value(core::format_rfc3339(h.newest()))}}},
        {"sliced_sums", json::object{{"restarts", ctx.samples.sliced_sums().restarts},
                                     {"one_piece", ctx.samples.sliced_sums().one_piece}}},
        {"affinity_writes", ctx.writer.writes()},
        {"affinity_failures", ctx.writer.failures()},
        {"affinity_batch", batch_progress_json(ctx.writer.progress())}};
    if (!st.last_error.empty()) o["last_error"] = st.last_error;
    if (ctx.server) o["connections"] = ctx.server->open_connections();
    for (const auto& section : ctx.health_sections) section.add(o);
    json::array refused;
    for (const auto& [irq, r] : ctx.writer.remembered_refusals())
        refused.push_back(json::object{{"irq", std::to_string(irq)}, {"code", r.error.code}, {"errno", r.error.errno_code.message()}});
    o["not_movable"] = std::move(refused);
    o["access"] = json::object{{"token_required", ctx.access != nullptr},
                               {"token_required_for_reads", ctx.access && ctx.config.token_required_for_reads}};
    if (ctx.hub) {
        const auto& hs = ctx.hub->stats();
        o["stream"] = json::object{{"subscribers", ctx.hub->size()}, {"messages", hs.messages}, {"built", hs.built},
                                   {"coalesced", hs.coalesced},     {"closed_slow", hs.closed_slow},
                                   {"rejected", hs.rejected}};
    }
    return o;
}

// Every value health_json shows but uptime_s, as numbers (or ones that move whenever it does);
// nullopt when a section has no key, so the body cannot be kept. The configuration, the version,
// access and the tiers do not change while irqd runs.
std::optional<health_key> health_key_of(const api_context& ctx) {
    const auto& st = ctx.samples.stats();
    const auto& h = ctx.samples.history();
    auto ticks = [](auto t) { return static_cast<std::uint64_t>(t.time_since_epoch().count()); };
    health_key k{st.samples, st.skipped, st.late, st.parse_issues, static_cast<std::uint64_t>(st.last_duration.count()),
                 st.last_error.size(), ctx.samples.has_sample(), ticks(ctx.samples.latest_time()),
                 ctx.samples.latest().cpus.size(), ctx.samples.latest().rows.size(), h.memory_bytes(),
                 h.frames_dropped_for_budget(), h.empty(), h.empty() ? 0 : ticks(h.oldest()), h.empty() ? 0 : ticks(h.newest()),
                 ctx.samples.sliced_sums().restarts, ctx.samples.sliced_sums().one_piece,
                 ctx.writer.writes(), ctx.writer.failures(), ctx.writer.remembered_refusals().size()};
    k.reserve(k.size() + 16);
    if (auto p = ctx.writer.progress()) k.insert(k.end(), {1, p->total, p->read, p->written, p->rolling_back, p->slices});
    if (ctx.server) k.push_back(ctx.server->open_connections());
    if (ctx.hub) {
        const auto& hs = ctx.hub->stats();
        k.insert(k.end(), {ctx.hub->size(), hs.messages, hs.built, hs.coalesced, hs.closed_slow, hs.rejected});
    }
    for (const auto& section : ctx.health_sections) {
        if (!section.key) return std::nullopt;
        section.key(k);
    }
    return k;
}

// The body with uptime 0 split around that value: head ends with `"uptime_s":`, tail starts at the
// comma after it. False when the marker is not found (the body is then built every time).
bool split_at_uptime(const std::string& body, kept_health& kept) {
    // "status" and "version" come first and hold no such text, so the first match is the key.
    constexpr std::string_view marker = ",\"uptime_s\":0.0,";
    auto at = body.find(marker);
    if (at == std::string::npos) return false;
    kept.head = body.substr(0, at + marker.size() - 4);
    kept.tail = body.substr(at + marker.size() - 1);
    return true;
}

}  // namespace

void get_health(api_call& c) {
    if (c.reject_unknown({})) return;
    auto key = health_key_of(c.ctx);
    auto& kept = c.ctx.health;
    if (!key || *key != kept.key || kept.head.empty()) {
        kept = {};
        if (!key || !split_at_uptime(to_json_text(health_json(c.ctx, 0.0)), kept))
            return c.reply(200, health_json(c.ctx, uptime_s(c.ctx)));
        kept.key = std::move(*key);
    }
    auto res = json_response(c.req, 200, nullptr);
    auto& body = res.body();
    body.clear();
    body.reserve(kept.head.size() + kept.tail.size() + 24);
    body += kept.head;
    append_json(body, uptime_s(c.ctx));
    body += kept.tail;
    body += '\n';
    c.send(std::move(res));
}

}  // namespace irqd::service
