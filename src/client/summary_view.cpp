// Summary table layout.
#include "irqd/client/summary_view.hpp"

#include "irqd/client/json_fields.hpp"
#include "irqd/client/number_format.hpp"
#include "irqd/client/text_table.hpp"
#include "irqd/client/window_heading.hpp"

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

std::string render_summary(const boost::json::value& reply, const output_style& style) {
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
    return out + "\n" + t.render(style.color);
}

}  // namespace irqd::client
