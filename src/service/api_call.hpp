// What the built-in /api/v1 routes share: one api_call per request (the request, its responder, the
// context and the parsed target, with the answers every route gives), and the route groups, one file
// each: api.cpp (dispatch, index, raw), api_window.cpp (window sums), api_interrupts.cpp,
// api_affinity.cpp, api_health.cpp, api_series.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string_view>

#include <boost/json/value.hpp>

#include "irqd/service/api.hpp"
#include "irqd/service/request_error.hpp"

namespace irqd::service {

// A window a query asks for: [from, to], and the length it has when the query gives none.
struct query_window {
    core::clock_time from, to;
    std::chrono::milliseconds def;
};

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
    // The window the query asks for (`def` long and ending at the newest sample unless it says
    // otherwise); nullopt (and answered 400) when it is bad.
    std::optional<query_window> asked(std::chrono::milliseconds def);
    // Sums the window from history and calls `then` with the sum: at once when that is a few ms of
    // work, else from a job that sums a slice of rows per turn of the io_context (api_window.cpp), so
    // other requests are answered meanwhile. In the second case this call is moved into the job: the
    // caller returns right after. A client that leaves meanwhile ends the job unanswered.
    using window_then = std::function<void(api_call&, core::window_counts&, const query_window&)>;
    void sum_window(const query_window& w, window_then then);

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

// The window with only the row `id` summed (the other rows count 0): one row's work, however big the
// table. nullopt for a window over several layouts, which cannot be summed by rows (sum_window it).
std::optional<core::window_counts> sum_one_row(const core::history& h, const query_window& w, std::string_view id);

void get_interrupts(api_call& c);
void get_one_irq(api_call& c, std::string_view id);
void get_cpus(api_call& c);
void put_affinity(api_call& c, std::string_view id);
void post_affinity(api_call& c);
void get_health(api_call& c);
void get_series(api_call& c);
void get_events(api_call& c);

}  // namespace irqd::service
