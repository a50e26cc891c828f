// The verbs of irqctl: each turns its options into one request (or, for balance, a local run of
// the balancer) and its answer into a table or the JSON as received.
#include "irqd/client/irqctl.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <variant>

#include <boost/json.hpp>

#include "irqd/client/affinity_plan.hpp"
#include "irqd/client/balance_view.hpp"
#include "irqd/client/cli_options.hpp"
#include "irqd/client/http_client.hpp"
#include "irqd/client/offline_balance.hpp"
#include "irqd/client/overview_view.hpp"
#include "irqd/client/detail_views.hpp"
#include "irqd/client/devices_view.hpp"
#include "irqd/client/json_fields.hpp"
#include "irqd/client/summary_view.hpp"
#include "irqd/client/terminal.hpp"
#include "irqd/client/watch_session.hpp"
#include "irqd/core/version.hpp"

namespace irqd::client {
namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

constexpr std::size_t max_warnings = 5;

// An error as --json users read it: {"error":{"code","message"}} and a newline.
std::string json_error(std::string_view code, std::string_view message) {
    return json::serialize(json::object{{"error", json::object{{"code", code}, {"message", message}}}}) + "\n";
}

std::string percent_encode(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ',') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// "/api/v1/x?k=v&..." with the empty values left out.
std::string target_with(std::string path, const std::vector<std::pair<std::string_view, std::string>>& params) {
    char sep = '?';
    for (const auto& [k, v] : params) {
        if (v.empty()) continue;
        path += sep;
        path += std::string(k) + "=" + percent_encode(v);
        sep = '&';
    }
    return path;
}

std::vector<std::pair<std::string_view, std::string>> window_params(const window_options& w) {
    return {{"window", w.window}, {"from", w.from}, {"to", w.to}};
}

// The context every verb runs in.
struct session {
    const global_options& global;
    const terminal_facts& terminal;
    std::istream& in;
    std::ostream& out;
    std::ostream& err;

    // What irqd answered: status, body, and the body parsed (always a JSON object: call() refuses anything else).
    struct answer {
        http_reply reply;
        json::value json;
    };

    // One line on stderr; with --json, {"error":{"code","message"}} instead.
    int fail(int code, std::string_view message, std::string_view error_code = "irqctl") const {
        if (global.json) err << json_error(error_code, message);
        else err << "irqctl: " << printable(message) << "\n";   // may quote the daemon's names
        return code;
    }
    // irqd refused: its message (its JSON error as it came, with --json).
    int refused(const answer& a, std::string message = {}) const {
        if (message.empty()) message = error_text(a.reply);
        auto* e = a.json.is_object() ? a.json.as_object().if_contains("error") : nullptr;
        auto* code = e && e->is_object() ? e->as_object().if_contains("code") : nullptr;
        return fail(exit_code::server, message, code && code->is_string() ? std::string_view(code->as_string()) : "refused");
    }

    output_style style(bool exact) const {
        auto s = style_for(terminal);
        if (exact) s.compact = false;
        return s;
    }

    // One request; nullopt (after saying why) when irqd could not be reached.
    std::optional<answer> call(http::verb verb, const std::string& target, std::string request_body = {}) const {
        auto reply = http_call(global.url, verb, target, std::move(request_body), global.timeout);
        if (!reply) {
            fail(exit_code::server, reply.error_message());
            return std::nullopt;
        }
        boost::system::error_code ec;
        auto v = json::parse(reply->body, ec);
        if (ec || !v.is_object()) {
            // Another web server at that address: one line, not its whole page.
            auto type = reply->content_type.substr(0, reply->content_type.find(';'));
            fail(exit_code::server, global.url.text() + ": not an irqd API (HTTP " + std::to_string(reply->status) +
                                        (type.empty() ? "" : ", " + type) + ")",
                 "not_irqd");
            return std::nullopt;
        }
        return answer{std::move(*reply), std::move(v)};
    }

    // Exit 1 when the window held no sample at all: a table of zeros would read as "nothing fired".
    std::optional<int> no_samples(const answer& a) const {
        auto* w = a.json.as_object().if_contains("window");
        if (!w || !w->is_object() || count_field(*w, "frames") > 0 || !field(*w, "frames")) return std::nullopt;
        return fail(exit_code::server,
                    "no samples between " + string_field(*w, "asked_from") + " and " + string_field(*w, "asked_to") +
                        " (irqctl health shows how far back history reaches)",
                    "no_samples");
    }

    // The JSON as received (--json), or the table `render` makes of it.
    template <class Render>
    int print(const answer& a, Render render) const {
        if (global.json) out << a.reply.body << (a.reply.body.ends_with('\n') ? "" : "\n");
        else out << render(a.json);
        return exit_code::ok;
    }

