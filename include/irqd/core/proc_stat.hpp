// The per-CPU time lines of /proc/stat ("cpu  ..." and "cpuN ..."), in USER_HZ ticks: what mpstat's
// %irq and %soft are computed from. Pure: text in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "irqd/core/interrupts.hpp"

namespace irqd::core {

struct cpu_time {
    std::optional<unsigned> cpu;    // nullopt for the "cpu" line (all CPUs)
    std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    // Wall time the CPU accounted: every field above (guest time is already inside user and nice).
    std::uint64_t total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
};

struct proc_stat {
    std::optional<cpu_time> all;            // the "cpu" line
    std::vector<cpu_time> cpus;             // "cpuN" lines: online CPUs only, in the file's order
    std::vector<parse_issue> issues;
};

// Reads the cpu lines; other lines (intr, ctxt, softirq, ...) are ignored. Old kernels print fewer
// fields (2.6.0: no steal; 2.4: only four): missing ones are 0. A cpu line with fewer than four
// numbers, or text that is not a number, is recorded in `issues` and skipped.
proc_stat parse_proc_stat(std::string_view text);

}  // namespace irqd::core
