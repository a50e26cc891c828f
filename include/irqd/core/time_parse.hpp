// Time in the API's words: durations ("60s", "5m", "1h30m", "2d", bare seconds), instants (RFC 3339
// or Unix seconds) and their formatting. Pure; the clock is read by callers, never here.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "irqd/core/result.hpp"

namespace irqd::core {

using clock_time = std::chrono::system_clock::time_point;

// The longest window a request may ask about (a query, a balance plan): longer than any history keeps.
inline constexpr std::chrono::hours max_window{24 * 400};
inline constexpr std::string_view max_window_text = "400 days";

result<std::chrono::milliseconds> parse_duration(std::string_view text);
result<clock_time> parse_time(std::string_view text);
std::string format_rfc3339(clock_time t);          // "2026-11-23T19:32:56.123Z" (ms when not whole)
std::string format_duration(std::chrono::milliseconds d);  // "1h30m", "60s", "250ms"

}  // namespace irqd::core
