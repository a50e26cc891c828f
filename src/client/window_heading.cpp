// The window line above overview and summary tables.
#include "irqd/client/window_heading.hpp"

#include <chrono>
#include <cmath>

#include "irqd/client/json_fields.hpp"
#include "irqd/core/time_parse.hpp"

namespace irqd::client {

std::string window_heading(std::string_view what, const boost::json::value& window, const output_style& style) {
    auto ms = std::chrono::milliseconds(std::llround(number_field(window, "seconds") * 1000));
    auto frames = count_field(window, "frames");
    auto resolution = count_field(window, "resolution_s");
    std::string line = std::string(what) + " from " + string_field(window, "from", "?") + " to " +
                       string_field(window, "to", "?") + " (" + core::format_duration(ms) + ", " +
                       std::to_string(frames) + (frames == 1 ? " sample" : " samples") + " at " +
                       core::format_duration(std::chrono::seconds(resolution)) + " resolution)";
    std::string out = paint(line, ansi::bold, style.color) + "\n";
    if (frames == 0)
        out += paint("note: no samples fell in this window yet", ansi::yellow, style.color) + "\n";
    else if (!bool_field(window, "complete", true))
        out += paint("note: history reaches back only to " + string_field(window, "from", "?") + " (asked from " +
                         string_field(window, "asked_from", "?") + ")",
                     ansi::yellow, style.color) +
               "\n";
    return out;
}

}  // namespace irqd::client
