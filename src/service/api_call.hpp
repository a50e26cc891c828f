// What the built-in /api/v1 routes share: one api_call per request (the request, its responder, the
// context and the parsed target, with the answers every route gives), and the route groups, one file
// each: api.cpp (dispatch, index, raw), api_interrupts.cpp, api_affinity.cpp, api_health.cpp,
// api_series.cpp.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string_view>

#include <boost/json/value.hpp>

#include "irqd/service/api.hpp"
#include "irqd/service/request_error.hpp"

namespace irqd::service {

class api_call {
public:
    api_call(request&& r, responder s, api_context& c) : req(std::move(r)), send(std::move(s)), ctx(c) {}

    void reply(unsigned status, const boost::json::value& body) { send(json_response(req, status, body)); }
    void fail(unsigned status, std::string_view code, std::string_view message) {
        send(error_response(req, status, code, message));
    }
    void fail(const request_error& e) { fail(e.status, e.code, e.message); }
    void not_found() { fail(404, "not_found", "no such endpoint: " + std::string(req.target()) + " (see GET /api/v1)"); }
    bool only(http::verb v) { return allow_only(req, v, send); }
    // True (and answered 400) when the query has a parameter not in `allowed`.
    bool reject_unknown(std::initializer_list<std::string_view> allowed);
    // The window the query asks for, summed from history; nullopt (and answered 400) when it is bad.
    std::optional<core::window_counts> window(std::chrono::milliseconds def, core::clock_time& from, core::clock_time& to);

    request req;
    responder send;
    api_context& ctx;
    target t;
};

// A CPU set as its list text, or null.
inline boost::json::value set_json(const std::optional<core::cpu_set>& s) {
    if (!s) return nullptr;
    return boost::json::value(s->to_list());
}

void get_interrupts(api_call& c);
void get_one_irq(api_call& c, std::string_view id);
void get_cpus(api_call& c);
void put_affinity(api_call& c, std::string_view id);
void post_affinity(api_call& c);
void get_health(api_call& c);
void get_series(api_call& c);
void get_events(api_call& c);

}  // namespace irqd::service
