// Key-value and short tables for show, health and history; sorting of the overview and summary rows.
#include "irqd/client/detail_views.hpp"

#include <algorithm>
#include <charconv>

#include <boost/json.hpp>

#include "irqd/client/json_fields.hpp"
#include "irqd/client/number_format.hpp"
#include "irqd/client/text_table.hpp"
#include "irqd/client/window_heading.hpp"
#include "irqd/core/cpu_set.hpp"

namespace irqd::client {
namespace json = boost::json;

namespace {

// An IRQ id's number, or a value above every number for names (NMI, LOC) so they sort last.
unsigned long irq_number(const json::value& irq) {
    auto id = string_field(irq, "irq");
    unsigned long n = 0;
    auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
    return ec == std::errc{} && p == id.data() + id.size() ? n : ~0ul;
}

std::string text_of(const json::value* v) {
    if (!v || v->is_null()) return "-";
    if (v->is_string()) return std::string(v->as_string());
    return json::serialize(*v);
}

void line(std::string& out, std::string_view key, const std::string& value) {
    out += std::string(key) + ":" + std::string(key.size() < 17 ? 17 - key.size() : 1, ' ') + value + "\n";
}

}  // namespace

void order_irqs(json::value& reply, std::string_view key, std::size_t top) {
    auto* irqs = reply.is_object() ? reply.as_object().if_contains("irqs") : nullptr;
    if (!irqs || !irqs->is_array()) return;
    auto& a = irqs->as_array();
    if (key == "irq")
        std::stable_sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return irq_number(x) < irq_number(y); });
    else if (key == "name")
        std::stable_sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return string_field(x, "name") < string_field(y, "name"); });
    else
        std::stable_sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return number_field(x, "rate") > number_field(y, "rate"); });
    if (top && a.size() > top) a.resize(top);
}

void order_cpus(json::value& reply, std::string_view key, std::size_t top) {
    auto* cpus = reply.is_object() ? reply.as_object().if_contains("cpus") : nullptr;
    if (!cpus || !cpus->is_array()) return;
    auto& a = cpus->as_array();
    const bool cut = top && a.size() > top;
    if (key == "rate" || cut)
        std::stable_sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return number_field(x, "rate") > number_field(y, "rate"); });
    if (cut) a.resize(top);
    // The busiest `top`, back in CPU order.
    if (cut && key == "cpu")
        std::sort(a.begin(), a.end(), [](const auto& x, const auto& y) { return count_field(x, "cpu") < count_field(y, "cpu"); });
}

std::string render_irq(const json::value& reply, const output_style& style) {
    std::string out;
    line(out, "IRQ", string_field(reply, "irq"));
    line(out, "name", text_of(field(reply, "name")));
    std::string chip;
    for (const char* k : {"chip", "hwirq", "trigger"})
        if (auto part = string_field(reply, k); !part.empty()) chip += (chip.empty() ? "" : " ") + part;
    line(out, "chip", chip.empty() ? "-" : chip);
    if (auto* d = field(reply, "device"); d && d->is_object()) {
        std::string device = string_field(*d, "pci", "-") + " driver " + string_field(*d, "driver", "-");
        for (const auto& n : array_field(*d, "netdevs"))
            if (n.is_string()) device += " " + std::string(n.as_string());
        if (auto* q = field(*d, "queue"); q && !q->is_null()) device += " queue " + text_of(q) + " " + string_field(*d, "direction");
        line(out, "device", device);
    }
    line(out, "affinity", text_of(field(reply, "affinity")) + " (mask " + text_of(field(reply, "affinity_mask")) + ")");
    line(out, "effective", text_of(field(reply, "effective")));
    line(out, "node", text_of(field(reply, "node")));
    line(out, "total since boot", format_count(count_field(reply, "total"), style.compact));
    if (auto* w = field(reply, "window")) out += "\n" + window_heading("Interrupts of IRQ " + string_field(reply, "irq"), *w, style);
    text_table t({{"CPU", align::right}, {"COUNT", align::right}, {"RATE/s", align::right}});
    const auto& counts = array_field(reply, "window_counts");
    core::cpu_set quiet;   // 64 rows of zeros for an IRQ that fires on one CPU read badly: one row for them
    for (const auto& c : counts) {
        const auto cpu = count_field(c, "cpu"), count = count_field(c, "count");
        if (count == 0 && counts.size() > all_cpus_up_to) {
            quiet.add(static_cast<unsigned>(cpu));
            continue;
        }
        t.add_row({std::to_string(cpu), format_count(count, style.compact), format_rate(number_field(c, "rate"), style.compact)});
    }
    if (!quiet.empty()) t.add_row({quiet.to_list(), format_count(0, style.compact), format_rate(0.0, style.compact)});
    t.add_row({"TOTAL", format_count(count_field(reply, "window_total"), style.compact),
               format_rate(number_field(reply, "rate"), style.compact)},
              emphasis::strong);
    return out + t.render(style.color);
}

std::string render_health(const json::value& reply) {
    std::string out;
    for (const char* k : {"status", "version", "simulated", "read_only", "procfs", "sysfs", "interval_ms", "samples",
                          "samples_skipped", "samples_late", "parse_issues", "last_sample", "last_error", "cpus", "irqs",
                          "affinity_writes", "affinity_failures", "connections"})
        if (auto* v = field(reply, k)) line(out, k, text_of(v));
    if (auto* h = field(reply, "history"))
        line(out, "history", string_field(*h, "tiers") + ", " + text_of(field(*h, "oldest")) + " .. " +
                                 text_of(field(*h, "newest")) + ", " + std::to_string(count_field(*h, "bytes")) + " bytes");
    if (auto* s = field(reply, "stream"))
        line(out, "stream", std::to_string(count_field(*s, "subscribers")) + " subscribers, " +
                                std::to_string(count_field(*s, "messages")) + " messages");
    return out;
}

std::string render_events(const json::value& reply, std::string_view span) {
    const auto& events = array_field(reply, "events");
    if (events.empty()) return "No plans, reverts or affinity changes in " + std::string(span) + ".\n";
    text_table t({{"TIME", align::left}, {"TYPE", align::left}, {"SOURCE", align::left}, {"IRQS", align::right},
                  {"PLAN", align::right}, {"SUMMARY", align::left}});
    for (const auto& e : events)
        t.add_row({string_field(e, "time"), string_field(e, "type"), string_field(e, "source"),
                   std::to_string(count_field(e, "irqs")), text_of(field(e, "plan_id")), string_field(e, "summary")});
    return t.render(false);
}

}  // namespace irqd::client
