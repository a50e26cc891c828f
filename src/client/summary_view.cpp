// Summary table layout.
#include "irqd/client/summary_view.hpp"

#include "irqd/client/json_fields.hpp"
#include "irqd/client/number_format.hpp"
#include "irqd/client/text_table.hpp"
#include "irqd/client/window_heading.hpp"

namespace irqd::client {

std::string render_summary(const boost::json::value& reply, const output_style& style) {
    text_table t({{"CPU", align::right}, {"INTERRUPTS", align::right}, {"RATE/s", align::right}, {"SHARE", align::right},
                  {"IRQS", align::right}, {"NODE", align::right}, {"FLAGS", align::left}});
    for (const auto& cpu : array_field(reply, "cpus")) {
        std::string flags;
        auto flag = [&](bool on, std::string_view name) {
            if (on) flags += (flags.empty() ? "" : ",") + std::string(name);
        };
        flag(!bool_field(cpu, "online", true), "offline");
        flag(bool_field(cpu, "isolated"), "isolated");
        flag(bool_field(cpu, "nohz_full"), "nohz_full");
        auto* node = field(cpu, "node");
        t.add_row({std::to_string(count_field(cpu, "cpu")), format_count(count_field(cpu, "count"), style.compact),
                   format_rate(number_field(cpu, "rate"), style.compact), format_share(number_field(cpu, "share")),
                   std::to_string(count_field(cpu, "irqs")),
                   node && (node->is_int64() || node->is_uint64()) && node->to_number<std::int64_t>() >= 0
                       ? std::to_string(node->to_number<std::int64_t>())
                       : "-",
                   flags.empty() ? "-" : flags},
                  bool_field(cpu, "online", true) ? emphasis::none : emphasis::faint);
    }
    t.add_row({"TOTAL", format_count(count_field(reply, "total"), style.compact),
               format_rate(number_field(reply, "rate"), style.compact), count_field(reply, "total") ? "100.0%" : "0.0%", "",
               "", ""},
              emphasis::strong);
    auto* window = field(reply, "window");
    std::string out = window ? window_heading("Interrupts serviced per CPU", *window, style) : "";
    return out + "\n" + t.render(style.color);
}

}  // namespace irqd::client
