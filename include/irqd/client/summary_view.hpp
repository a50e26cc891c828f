// `irqctl summary`: per CPU, the interrupts serviced in a window (GET /api/v1/cpus), with rate,
// share, how many IRQs are routed to it, its interrupt load, and its flags.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

// Columns CPU, INTERRUPTS, RATE/s, SHARE, IRQS, NODE, then (from a daemon that reports CPU load)
// %IRQ, %SOFT, NET_RX/s, DROPS, SQUEEZES, then FLAGS (isolated, nohz_full, offline,
// OVERLOADED:reason+reason); then a TOTAL row. Overloaded CPUs are bold.
std::string render_summary(const boost::json::value& reply, const output_style& style);

}  // namespace irqd::client
