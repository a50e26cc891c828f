// The HTTP/JSON API under /api/v1: a free function from request to response (answered through a
// responder, so slow work like balancing can answer later). Testable without a socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "irqd/service/access.hpp"
#include "irqd/service/answer_cache.hpp"
#include "irqd/service/affinity_writer.hpp"
#include "irqd/service/event_log.hpp"
#include "irqd/service/http_server.hpp"
#include "irqd/service/sampler.hpp"
#include "irqd/service/settings.hpp"
#include "irqd/service/stream_hub.hpp"
#include "irqd/service/url.hpp"

namespace irqd::service {

// Part of GET /api/v1/health added by another part of the daemon (saved affinities, CPU sources, ...).
// `key` appends every value `add` shows (or a number that moves whenever one of them does): health's
// body is kept and sent again while no key value moved. Without a key the body is built on every request.
using health_key = std::vector<std::uint64_t>;
struct health_section {
    std::function<void(boost::json::object&)> add;
    std::function<void(health_key&)> key{};
};

// GET /api/v1/health's body as last built, split around "uptime_s" (written fresh into every answer),
// and the key values it was built from (api_health.cpp).
struct kept_health {
    health_key key;
    std::string head, tail;
};

// A route the daemon can add beside the built-in ones (balancer, metrics, dashboard, ...).
// Return false when the request is not yours.
using extra_route = std::function<bool(const request& req, const target& t, responder& send)>;

struct api_context {
    const settings& config;
    sampler& samples;
    affinity_writer& writer;
    const http_server* server = nullptr;             // for stats; may be null in tests
    stream_hub* hub = nullptr;                       // for stats; may be null in tests
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    bool simulated = false;
    std::vector<extra_route> routes{};               // consulted before the built-in routes
    std::vector<std::string> extra_endpoints{};      // their lines in the GET /api/v1 index
    // The bearer-token check, before any route (extra ones included); null: no token needed.
    const access_guard* access = nullptr;
    // Applied plans, reverts and affinity changes (GET /api/v1/events); null: none recorded.
    event_log* events = nullptr;
    // Each adds its keys to GET /api/v1/health (saved affinities, restore, refused IRQs, ...).
    std::vector<health_section> health_sections{};
    kept_health health{};
    // Each adds its fields to the CPU objects of GET /api/v1/cpus for the asked window (cpu_load).
    std::vector<std::function<void(core::clock_time, core::clock_time, boost::json::array&)>> cpu_sections{};
    // GET answers kept until the next sample or affinity write (ETag, If-None-Match); null: none.
    answer_cache* answers = nullptr;
    // Where a large window sum runs a slice of rows per turn (api_window.cpp); null: in one piece.
    boost::asio::io_context* io = nullptr;
};

void handle_request(request&& req, responder send, api_context& ctx);

// Helpers shared by the routes in other files.
response json_response(const request& req, unsigned status, const boost::json::value& body);
response error_response(const request& req, unsigned status, std::string_view code, std::string_view message);
// {"error": {"code", "message", "irq", "rolled_back": [...], "rollback_failed": [...]}} of a batch the
// writer refused or rolled back: POST /api/v1/affinity, an applied plan, a revert.
boost::json::object batch_failure_json(const batch_failure& f);
// What json_response() needs of a request answered later (no body, no headers kept alive).
request answer_head(const request& req);
// True when the request's method is `v` (HEAD counts as GET); otherwise answers 405 with an Allow header.
bool allow_only(const request& req, boost::beast::http::verb v, const responder& send);

}  // namespace irqd::service

namespace irqd::service {

// The window a request asks for: `window=60s` (ending now) or `from`/`to` (RFC 3339 or Unix seconds).
core::result<std::pair<core::clock_time, core::clock_time>> window_from_query(
    const target& t, core::clock_time now, std::chrono::milliseconds default_window);
// {"from":..., "to":..., "seconds":..., "resolution_s":..., "complete":...} of an answered window.
boost::json::object window_json(const core::window_counts& w, core::clock_time asked_from, core::clock_time asked_to);
}  // namespace irqd::service
