// Summary table layout.
#include "irqd/client/summary_view.hpp"

#include <algorithm>

#include "irqd/client/detail_views.hpp"
#include "irqd/client/json_fields.hpp"
#include "irqd/client/number_format.hpp"
#include "irqd/client/text_table.hpp"
#include "irqd/client/window_heading.hpp"
#include "irqd/core/cpu_set.hpp"

namespace irqd::client {

namespace {
// A daemon that reads /proc/stat, /proc/softirqs and softnet_stat gives each CPU "overloaded".
bool has_load(const boost::json::value& reply) {
    for (const auto& cpu : array_field(reply, "cpus"))
        if (field(cpu, "overloaded")) return true;
    return false;
}

// %IRQ, %SOFT, NET_RX/s, DROPS, SQUEEZES of one CPU; "-" where its file was missing.
std::vector<std::string> load_cells(const boost::json::value& cpu, const output_style& style) {
    auto share = [&](std::string_view key) { return field(cpu, key) ? format_share(number_field(cpu, key)) : "-"; };
    const auto* softirqs = field(cpu, "softirqs");
    const auto* net_rx = softirqs ? field(*softirqs, "NET_RX") : nullptr;
    const auto* softnet = field(cpu, "softnet");
    auto softnet_count = [&](std::string_view key) -> std::string {
        const auto* f = softnet ? field(*softnet, key) : nullptr;
        return f ? format_count(count_field(*f, "count"), style.compact) : "-";
    };
    return {share("irq_time_share"), share("softirq_time_share"),
            net_rx ? format_rate(number_field(*net_rx, "rate"), style.compact) : "-", softnet_count("dropped"),
            softnet_count("time_squeezed")};
}
}  // namespace

std::string summary_rows::sort_key(std::size_t cpus) const {
    if (sort) return *sort;
    return top_for(cpus) ? "rate" : "cpu";
}

std::size_t summary_rows::top_for(std::size_t cpus) const {
    if (top) return *top < cpus ? *top : 0;
    return cpus > default_summary_top ? default_summary_top : 0;
}

namespace {
// "The 16 busiest of 64 CPUs; ..." and "48 more not shown: 23.4% of the interrupts, the busiest of them
// 1.2k/s, 3 overloaded; --top all shows every CPU.": what the rows left out add up to, so nothing hot
// hides there.
std::string left_out_line(const boost::json::value& reply, const boost::json::value& shown, const output_style& style) {
    core::cpu_set kept;
    for (const auto& cpu : array_field(shown, "cpus")) kept.add(static_cast<unsigned>(count_field(cpu, "cpu")));
    std::size_t n = 0, overloaded = 0;
    double share = 0, busiest = 0;
    for (const auto& cpu : array_field(reply, "cpus")) {
        if (kept.contains(static_cast<unsigned>(count_field(cpu, "cpu")))) continue;
        ++n;
        share += number_field(cpu, "share");
        busiest = std::max(busiest, number_field(cpu, "rate"));
        overloaded += bool_field(cpu, "overloaded");
    }
    // Overloaded CPUs left out are worth a colour: they are what the summary is read for.
    return "The " + std::to_string(kept.size()) + " busiest of " + std::to_string(n + kept.size()) +
           " CPUs; TOTAL counts every CPU.\n" +
           paint(std::to_string(n) + " more not shown: " + format_share(share) + " of the interrupts, the busiest of them " +
                     format_rate(busiest, style.compact) + "/s" +
                     (overloaded ? ", " + std::to_string(overloaded) + " overloaded" : std::string()) +
                     "; --top all shows every CPU.",
                 overloaded ? ansi::yellow : ansi::dim, style.color);
}
}  // namespace

std::string render_summary(const boost::json::value& full, const output_style& style, const summary_rows& rows) {
    const auto cpus = array_field(full, "cpus").size();
    boost::json::value reply = full;
    order_cpus(reply, rows.sort_key(cpus), rows.top_for(cpus));
    const bool load = has_load(reply);
    std::vector<column> columns{{"CPU", align::right},  {"INTERRUPTS", align::right}, {"RATE/s", align::right},
                                {"SHARE", align::right}, {"IRQS", align::right},       {"NODE", align::right}};
    if (load)
        for (const char* name : {"%IRQ", "%SOFT", "NET_RX/s", "DROPS", "SQUEEZES"}) columns.push_back({name, align::right});
    columns.push_back({"FLAGS", align::left});
    text_table t(std::move(columns));
    for (const auto& cpu : array_field(reply, "cpus")) {
        std::string flags;
        auto flag = [&](bool on, std::string_view name) {
            if (on) flags += (flags.empty() ? "" : ",") + std::string(name);
        };
        flag(!bool_field(cpu, "online", true), "offline");
        flag(bool_field(cpu, "isolated"), "isolated");
        flag(bool_field(cpu, "nohz_full"), "nohz_full");
        const bool overloaded = bool_field(cpu, "overloaded");
        if (overloaded) {
            std::string why;
            for (const auto& r : array_field(cpu, "overload_reasons"))
                if (r.is_string()) why += (why.empty() ? "" : "+") + std::string(r.as_string());
            flag(true, "OVERLOADED:" + why);
        }
        auto* node = field(cpu, "node");
        std::vector<std::string> cells{
            std::to_string(count_field(cpu, "cpu")), format_count(count_field(cpu, "count"), style.compact),
            format_rate(number_field(cpu, "rate"), style.compact), format_share(number_field(cpu, "share")),
            std::to_string(count_field(cpu, "irqs")),
            node && (node->is_int64() || node->is_uint64()) && node->to_number<std::int64_t>() >= 0
                ? std::to_string(node->to_number<std::int64_t>())
                : "-"};
        if (load)
            for (auto& c : load_cells(cpu, style)) cells.push_back(std::move(c));
        cells.push_back(flags.empty() ? "-" : flags);
        t.add_row(std::move(cells), overloaded                            ? emphasis::strong
                                    : bool_field(cpu, "online", true) ? emphasis::none
                                                                      : emphasis::faint);
    }
    std::vector<std::string> total{"TOTAL", format_count(count_field(reply, "total"), style.compact),
                                   format_rate(number_field(reply, "rate"), style.compact),
                                   count_field(reply, "total") ? "100.0%" : "0.0%", "", ""};
    total.resize(total.size() + (load ? 5 : 0) + 1);
    t.add_row(std::move(total), emphasis::strong);
    auto* window = field(reply, "window");
    std::string out = window ? window_heading("Interrupts serviced per CPU", *window, style) : "";
    if (array_field(reply, "cpus").size() < cpus) out += left_out_line(full, reply, style) + "\n";
    return out + "\n" + t.render(style.color);
}

}  // namespace irqd::client
