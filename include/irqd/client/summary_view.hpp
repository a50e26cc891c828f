// `irqctl summary`: per CPU, the interrupts serviced in a window (GET /api/v1/cpus), with rate,
// share, how many IRQs are routed to it, its interrupt load, and its flags.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

// Machines with more CPUs than this show their busiest this many unless a --top is given: 64 rows are
// three screens, and the CPUs that matter are the busy ones.
inline constexpr std::size_t default_summary_top = 16;

// Which rows, in which order: --sort (none: CPU order, busiest first when rows are left out) and --top
// (0: every CPU; none: every CPU up to default_summary_top, the busiest that many above).
struct summary_rows {
    std::optional<std::string> sort;   // "cpu" or "rate"
    std::optional<std::size_t> top;
    // The --sort and --top that pick these rows from `cpus` CPUs.
    std::string sort_key(std::size_t cpus) const;
    std::size_t top_for(std::size_t cpus) const;
};

// Columns CPU, INTERRUPTS, RATE/s, SHARE, IRQS, NODE, then (from a daemon that reports CPU load)
// %IRQ, %SOFT, NET_RX/s, DROPS, SQUEEZES, then FLAGS (isolated, nohz_full, offline,
// OVERLOADED:reason+reason); then a TOTAL row (every CPU). Overloaded CPUs are bold. When `rows`
// leaves CPUs out, a line under the heading says how many, their share of the interrupts, the rate
// of the busiest of them and how many are overloaded, and that --top all shows every CPU.
std::string render_summary(const boost::json::value& reply, const output_style& style, const summary_rows& rows = {});

}  // namespace irqd::client
