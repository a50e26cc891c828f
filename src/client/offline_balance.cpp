// The offline balance: parse, build the balancer's input, and present its plan.
#include "irqd/client/offline_balance.hpp"

#include <boost/json.hpp>

#include <cstdio>

#include "irqd/client/number_format.hpp"
#include "irqd/client/text_table.hpp"
#include "irqd/core/balancer_json.hpp"
#include "irqd/core/interrupts.hpp"

namespace irqd::client {
namespace json = boost::json;

namespace {
std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string significant(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2g", v);
    return buf;
}

std::string cpu_list_text(const std::vector<unsigned>& cpus) {
    core::cpu_set s;
    for (auto c : cpus) s.add(c);
    return s.to_list();
}
}  // namespace

core::result<offline_balance> balance_file_text(std::string_view text, const std::optional<core::cpu_set>& cpus) {
    auto snap = core::parse_interrupts(text);
    if (snap.cpus.empty()) return core::error{"no CPU header line (like '   CPU0   CPU1') found"};
    offline_balance out;
    for (const auto& issue : snap.issues)
        out.warnings.push_back("line " + std::to_string(issue.line) + ": " + issue.reason);

    core::balance_input in;
    // The balancer wants CPUs ascending and unique; a header is, but --cpus goes through a set anyway.
    core::cpu_set targets;
    for (auto c : snap.cpus) targets.add(c);
    in.cpus = cpus ? cpus->cpus() : targets.cpus();
    out.cpus = in.cpus;
    for (std::size_t r = 0; r < snap.rows.size(); ++r) {
        const auto& row = snap.rows[r];
        if (!row.number || !row.per_cpu) continue;
        in.items.push_back({row.id, snap.row_total(r), {}, std::nullopt});
        out.assignments.push_back({row.id, row.name, snap.row_total(r), 0});
    }
    if (in.items.empty()) return core::error{"no numeric IRQ rows to balance"};

    auto plan = core::balance(std::move(in));
    for (std::size_t i = 0; i < out.assignments.size(); ++i) out.assignments[i].cpu = plan.cpu_of[i];
    out.metric = plan.metric;
    out.proven_optimal = plan.proven_optimal;
    return out;
}

json::value to_json(const offline_balance& b) {
    json::array cpus(b.cpus.begin(), b.cpus.end());
    json::array assignments;
    for (const auto& a : b.assignments)
        assignments.push_back(json::object{{"irq", a.irq}, {"name", a.name}, {"load", a.load}, {"cpu", a.cpu}});
    json::array loads;
    for (const auto& c : b.metric.cpus) loads.push_back(json::object{{"cpu", c.cpu}, {"load", c.load}, {"share", c.share}});
    auto metric = json::value_from(b.metric);
    metric.as_object()["proven_optimal"] = b.proven_optimal;
    return json::object{{"cpus", std::move(cpus)},
                        {"assignments", std::move(assignments)},
                        {"cpu_loads", std::move(loads)},
                        {"metric", std::move(metric)}};
}

std::string render_balance(const offline_balance& b, std::string_view source, const output_style& style) {
    std::string out = paint("Balance of " + std::to_string(b.assignments.size()) + " IRQs from " + std::string(source) +
                                " onto CPUs " + cpu_list_text(b.cpus),
                            ansi::bold, style.color) +
                      "\n\n";
    text_table plan({{"IRQ", align::right}, {"NAME", align::left}, {"LOAD", align::right}, {"CPU", align::right}});
    for (const auto& a : b.assignments) plan.add_row({a.irq, a.name, format_count(a.load, false), std::to_string(a.cpu)});
    out += plan.render(style.color) + "\n";

    text_table loads({{"CPU", align::right}, {"LOAD", align::right}, {"SHARE", align::right}, {"IRQS", align::right}});
    for (const auto& c : b.metric.cpus) {
        std::size_t n = 0;
        for (const auto& a : b.assignments) n += a.cpu == c.cpu;
        loads.add_row({std::to_string(c.cpu), format_count(c.load, false), format_share(c.share), std::to_string(n)});
    }
    loads.add_row({"TOTAL", format_count(b.metric.total, false), format_share(b.metric.total ? 1.0 : 0.0),
                   std::to_string(b.assignments.size())},
                  emphasis::strong);
    out += loads.render(style.color) + "\n";

    const auto& m = b.metric;
    std::string verdict = b.proven_optimal ? paint("proven optimal", ansi::green, style.color)
                                           : "best found, not proven optimal (at most " + significant(m.gap_ratio * 100) +
                                                 "% above the optimum)";
    text_table metric({{"METRIC", align::left}, {"VALUE", align::right}});
    metric.add_row({"spread (max - min)", format_count(m.spread, false)});
    metric.add_row({"max load", format_count(m.max_load, false)});
    metric.add_row({"min load", format_count(m.min_load, false)});
    metric.add_row({"peak-to-mean", fixed(m.peak_to_mean, 9)});
    metric.add_row({"lower bound", format_count(m.lower_bound, false)});
    metric.add_row({"gap (max - lower bound)", format_count(m.gap, false)});
    out += metric.render(style.color) + verdict + "\n";
    return out;
}

}  // namespace irqd::client
