// /proc/net/softnet_stat: per-CPU packet processing of the network stack, in hex. The columns grew
// with the kernel (net/core/net-procfs.c; earlier net/core/dev.c):
//   9  (2.6.23+)  processed dropped time_squeeze 0 0 0 0 0 cpu_collision
//   10 (2.6.35+)  ... received_rps
//   11 (3.11+)    ... flow_limit_count
//   13 (5.10+, RHEL 8.5's 4.18) ... backlog length, CPU id (column 9, cpu_collision, is 0 since then)
//   15 (6.4+)     the same 13, then the input and process queue lengths
// Only online CPUs have a line; before 5.10 nothing says which CPU a line is, so lines are matched to
// the online CPUs in order. Pure: text in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "irqd/core/interrupts.hpp"

namespace irqd::core {

struct softnet_cpu {
    unsigned cpu = 0;
    std::uint64_t processed = 0;            // packets taken off the backlog / polled
    std::uint64_t dropped = 0;              // dropped because the backlog (netdev_max_backlog) was full
    std::uint64_t time_squeezed = 0;        // net_rx_action ran out of budget or time with work left
    std::uint64_t received_rps = 0;         // 0 before 2.6.35
    std::uint64_t flow_limit_count = 0;     // 0 before 3.11
    std::optional<std::uint64_t> backlog_len;   // 5.10+
};

struct softnet_stat {
    std::vector<softnet_cpu> cpus;          // one per line, in the file's order
    std::size_t columns = 0;                // of the first good line
    bool cpu_ids = false;                   // CPUs come from the kernel's id column
    std::vector<parse_issue> issues;
};

// `online`: the online CPUs in ascending order (the /proc/stat or /proc/interrupts columns), used to
// number lines that carry no CPU id; without it, or when the line count differs from it, line i is
// CPU i (and an issue says so when the counts differ). Lines with fewer than 9 columns or a word that
// is not hex are skipped and recorded.
softnet_stat parse_softnet_stat(std::string_view text, std::span<const unsigned> online = {});

}  // namespace irqd::core
