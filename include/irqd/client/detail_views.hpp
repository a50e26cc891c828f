// The small irqctl views: `show IRQ` (GET /api/v1/interrupts/{irq}), `health` (GET /api/v1/health),
// `history` (GET /api/v1/events), and the row order and cut of `overview` and `summary`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

// Sorts reply["irqs"] by `key` (load: rate, busiest first; irq: number, names after; name) and keeps
// the first `top` (0: all).
void order_irqs(boost::json::value& reply, std::string_view key, std::size_t top);
// Keeps the `top` busiest of reply["cpus"] (0: all) and sorts them by `key` (cpu: number; rate: busiest first).
void order_cpus(boost::json::value& reply, std::string_view key, std::size_t top);

// With more than `all_cpus_up_to` CPUs, the CPUs where the IRQ did not fire in the window share one
// row (their CPU list, 0, 0) after the ones where it did.
inline constexpr std::size_t all_cpus_up_to = 8;
std::string render_irq(const boost::json::value& reply, const output_style& style);
std::string render_health(const boost::json::value& reply);
// `span` names the window asked ("the last 1h") for the line that says nothing happened in it.
std::string render_events(const boost::json::value& reply, std::string_view span = "the window");

}  // namespace irqd::client
