// The per-CPU load counters sampled beside /proc/interrupts (time in hard and soft interrupts from
// /proc/stat, /proc/softirqs, softnet_stat), laid out as a snapshot whose rows are named series and
// whose columns are CPUs, so the same delta_tracker and history keep them with the same tiers and
// windows as the IRQ counts. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "irqd/core/history.hpp"
#include "irqd/core/interrupts.hpp"
#include "irqd/core/proc_stat.hpp"
#include "irqd/core/softirqs.hpp"
#include "irqd/core/softnet_stat.hpp"

namespace irqd::core::cpu_series {
// /proc/stat, in USER_HZ ticks
inline constexpr std::string_view irq_time = "stat.irq";
inline constexpr std::string_view softirq_time = "stat.softirq";
inline constexpr std::string_view total_time = "stat.total";
// softnet_stat
inline constexpr std::string_view processed = "softnet.processed";
inline constexpr std::string_view dropped = "softnet.dropped";
inline constexpr std::string_view time_squeezed = "softnet.time_squeezed";
inline constexpr std::string_view received_rps = "softnet.received_rps";
inline constexpr std::string_view flow_limit_count = "softnet.flow_limit_count";
// /proc/softirqs rows are "softirq." + the kernel's name ("softirq.NET_RX")
inline constexpr std::string_view softirq_prefix = "softirq.";
}  // namespace irqd::core::cpu_series

namespace irqd::core {

// Fills `out` (reusing its buffers) with one row per series of each source given (null: the file
// is missing, its rows are left out) over the union of their CPUs; a CPU a source has no line for
// counts 0 there.
void cpu_counters_snapshot(const proc_stat* stat, const softirq_table* softirqs, const softnet_stat* softnet,
                           snapshot& out);

// One series' value for a CPU column of a queried window; nullopt when the series is not in it.
std::optional<std::uint64_t> series_count(const window_counts& w, std::string_view series, std::size_t column);

}  // namespace irqd::core
