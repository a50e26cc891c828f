// The balance endpoints: request options checked field by field into a 400 with a message, and the
// routes that hand them to the balance service.
#include "irqd/service/balance_request.hpp"

#include <algorithm>


#include "irqd/core/irq_selection.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/service/api.hpp"
#include "irqd/service/balance_service.hpp"
#include "irqd/service/json_text.hpp"
#include "irqd/service/request_checks.hpp"

namespace irqd::service {
namespace json = boost::json;

namespace {

constexpr std::size_t max_banned_irqs = 4096;
constexpr std::size_t max_pattern_length = 128;

request_error bad(std::string code, std::string message) { return {400, std::move(code), std::move(message)}; }

}  // namespace

std::variant<balance_options, request_error> parse_balance_options(const json::value& body, bool apply_query,
                                                                   const balance_settings& defaults) {
    balance_options o = default_balance_options(defaults);
    o.apply = apply_query;
    if (body.is_null()) return o;
    if (!body.is_object()) return bad("bad_json", "body must be a JSON object like {\"window\": \"5m\"}");
    static constexpr std::string_view known[] = {"window", "cpus", "banned_cpus", "banned_irqs",
                                                 "numa", "max_moves", "min_improvement", "tolerance", "policy", "distinct", "devices",
                                                 "netdevs", "apply"};
    for (const auto& kv : body.as_object())
        if (std::find(std::begin(known), std::end(known), kv.key()) == std::end(known))
            return bad("unknown_field", "unknown field '" + std::string(kv.key()) +
                                            "' (known: window, cpus, banned_cpus, banned_irqs, numa, max_moves, "
                                            "min_improvement, tolerance, policy, distinct, devices, netdevs, apply)");
    const auto& b = body.as_object();
    if (auto* v = b.if_contains("window")) {
        if (!v->is_string()) return bad("bad_window", "'window' must be a duration string like \"5m\"");
        auto d = core::parse_duration(std::string_view(v->as_string()));
        if (!d) return bad("bad_window", "window: " + d.error_message());
        if (d->count() <= 0 || *d > core::max_window)
            return bad("bad_window", "window must be longer than 0s and at most " + std::string(core::max_window_text));
        o.window = *d;
    }
    auto cpu_list = [&](std::string_view key) -> std::variant<core::cpu_set, request_error> {
        const auto& v = b.at(key);
        if (!v.is_string()) return bad("bad_" + std::string(key), "'" + std::string(key) + "' must be a CPU list string like \"0-3,8\"");
        auto r = core::parse_cpu_list(std::string_view(v.as_string()));
        if (!r) return bad("bad_" + std::string(key), std::string(key) + ": " + r.error_message());
        return *r;
    };
    if (b.contains("cpus")) {
        auto r = cpu_list("cpus");
        if (auto* e = std::get_if<request_error>(&r)) return *e;
        if (std::get<core::cpu_set>(r).empty()) return bad("bad_cpus", "'cpus' names no CPU");
        o.cpus = std::get<core::cpu_set>(r);
    }
    if (b.contains("banned_cpus")) {
        auto r = cpu_list("banned_cpus");
        if (auto* e = std::get_if<request_error>(&r)) return *e;
        o.banned_cpus = std::get<core::cpu_set>(r);
    }
    if (auto* v = b.if_contains("banned_irqs")) {
        if (!v->is_array()) return bad("bad_banned_irqs", "'banned_irqs' must be an array of IRQ numbers or name globs");
        if (v->as_array().size() > max_banned_irqs)
            return bad("bad_banned_irqs", "at most " + std::to_string(max_banned_irqs) + " banned_irqs");
        for (const auto& e : v->as_array()) {
            if (e.is_uint64() || (e.is_int64() && e.as_int64() >= 0)) {
                o.banned_irqs.push_back(std::to_string(e.is_uint64() ? e.as_uint64() : static_cast<std::uint64_t>(e.as_int64())));
            } else if (e.is_string() && !e.as_string().empty() && e.as_string().size() <= max_pattern_length) {
                o.banned_irqs.emplace_back(e.as_string());
            } else {
                return bad("bad_banned_irqs", "each of 'banned_irqs' must be an IRQ number or a non-empty name glob (at most " +
                                                  std::to_string(max_pattern_length) + " characters)");
            }
        }
    }
    if (auto* v = b.if_contains("numa")) {
        std::string_view m = v->is_string() ? std::string_view(v->as_string()) : std::string_view();
        if (m == "prefer") o.numa = numa_mode::prefer;
        else if (m == "require") o.numa = numa_mode::require;
        else if (m == "ignore") o.numa = numa_mode::ignore;
        else return bad("bad_numa", "'numa' must be \"prefer\", \"require\" or \"ignore\"");
    }
    if (auto* v = b.if_contains("max_moves")) {
        if (v->is_uint64()) o.max_moves = static_cast<std::size_t>(v->as_uint64());
        else if (v->is_int64() && v->as_int64() >= 0) o.max_moves = static_cast<std::size_t>(v->as_int64());
        else return bad("bad_max_moves", "'max_moves' must be a non-negative integer");
    }
    if (auto* v = b.if_contains("min_improvement")) {
        if (!v->is_number()) return bad("bad_min_improvement", "'min_improvement' must be a number from 0 to below 1");
        double d = v->to_number<double>();
        if (!(d >= 0 && d < 1)) return bad("bad_min_improvement", "'min_improvement' must be a number from 0 to below 1");
        o.min_improvement = d;
    }
    if (auto* v = b.if_contains("tolerance")) {
        if (!v->is_number() || !(v->to_number<double>() >= 0 && v->to_number<double>() <= 1))
            return bad("bad_tolerance", "'tolerance' must be a number from 0 to 1 (0.01 = within 1% of the best max load)");
        o.tolerance = v->to_number<double>();
    }
    if (auto* v = b.if_contains("policy")) {
        std::string_view m = v->is_string() ? std::string_view(v->as_string()) : std::string_view();
        if (m == "balance") o.policy = balance_policy::balance;
        else if (m == "spread") o.policy = balance_policy::spread;
        else return bad("bad_policy", "'policy' must be \"balance\" or \"spread\"");
    }
    if (auto* v = b.if_contains("distinct")) {
        if (!v->is_bool())
            return bad("bad_distinct", "'distinct' must be true or false (true: each device's queues on distinct CPUs where it can)");
        o.distinct = v->as_bool();
    }
    for (std::string_view key : {"devices", "netdevs"}) {
        auto* v = b.if_contains(key);
        if (!v) continue;
        auto& out = key == "devices" ? o.devices : o.netdevs;
        if (!v->is_array() || v->as_array().size() > max_banned_irqs)
            return bad("bad_" + std::string(key), "'" + std::string(key) + "' must be an array of names");
        for (const auto& e : v->as_array()) {
            if (!e.is_string() || e.as_string().empty() || e.as_string().size() > max_pattern_length)
                return bad("bad_" + std::string(key), "each of '" + std::string(key) + "' must be a non-empty name (at most " +
                                                          std::to_string(max_pattern_length) + " characters)");
            out.emplace_back(e.as_string());
        }
    }
    if (o.policy == balance_policy::spread && b.contains("distinct") && o.distinct)
        return bad("bad_distinct", "'distinct' is an option of policy \"balance\"; policy \"spread\" already puts each queue on its own CPU");
    if ((!o.devices.empty() || !o.netdevs.empty()) && o.policy != balance_policy::spread)
        return bad("bad_policy", "'devices' and 'netdevs' select what policy \"spread\" spreads; give \"policy\": \"spread\"");
    if (auto* v = b.if_contains("apply")) {
        if (!v->is_bool()) return bad("bad_apply", "'apply' must be true or false");
        o.apply = o.apply || v->as_bool();
    }
    return o;
}

void add_balance_routes(api_context& ctx, balance_service& balancing) {
    ctx.routes.push_back([&balancing, &cfg = ctx.config.balance](const request& req, const target& t, responder& send) {
        const auto& s = t.segments;
        if (s.size() < 3 || s.size() > 6 || s[0] != "api" || s[1] != "v1" || s[2] != "balance") return false;
        auto fail = [&](unsigned status, std::string_view code, std::string_view message) {
            send(error_response(req, status, code, message));
        };
        auto only = [&](http::verb v) { return allow_only(req, v, send); };
        auto no_params = [&](std::initializer_list<std::string_view> allowed) {
            if (auto* k = t.unknown_param(allowed)) {
                fail(400, "unknown_parameter", "unknown query parameter '" + *k + "'");
                return false;
            }
            return true;
        };
        if (s.size() == 4 && s[3] == "history") {
            if (only(http::verb::get) && no_params({})) send(json_response(req, 200, balancing.history_json()));
            return true;
        }
        if (s.size() == 4 && s[3] == "revert") {
            if (only(http::verb::post) && no_params({}))
                balancing.revert(std::string(request_source(req)), [send, head = answer_head(req)](unsigned status, const json::value& body) {
                    send(json_response(head, status, body));
                });
            return true;
        }
        if (s.size() >= 4 && s[3] == "plans") {
            if (s.size() == 4) {
                if (only(http::verb::get) && no_params({})) send(json_response(req, 200, balancing.plans_json()));
                return true;
            }
            auto id = core::parse_irq_number(s[4]);   // a plain decimal number
            if (!id || (s.size() == 6 && s[5] != "apply"))
                return fail(404, "not_found", "no such endpoint: " + std::string(req.target()) +
                                                  " (plans are /api/v1/balance/plans/ID[/apply], ID a number)"),
                       true;
            if (s.size() == 5) {
                if (!only(http::verb::get) || !no_params({})) return true;
                if (auto plan = balancing.plan_json(*id)) send(json_response(req, 200, *plan));
                else fail(404, "unknown_plan", "no plan " + std::to_string(*id) + " (see GET /api/v1/balance/plans)");
                return true;
            }
            if (only(http::verb::post) && no_params({}))
                balancing.apply_plan(*id, std::string(request_source(req)), [send, head = answer_head(req)](unsigned status, const json::value& body) {
                    send(json_response(head, status, body));
                });
            return true;
        }
        if (s.size() >= 4) {
            fail(404, "not_found", "no such endpoint: " + std::string(req.target()) + " (see GET /api/v1)");
            return true;
        }
        if (!only(http::verb::post) || !no_params({"apply"})) return true;
        bool apply = false;
        if (auto* a = t.param("apply")) {
            if (*a == "true" || *a == "1") apply = true;
            else if (*a != "false" && *a != "0") return fail(400, "bad_apply", "apply must be true or false"), true;
        }
        json::value body;
        if (req.body().find_first_not_of(" \t\r\n") != std::string::npos) {
            auto parsed = parse_json_body(req.body());
            if (auto* p = std::get_if<json_body_problem>(&parsed)) return fail(400, p->code, p->message), true;
            body = std::get<json::value>(std::move(parsed));
        }
        auto o = parse_balance_options(body, apply, cfg);
        if (auto* e = std::get_if<request_error>(&o)) return fail(e->status, e->code, e->message), true;
        balancing.plan(std::get<balance_options>(o), std::string(request_source(req)), [send, head = answer_head(req)](unsigned status, json::value answer) {
            send(json_response(head, status, answer));
        });
        return true;
    });
    ctx.extra_endpoints.insert(
        ctx.extra_endpoints.end(),
        {"POST /api/v1/balance[?apply=true] {\"window\":\"5m\",\"cpus\":\"LIST\",\"banned_cpus\":\"LIST\","
         "\"banned_irqs\":[N|\"GLOB\"],\"numa\":\"prefer|require|ignore\",\"max_moves\":N,\"min_improvement\":0.05,\"tolerance\":0.01,\"policy\":\"balance|spread\",\"distinct\":false,\"devices\":[\"PCI\"],\"netdevs\":[\"IF\"],"
         "\"apply\":false}",
         "GET /api/v1/balance/plans", "GET /api/v1/balance/plans/{id}", "POST /api/v1/balance/plans/{id}/apply",
         "POST /api/v1/balance/revert", "GET /api/v1/balance/history"});
}

}  // namespace irqd::service
