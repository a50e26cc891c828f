// The window line above overview and summary tables.
#include "irqd/client/window_heading.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "irqd/client/json_fields.hpp"
#include "irqd/core/time_parse.hpp"

namespace irqd::client {

namespace {
// Window lengths are sample-aligned and a few ms off whole seconds ("3s2ms"): 0.1 s is precision
// enough, and whole lengths read as the duration that was asked for ("1m", "1h30m").
std::string window_length(double seconds) {
    auto tenths = std::llround(seconds * 10);
    if (tenths % 10 == 0 || tenths >= 600) return core::format_duration(std::chrono::seconds((tenths + 5) / 10));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fs", static_cast<double>(tenths) / 10);
    return buf;
}
}  // namespace

std::string window_heading(std::string_view what, const boost::json::value& window, const output_style& style) {
    auto frames = count_field(window, "frames");
    auto resolution = count_field(window, "resolution_s");
    std::string line = std::string(what) + " from " + string_field(window, "from", "?") + " to " +
                       string_field(window, "to", "?") + " (" + window_length(number_field(window, "seconds")) + ", " +
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
    else if (auto note = string_field(window, "note"); !note.empty())
        out += paint("note: " + note, ansi::yellow, style.color) + "\n";
    return out;
}

}  // namespace irqd::client
