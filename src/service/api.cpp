// The /api/v1 router: the bearer-token check, the added routes, then the built-in ones by path; the
// index, the raw text and the stream's plain-GET answer; and the response helpers every route uses.
// Every bad input is a 4xx with {"error":{"code","message"}} and changes nothing.
#include "irqd/service/api.hpp"

#include <boost/beast/http/verb.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api_call.hpp"
#include "irqd/core/version.hpp"
#include "irqd/service/json_text.hpp"

namespace irqd::service {
namespace json = boost::json;
using namespace std::chrono_literals;

bool api_call::reject_unknown(std::initializer_list<std::string_view> allowed) {
    if (auto* k = t.unknown_param(allowed)) {
        std::string names;
        for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
        fail(400, "unknown_parameter", "unknown query parameter '" + *k + "' (allowed: " + names + ")");
        return true;
    }
    return false;
}

namespace {

// A plain GET of the WebSocket endpoint (a browser, curl without the upgrade headers).
void stream_without_upgrade(api_call& c) {
    auto res = error_response(c.req, 426, "upgrade_required",
                              "/api/v1/stream is a WebSocket endpoint: connect with a WebSocket client");
    res.set(http::field::upgrade, "websocket");
    res.set(http::field::connection, "Upgrade");
    c.send(std::move(res));
}

void index(api_call& c) {
    json::array routes{
        "GET /api/v1/interrupts?window=60s|from=..&to=..[&cpus=LIST&irqs=LIST&name=GLOB&top=N&device=PCI&netdev=IF&driver=NAME]",
        "GET /api/v1/interrupts/{irq}[?window=60s]",
        "PUT /api/v1/interrupts/{irq}/affinity {\"cpu\":N}|{\"cpus\":\"LIST\"}|{\"mask\":\"HEX\"}",
        "POST /api/v1/affinity {\"changes\":[{\"irq\":N,\"cpus\":\"LIST\"},...]}",
        "GET /api/v1/cpus?window=60s",
        "GET /api/v1/raw",
        "GET /api/v1/health",
        "GET /api/v1/series?what=cpus|irqs&window=1h|from=..&to=..[&step=10s&cpus=LIST&irqs=LIST&name=GLOB&top=N]",
        "GET /api/v1/events?window=1h|from=..&to=..",
        "GET /api/v1/stream (WebSocket) then {\"type\":\"subscribe\",\"cpus\":true,\"irqs\":[..]|\"GLOB\",\"top\":N,\"every\":N}"};
    for (auto& extra : c.ctx.extra_endpoints) routes.push_back(json::value(extra));
    c.reply(200, json::object{{"name", "irqd"}, {"version", core::version()}, {"endpoints", std::move(routes)}});
}

void raw(api_call& c) {
    if (c.reject_unknown({})) return;
    response res{http::status::ok, c.req.version()};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::server, "irqd");
    res.keep_alive(c.req.keep_alive());
    res.body() = c.ctx.samples.latest_text();
    c.send(std::move(res));
}

// What cached answers depend on moves only with a sample (taken or skipped) or an affinity write or
// refusal (the rows show affinities): the sum of those counters changes whenever one of them does.
std::uint64_t answers_generation(const api_context& ctx) {
    const auto& st = ctx.samples.stats();
    return st.samples + st.skipped + ctx.writer.writes() + ctx.writer.failures();
}

response cached_response(const request& req, const answer_cache::entry& e) {
    const bool fresh = answer_cache::matches(req[http::field::if_none_match], e.etag);
    response res{fresh ? http::status::not_modified : http::status::ok, req.version()};
    if (!fresh) {
        res.set(http::field::content_type, e.content_type);
        res.body() = *e.body;
    }
    res.set(http::field::server, "irqd");
    res.set(http::field::etag, e.etag);
    res.set(http::field::cache_control, "no-cache");   // may be kept, but ask again (a 304 is cheap)
    res.keep_alive(req.keep_alive());
    return res;
}

// GETs whose answer depends only on the samples and affinities: answered from the cache when the
// data has not moved since, else built by the route and kept. Only after the token check passed, and
// the token is no part of the key: an answer is the same for whoever may read it.
bool answer_cached(api_call& c, const std::vector<std::string_view>& rest) {
    auto* cache = c.ctx.answers;
    if (!cache || (c.req.method() != http::verb::get && c.req.method() != http::verb::head)) return false;
    const bool cacheable = (rest[0] == "interrupts" && rest.size() <= 2) ||
                           ((rest[0] == "cpus" || rest[0] == "raw") && rest.size() == 1);
    if (!cacheable) return false;
    auto key = answer_cache::key(c.t);
    const auto generation = answers_generation(c.ctx);
    if (const auto* e = cache->find(key, generation)) {
        c.send(cached_response(c.req, *e));
        return true;
    }
    auto head = answer_head(c.req);
    head.set(http::field::if_none_match, c.req[http::field::if_none_match]);
    // Streamed answers (too big to keep) pass by; whole ones are kept, unless the data moved while the
    // answer was made (a window summed in slices, api_window.cpp, answers for the history it began with).
    c.send = c.send.with_send([cache, &ctx = c.ctx, key = std::move(key), generation, head = std::move(head),
                               send = c.send](response res) {
        if (res.result() != http::status::ok || answers_generation(ctx) != generation) return send(std::move(res));
        auto e = cache->store(key, generation, res[http::field::content_type], res.body());
        if (answer_cache::matches(head[http::field::if_none_match], e.etag)) return send(cached_response(head, e));
        res.set(http::field::etag, e.etag);
        res.set(http::field::cache_control, "no-cache");
        send(std::move(res));
    });
    return false;
}

void dispatch(api_call& c) {
    if (c.ctx.access && c.ctx.access->needs_token(c.req) && !c.ctx.access->authorized(c.req))
        return c.send(c.ctx.access->unauthorized(c.req));
    auto t = parse_target(c.req.target());
    if (!t) return c.fail(400, "bad_target", t.error_message());
    c.t = std::move(*t);
    for (auto& route : c.ctx.routes)
        if (route(c.req, c.t, c.send)) return;
    const auto& s = c.t.segments;
    if (s.empty()) return index(c);
    if (s[0] != "api" || s.size() < 2) return c.not_found();
    if (s[1] != "v1") return c.fail(404, "not_found", "unknown API version '" + s[1] + "' (this irqd serves /api/v1)");
    std::vector<std::string_view> rest(s.begin() + 2, s.end());
    if (rest.empty()) { if (c.only(http::verb::get)) index(c); return; }
    if (answer_cached(c, rest)) return;
    if (rest[0] == "interrupts" && rest.size() == 1) { if (c.only(http::verb::get)) get_interrupts(c); return; }
    if (rest[0] == "interrupts" && rest.size() == 2) { if (c.only(http::verb::get)) get_one_irq(c, rest[1]); return; }
    if (rest[0] == "interrupts" && rest.size() == 3 && rest[2] == "affinity")
        { if (c.only(http::verb::put)) put_affinity(c, rest[1]); return; }
    if (rest[0] == "affinity" && rest.size() == 1) { if (c.only(http::verb::post)) post_affinity(c); return; }
    if (rest[0] == "cpus" && rest.size() == 1) { if (c.only(http::verb::get)) get_cpus(c); return; }
    if (rest[0] == "raw" && rest.size() == 1) { if (c.only(http::verb::get)) raw(c); return; }
    if (rest[0] == "health" && rest.size() == 1) { if (c.only(http::verb::get)) get_health(c); return; }
    if (rest[0] == "series" && rest.size() == 1) { if (c.only(http::verb::get)) get_series(c); return; }
    if (rest[0] == "events" && rest.size() == 1) { if (c.only(http::verb::get)) get_events(c); return; }
    if (rest[0] == "stream" && rest.size() == 1) { if (c.only(http::verb::get)) stream_without_upgrade(c); return; }
    c.not_found();
}

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

void handle_request(request&& req, responder send, api_context& ctx) {
    api_call c(std::move(req), std::move(send), ctx);
    dispatch(c);
}

}  // namespace irqd::service
