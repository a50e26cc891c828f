// GET /api/v1/health: sampling, history, writes, connections, the stream, and the sections other
// parts of the daemon add (api_context::health_sections). The body is kept and sent again while
// nothing it shows has moved (a monitor polling it costs a copy); uptime_s is written fresh each time.
#include <bit>
#include <concepts>
#include <filesystem>
#include <functional>
#include <string_view>

#include <boost/json/object.hpp>

#include "api_call.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/core/version.hpp"
#include "irqd/service/json_text.hpp"

namespace irqd::service {
namespace json = boost::json;

namespace {

double uptime_s(const api_context& ctx) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started).count();
}

// A time health shows as RFC 3339, or null.
using shown_time = std::optional<core::clock_time>;

// Everything health shows, each value named once: `out` is a body_out building the body or a
// key_out collecting the key the body is kept by, so no value can be in one and not the other.
// value(): what can move while irqd runs; fixed(): what cannot (the configuration, the version,
// access, the tiers), left out of the key. Both take the values as they are (a path, the tiers):
// the key, computed on every request, never formats what it leaves out.
template <class Out>
void health_fields(const api_context& ctx, Out& out) {
    const auto& st = ctx.samples.stats();
    const auto& h = ctx.samples.history();
    const bool ok = ctx.samples.has_sample() && st.last_error.empty();
    auto newest_sample = ctx.samples.has_sample() ? shown_time(ctx.samples.latest_time()) : std::nullopt;
    out.value("status", ok ? "ok" : "degraded");
    out.fixed("version", core::version());
    out.uptime("uptime_s");
    out.fixed("simulated", ctx.simulated);
    out.fixed("read_only", ctx.config.read_only);
    out.fixed("procfs", ctx.config.procfs);
    out.fixed("sysfs", ctx.config.sysfs);
    out.fixed("interval_ms", ctx.config.interval.count());
    out.value("samples", st.samples);
    out.value("samples_skipped", st.skipped);
    out.value("samples_late", st.late);
    out.value("parse_issues", st.parse_issues);
    out.value("last_sample", newest_sample);
    out.value("last_sample_ms", std::chrono::duration<double, std::milli>(st.last_duration).count());
    out.value("cpus", ctx.samples.latest().cpus.size());
    out.value("irqs", ctx.samples.latest().rows.size());
    out.object("history", [&](Out& o) {
        o.fixed("tiers", h.tiers());
        o.value("bytes", h.memory_bytes());
        o.value("budget", h.budget());
        o.value("dropped_frames", h.frames_dropped_for_budget());
        o.value("oldest", h.empty() ? std::nullopt : shown_time(h.oldest()));
        o.value("newest", h.empty() ? std::nullopt : shown_time(h.newest()));
    });
    out.object("sliced_sums", [&](Out& o) {
        o.value("restarts", ctx.samples.sliced_sums().restarts);
        o.value("one_piece", ctx.samples.sliced_sums().one_piece);
    });
    out.value("affinity_writes", ctx.writer.writes());
    out.value("affinity_failures", ctx.writer.failures());
    const auto batch = ctx.writer.progress();
    out.object_or_null("affinity_batch", batch.has_value(), [&](Out& o) {
        o.value("total", batch->total);
        o.value("read", batch->read);
        o.value("written", batch->written);
        o.value("rolling_back", batch->rolling_back);
        o.value("slices", batch->slices);
    });
    if (!st.last_error.empty()) out.value("last_error", st.last_error);
    if (ctx.server) out.value("connections", ctx.server->open_connections());
    out.sections(ctx.health_sections);
    out.array("not_movable", ctx.writer.remembered_refusals(), [](Out& o, const auto& entry) {
        const auto& [irq, r] = entry;
        o.value("irq", std::to_string(irq));
        o.value("code", r.error.code);
        o.value("errno", r.error.errno_code);
    });
    out.object("access", [&](Out& o) {
        o.fixed("token_required", ctx.access != nullptr);
        o.fixed("token_required_for_reads", ctx.access && ctx.config.token_required_for_reads);
    });
    if (ctx.hub) {
        const auto& hs = ctx.hub->stats();
        out.object("stream", [&](Out& o) {
            o.value("subscribers", ctx.hub->size());
            o.value("messages", hs.messages);
            o.value("built", hs.built);
            o.value("coalesced", hs.coalesced);
            o.value("closed_slow", hs.closed_slow);
            o.value("rejected", hs.rejected);
        });
    }
}