    // GET `target`, then print it (`check` may refuse the answer first with an exit code).
    template <class Render>
    int show(const std::string& target, Render render, std::function<std::optional<int>(answer&)> check = {}) const {
        auto a = call(http::verb::get, target);
        if (!a) return exit_code::server;
        if (a->reply.status >= 400) return refused(*a);
        if (auto e = no_samples(*a)) return *e;
        if (check)
            if (auto e = check(*a)) return *e;
        return print(*a, render);
    }
};

// Asked CPUs missing from the answer do not exist (or were offline for the whole window).
std::optional<int> missing_cpus(const session& s, const session::answer& a, const std::string& asked) {
    if (asked.empty()) return std::nullopt;
    auto wanted = core::parse_cpu_list(asked);   // checked by parse_command_line
    core::cpu_set got;
    for (const auto& c : array_field(a.json, "cpus")) got.add(static_cast<unsigned>(count_value(c)));
    core::cpu_set missing;
    for (auto c : wanted->cpus())
        if (!got.contains(c)) missing.add(c);
    if (missing.empty()) return std::nullopt;
    return s.fail(exit_code::server,
                  std::string(missing.size() == 1 ? "CPU " : "CPUs ") + missing.to_list() +
                      " not on this machine (or offline for the whole window; irqctl summary lists the CPUs)",
                  "no_such_cpu");
}

int overview(const session& s, const overview_options& o) {
    auto params = window_params(o.when);
    params.insert(params.end(), {{"cpus", o.cpus}, {"top", o.top ? std::to_string(o.top) : ""}, {"name", o.name},
                                  {"netdev", o.netdev}, {"driver", o.driver}, {"device", o.device}});
    auto style = s.style(o.exact);
    return s.show(
        target_with("/api/v1/interrupts", params),
        [&](const json::value& v) { return render_overview(v, style, o.top, o.every_cpu); },
        [&](session::answer& a) {
            auto e = missing_cpus(s, a, o.cpus);
            if (!e) order_irqs(a.json, o.sort, o.top);
            if (!e && s.global.json) a.reply.body = json::serialize(a.json);
            return e;
        });
}

int show_irq(const session& s, const show_options& o) {
    return s.show(target_with("/api/v1/interrupts/" + percent_encode(o.irq), window_params(o.when)),
                  [&](const json::value& v) { return render_irq(v, s.style(false)); });
}

int health(const session& s) {
    return s.show("/api/v1/health", [&](const json::value& v) { return render_health(v); });
}

int history(const session& s, const history_options& o) {
    // The span for "nothing happened in ...": irqd's default window for events is 1 h.
    const auto& w = o.when;
    const std::string span = !w.from.empty() ? "the window from " + w.from + " to " + (w.to.empty() ? "now" : w.to)
                                             : "the last " + (w.window.empty() ? std::string("1h") : w.window);
    return s.show(target_with("/api/v1/events", window_params(o.when)), [&](const json::value& v) { return render_events(v, span); });
}

int devices(const session& s, const devices_options& o) {
    auto style = s.style(o.exact);
    return s.show(target_with("/api/v1/interrupts", window_params(o.when)),
                  [&](const json::value& v) { return render_devices(v, style); });
}

int summary(const session& s, const summary_options& o) {
    auto style = s.style(o.exact);
    // --top without --sort: the busiest CPUs, busiest first.
    const summary_rows rows{o.sort_given ? std::optional<std::string>(o.sort) : std::nullopt, o.top};
    return s.show(
        target_with("/api/v1/cpus", window_params(o.when)), [&](const json::value& v) { return render_summary(v, style, rows); },
        [&](session::answer& a) -> std::optional<int> {
            // Scripts get every CPU unless they asked for a --top: the table's default cut is for people.
            if (s.global.json && (o.sort_given || o.top.value_or(0))) {
                const summary_rows asked{rows.sort, o.top.value_or(0)};
                const auto cpus = array_field(a.json, "cpus").size();
                order_cpus(a.json, asked.sort_key(cpus), asked.top_for(cpus));
                a.reply.body = json::serialize(a.json);
            }
            return std::nullopt;
        });
}

// A file's text, or stdin's for "-".
core::result<std::string> read_input(const session& s, const std::string& path) {
    if (path == "-") return std::string(std::istreambuf_iterator<char>(s.in), {});
    std::ifstream f(path, std::ios::binary);
    if (!f) return core::error{"cannot read " + path + ": " + std::strerror(errno)};
    std::ostringstream text;
    text << f.rdbuf();
    return text.str();
}

int set(const session& s, const set_options& o) {
    auto changes = o.changes;
    if (!o.file.empty()) {
        auto text = read_input(s, o.file);
        if (!text) return s.fail(exit_code::usage, text.error_message());
        auto plan = parse_plan(*text, o.mask);
        if (!plan) return s.fail(exit_code::usage, (o.file == "-" ? "stdin" : o.file) + ": " + plan.error_message());
        changes = std::move(*plan);
    }
    auto request = make_affinity_request(changes);
    auto a = s.call(request.verb, request.target, request.body);
    if (!a) return exit_code::server;
    if (a->reply.status >= 400) return s.refused(*a, describe_affinity_error(a->json, error_text(a->reply)));
    auto style = s.style(false);
    return s.print(*a, [&](const json::value& v) { return render_affinity_result(v, style); });
}

// A plan from the daemon's measured rates; applied with --apply.
int plan_on_daemon(const session& s, const balance_options& o) {
    auto body = balance_request_body(
        {o.apply, o.window, o.cpus, o.max_moves, o.min_improvement, o.tolerance, o.numa, o.banned_cpus, o.banned_irqs,
         o.policy, o.devices, o.netdevs, o.distinct});
    auto a = s.call(http::verb::post, "/api/v1/balance", body);
    if (!a) return exit_code::server;
    if (a->reply.status >= 400) {
        std::string message = error_text(a->reply);
        if (a->json.is_object())
            if (const auto* e = a->json.as_object().if_contains("error"); e && e->is_object())
                if (const auto* rb = e->as_object().if_contains("rolled_back"); rb && rb->is_array() && !rb->as_array().empty())
                    message += " (nothing applied: " + std::to_string(rb->as_array().size()) + " IRQs rolled back)";
        return s.refused(*a, message);
    }
    auto style = s.style(true);
    return s.print(*a, [&](const json::value& v) { return render_service_plan(v, style); });
}

int revert(const session& s) {
    auto a = s.call(http::verb::post, "/api/v1/balance/revert");
    if (!a) return exit_code::server;
    if (a->reply.status >= 400) {
        // Name the verb, not the route: "see GET /api/v1/balance/history" means irqctl history here.
        auto message = error_text(a->reply);
        for (std::string_view route : {"GET /api/v1/balance/history", "GET /api/v1/events"})
            if (auto at = message.find(route); at != std::string::npos) message.replace(at, route.size(), "irqctl history");
        return s.refused(*a, message);
    }
    auto style = s.style(true);
    return s.print(*a, [&](const json::value& v) { return render_revert(v, style); });
}

// Applies a plan the daemon kept, exactly as it was shown.
int apply(const session& s, const apply_options& o) {
    auto a = s.call(http::verb::post, "/api/v1/balance/plans/" + std::to_string(o.plan_id) + "/apply");
    if (!a) return exit_code::server;
    if (a->reply.status >= 400) return s.fail(exit_code::server, error_text(a->reply));
    auto style = s.style(true);
    return s.print(*a, [&](const json::value& v) { return render_service_plan(v, style); });
}

int balance(const session& s, const balance_options& o) {
    if (o.file.empty()) return plan_on_daemon(s, o);
    auto text = read_input(s, o.file);
    if (!text) return s.fail(exit_code::usage, text.error_message());
    std::optional<core::cpu_set> cpus;
    if (!o.cpus.empty()) cpus = *core::parse_cpu_list(o.cpus);   // checked by parse_command_line
    auto b = balance_file_text(*text, cpus);
    if (!b) return s.fail(exit_code::usage, o.file + ": " + b.error_message());
    for (std::size_t i = 0; i < b->warnings.size() && i < max_warnings; ++i)
        s.err << "irqctl: warning: " << o.file << ": " << b->warnings[i] << " (skipped)\n";
    if (b->warnings.size() > max_warnings)
        s.err << "irqctl: warning: " << o.file << ": " << b->warnings.size() - max_warnings << " more lines skipped\n";
    if (s.global.json) s.out << json::serialize(to_json(*b)) << "\n";
    else s.out << render_balance(*b, o.file, s.style(true));
    return exit_code::ok;
}

}  // namespace

