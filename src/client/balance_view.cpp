// Text views of the daemon's balance plans and reverts for irqctl.
#include "irqd/client/balance_view.hpp"

#include <boost/json.hpp>

#include <cstdio>

#include "irqd/client/number_format.hpp"
#include "irqd/client/terminal.hpp"
#include "irqd/client/text_table.hpp"

namespace irqd::client {
namespace json = boost::json;

namespace {
std::uint64_t count(const json::value& v) { return v.is_number() ? v.to_number<std::uint64_t>() : 0; }
double real(const json::value& v) { return v.is_number() ? v.to_number<double>() : 0.0; }
std::string text(const json::value& v) { return v.is_string() ? printable(v.as_string()) : v.is_null() ? "?" : json::serialize(v); }

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}
}  // namespace

std::string balance_request_body(const balance_request& r) {
    json::object o;
    if (r.apply) o["apply"] = true;
    if (!r.window.empty()) o["window"] = r.window;
    if (!r.cpus.empty()) o["cpus"] = r.cpus;
    if (r.max_moves) o["max_moves"] = *r.max_moves;
    if (r.min_improvement) o["min_improvement"] = *r.min_improvement;
    if (r.tolerance) o["tolerance"] = *r.tolerance;
    if (!r.numa.empty()) o["numa"] = r.numa;
    if (!r.banned_cpus.empty()) o["banned_cpus"] = r.banned_cpus;
    auto names = [&](std::string_view key, const std::vector<std::string>& list) {
        if (list.empty()) return;
        json::array a;
        for (const auto& i : list) a.push_back(json::value(i));
        o[key] = std::move(a);
    };
    names("banned_irqs", r.banned_irqs);
    if (!r.policy.empty()) o["policy"] = r.policy;
    names("devices", r.devices);
    names("netdevs", r.netdevs);
    if (r.distinct) o["distinct"] = true;
    return json::serialize(o);
}

std::string render_service_plan(const json::value& plan, const output_style& style) {
    const auto& p = plan.as_object();
    const auto& window = p.at("window").as_object();
    std::string out;
    bool applied = p.at("applied").as_bool();
    std::size_t moves = p.at("moves").as_array().size();
    // An older irqd sends no plan id.
    const std::string id = p.contains("id") ? std::to_string(count(p.at("id"))) : std::string();
    std::string head = (applied ? "Applied plan " + std::to_string(count(p.at("plan_id"))) + ": "
                                : "Plan" + (id.empty() ? "" : " " + id) + (p.at("dry_run").as_bool() ? " (dry run): " : ": ")) +
                       std::to_string(moves) + (moves == 1 ? " move" : " moves") + " over CPUs " + text(p.at("cpus")) +
                       "; loads are interrupts counted over " + fixed(real(window.at("seconds")), 1) + " s";
    out += paint(head, ansi::bold, style.color) + "\n";
    for (const auto& n : p.at("notes").as_array()) out += "note: " + text(n) + "\n";
    // Moves off CPUs outside the plan (banned, isolated, ...) are made whatever the improvement;
    // an older irqd sends neither forced_moves nor metric.*.outside.
    const std::uint64_t forced = p.contains("forced_moves") ? count(p.at("forced_moves")) : 0;
    const std::string threshold = fixed(real(p.at("options").at("min_improvement")) * 100, 2) + "%";
    if (p.at("below_threshold").as_bool() && forced)
        out += "only the " + std::to_string(forced) + " moves off CPUs outside the plan are made: the " +
               std::to_string(count(p.at("held_back"))) + " others would lower the busiest CPU by " +
               fixed(real(p.at("improvement")) * 100, 2) + "% more, below " + threshold + "\n";
    else if (p.at("below_threshold").as_bool())
        out += "nothing moves: the best plan (" + std::to_string(count(p.at("held_back"))) +
               " moves) would lower the busiest CPU by " + fixed(real(p.at("improvement")) * 100, 2) + "%, below " +
               threshold + "\n";
    else if (forced)
        out += std::to_string(forced) + " of the moves take IRQs off CPUs outside the plan; they are made whatever the gain\n";
    out += "\n";
    if (moves) {
        text_table t({{"IRQ", align::right}, {"NAME", align::left}, {"LOAD", align::right}, {"FROM", align::right},
                      {"TO", align::right}});
        for (const auto& m : p.at("moves").as_array())
            t.add_row({text(m.at("irq")), text(m.at("name")), format_count(count(m.at("load")), false), text(m.at("from")),
                       std::to_string(count(m.at("to")))});
        out += t.render(style.color) + "\n";
    }
    text_table loads({{"CPU", align::right}, {"BEFORE", align::right}, {"SHARE", align::right}, {"AFTER", align::right},
                      {"SHARE", align::right}});
    for (const auto& c : p.at("cpu_loads").as_array())
        loads.add_row({std::to_string(count(c.at("cpu"))), format_count(count(c.at("before")), false),
                       format_share(real(c.at("share_before"))), format_count(count(c.at("after")), false),
                       format_share(real(c.at("share_after")))});
    out += loads.render(style.color) + "\n";

    const auto& before = p.at("metric").at("before");
    const auto& after = p.at("metric").at("after");
    text_table m({{"METRIC", align::left}, {"BEFORE", align::right}, {"AFTER", align::right}});
    m.add_row({"spread (max - min)", format_count(count(before.at("spread")), false), format_count(count(after.at("spread")), false)});
    m.add_row({"max load", format_count(count(before.at("max_load")), false), format_count(count(after.at("max_load")), false)});
    m.add_row({"peak-to-mean", fixed(real(before.at("peak_to_mean")), 6), fixed(real(after.at("peak_to_mean")), 6)});
    m.add_row({"lower bound", format_count(count(before.at("lower_bound")), false), format_count(count(after.at("lower_bound")), false)});
    if (p.contains("moves_lower_bound") && !applied)
        m.add_row({"moves (lower bound)", "", std::to_string(moves) + " (" + std::to_string(count(p.at("moves_lower_bound"))) + ")"});
    m.add_row({"gap (max - lower bound)", format_count(count(before.at("gap")), false), format_count(count(after.at("gap")), false)});
    if (before.as_object().contains("outside") && (count(before.at("outside")) || count(after.at("outside"))))
        m.add_row({"on CPUs outside the plan", format_count(count(before.at("outside")), false),
                   format_count(count(after.at("outside")), false)});
    out += m.render(style.color);
    out += std::string(forced ? "improvement of the busiest CPU over the forced moves alone: " : "improvement of the busiest CPU: ") +
           fixed(real(p.at("improvement")) * 100, 2) + "%" +
           (p.at("proven_optimal").as_bool() ? ", proven optimal" : "") + "\n";
    if (!applied && moves)
        out += id.empty() ? "apply with: irqctl balance --apply (same options)\n" : "apply with: irqctl apply " + id + "\n";
    if (applied) out += "undo with: irqctl revert\n";
    return out;
}

std::string render_revert(const json::value& answer, const output_style& style) {
    const auto& a = answer.as_object();
    std::string out = paint("Reverted plan " + std::to_string(count(a.at("reverted"))) + ": " +
                                std::to_string(count(a.at("changed"))) + " IRQs restored",
                            ansi::bold, style.color) +
                      "\n";
    text_table t({{"IRQ", align::right}, {"CPUS", align::right}});
    for (const auto& r : a.at("restored").as_array()) t.add_row({text(r.at("irq")), text(r.at("cpus"))});
    if (!a.at("restored").as_array().empty()) out += "\n" + t.render(style.color);
    return out;
}

}  // namespace irqd::client