// health_fields into a JSON object: the body.
class body_out {
public:
    body_out(json::object& o, double uptime) : o_(o), uptime_(uptime) {}

    template <class T>
    void value(std::string_view name, const T& v) { o_[name] = shown(v); }
    template <class T>
    void fixed(std::string_view name, const T& v) { o_[name] = shown(v); }
    void uptime(std::string_view name) { o_[name] = uptime_; }
    template <class Fields>
    void object(std::string_view name, const Fields& fields) {
        json::object inner;
        body_out in(inner, uptime_);
        fields(in);
        o_[name] = std::move(inner);
    }
    template <class Fields>
    void object_or_null(std::string_view name, bool present, const Fields& fields) {
        if (present) return object(name, fields);
        o_[name] = nullptr;
    }
    template <class Range, class Fields>
    void array(std::string_view name, const Range& entries, const Fields& fields) {
        json::array a;
        for (const auto& e : entries) {
            json::object inner;
            body_out in(inner, uptime_);
            fields(in, e);
            a.push_back(std::move(inner));
        }
        o_[name] = std::move(a);
    }
    void sections(const std::vector<health_section>& all) {
        for (const auto& section : all) section.add(o_);
    }

private:
    template <class T>
    static json::value shown(const T& v) { return json::value(v); }
    static json::value shown(const shown_time& t) {
        return t ? json::value(core::format_rfc3339(*t)) : json::value(nullptr);
    }
    static json::value shown(const std::error_code& e) { return json::value(e.message()); }
    static json::value shown(const std::filesystem::path& p) { return json::value(p.string()); }
    static json::value shown(const std::vector<core::tier_config>& t) { return json::value(core::format_tiers(t)); }

    json::object& o_;
    double uptime_;
};

// health_fields as numbers: the values, or hashes of the texts; nothing of what is fixed.
class key_out {
public:
    explicit key_out(health_key& k) : k_(k) {}

    void value(std::string_view, std::string_view text) { k_.push_back(std::hash<std::string_view>{}(text)); }
    void value(std::string_view, double v) { k_.push_back(std::bit_cast<std::uint64_t>(v)); }
    template <std::integral T>
    void value(std::string_view, T v) { k_.push_back(static_cast<std::uint64_t>(v)); }
    void value(std::string_view, const shown_time& t) {
        k_.push_back(t ? static_cast<std::uint64_t>(t->time_since_epoch().count()) : 0);
        k_.push_back(t.has_value());
    }
    void value(std::string_view, const std::error_code& e) { k_.push_back(static_cast<std::uint64_t>(e.value())); }
    template <class T>
    void fixed(std::string_view, const T&) {}
    void uptime(std::string_view) {}
    template <class Fields>
    void object(std::string_view, const Fields& fields) { fields(*this); }
    template <class Fields>
    void object_or_null(std::string_view, bool present, const Fields& fields) {
        k_.push_back(present);
        if (present) fields(*this);
    }
    template <class Range, class Fields>
    void array(std::string_view, const Range& entries, const Fields& fields) {
        k_.push_back(entries.size());
        for (const auto& e : entries) fields(*this, e);
    }
    void sections(const std::vector<health_section>& all) {
        for (const auto& section : all) {
            if (!section.key) keyless_ = true;
            else section.key(k_);
        }
    }
    // A section without a key: the body cannot be kept.
    bool keyless() const { return keyless_; }

private:
    health_key& k_;
    bool keyless_ = false;
};

json::object health_json(const api_context& ctx, double uptime) {
    json::object o;
    body_out out(o, uptime);
    health_fields(ctx, out);
    return o;
}

// nullopt when a section has no key, so the body cannot be kept.
std::optional<health_key> health_key_of(const api_context& ctx) {
    health_key k;
    k.reserve(64);
    key_out out(k);
    health_fields(ctx, out);
    if (out.keyless()) return std::nullopt;
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