int run_irqctl(const std::vector<std::string>& args, const terminal_facts& terminal, const char* url_env,
               std::istream& in, std::ostream& out, std::ostream& err) {
    auto inv = parse_command_line(args, url_env);
    if (!inv) {
        if (std::find(args.begin(), args.end(), "--json") != args.end()) err << json_error("usage", inv.error_message());
        else err << "irqctl: " << inv.error_message() << "\n";
        return exit_code::usage;
    }
    if (inv->global.help) {
        out << help_text(inv->verb);
        return exit_code::ok;
    }
    if (inv->global.version) {
        out << "irqctl " << core::version() << "\n";
        return exit_code::ok;
    }
    session s{inv->global, terminal, in, out, err};
    return std::visit(
        [&](const auto& o) -> int {
            using T = std::decay_t<decltype(o)>;
            if constexpr (std::is_same_v<T, overview_options>) return overview(s, o);
            else if constexpr (std::is_same_v<T, summary_options>) return summary(s, o);
            else if constexpr (std::is_same_v<T, devices_options>) return devices(s, o);
            else if constexpr (std::is_same_v<T, set_options>) return set(s, o);
            else if constexpr (std::is_same_v<T, balance_options>) return balance(s, o);
            else if constexpr (std::is_same_v<T, watch_options>) return run_watch(inv->global, o, terminal, out, err);
            else if constexpr (std::is_same_v<T, revert_options>) return revert(s);
            else if constexpr (std::is_same_v<T, show_options>) return show_irq(s, o);
            else if constexpr (std::is_same_v<T, health_options>) return health(s);
            else if constexpr (std::is_same_v<T, history_options>) return history(s, o);
            else if constexpr (std::is_same_v<T, apply_options>) return apply(s, o);
            else return s.fail(exit_code::usage, "no verb given (see irqctl --help)");
        },
        inv->options);
}

}  // namespace irqd::client
