// GET /api/v1/health: sampling, history, writes, connections, the stream, and the sections other
// parts of the daemon add (api_context::health_sections).
#include <boost/json/object.hpp>

#include "api_call.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/core/version.hpp"

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

}  // namespace

void get_health(api_call& c) {
    if (c.reject_unknown({})) return;
    const auto& st = c.ctx.samples.stats();
    const auto& h = c.ctx.samples.history();
    bool ok = c.ctx.samples.has_sample() && st.last_error.empty();
    json::object o{
        {"status", ok ? "ok" : "degraded"},
        {"version", core::version()},
        {"uptime_s", std::chrono::duration<double>(std::chrono::steady_clock::now() - c.ctx.started).count()},
        {"simulated", c.ctx.simulated},
        {"read_only", c.ctx.config.read_only},
        {"procfs", c.ctx.config.procfs.string()},
        {"sysfs", c.ctx.config.sysfs.string()},
        {"interval_ms", c.ctx.config.interval.count()},
        {"samples", st.samples},
        {"samples_skipped", st.skipped},
        {"samples_late", st.late},
        {"parse_issues", st.parse_issues},
        {"last_sample", c.ctx.samples.has_sample() ? json::value(core::format_rfc3339(c.ctx.samples.latest_time()))
                                                  : json::value(nullptr)},
        {"last_sample_ms", std::chrono::duration<double, std::milli>(st.last_duration).count()},
        {"cpus", c.ctx.samples.latest().cpus.size()},
        {"irqs", c.ctx.samples.latest().rows.size()},
        {"history", json::object{{"tiers", core::format_tiers(h.tiers())},
                                 {"bytes", h.memory_bytes()},
                                 {"budget", h.budget()},
                                 {"dropped_frames", h.frames_dropped_for_budget()},
                                 {"oldest", h.empty() ? json::value(nullptr) : json::value(core::format_rfc3339(h.oldest()))},
                                 {"newest", h.empty() ? json::value(nullptr) : json::value(core::format_rfc3339(h.newest()))}}},
        {"affinity_writes", c.ctx.writer.writes()},
        {"affinity_failures", c.ctx.writer.failures()},
        {"affinity_batch", batch_progress_json(c.ctx.writer.progress())}};
    if (!st.last_error.empty()) o["last_error"] = st.last_error;
    if (c.ctx.server) o["connections"] = c.ctx.server->open_connections();
    for (const auto& section : c.ctx.health_sections) section(o);
    json::array refused;
    for (const auto& [irq, r] : c.ctx.writer.remembered_refusals())
        refused.push_back(json::object{{"irq", std::to_string(irq)}, {"code", r.error.code}, {"errno", r.error.errno_code.message()}});
    o["not_movable"] = std::move(refused);
    o["access"] = json::object{{"token_required", c.ctx.access != nullptr},
                               {"token_required_for_reads", c.ctx.access && c.ctx.config.token_required_for_reads}};
    if (c.ctx.hub) {
        const auto& hs = c.ctx.hub->stats();
        o["stream"] = json::object{{"subscribers", c.ctx.hub->size()}, {"messages", hs.messages}, {"built", hs.built},
                                   {"coalesced", hs.coalesced},     {"closed_slow", hs.closed_slow},
                                   {"rejected", hs.rejected}};
    }
    c.reply(200, o);
}

}  // namespace irqd::service
