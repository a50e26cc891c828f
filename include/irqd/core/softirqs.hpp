// /proc/softirqs: how often each softirq (HI, TIMER, NET_TX, NET_RX, ...) ran on each CPU. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "irqd/core/interrupts.hpp"

namespace irqd::core {

struct softirq_table {
    std::vector<unsigned> cpus;             // the header's CPU numbers, in order
    std::vector<std::string> names;         // "HI", "TIMER", "NET_TX", "NET_RX", ...
    std::vector<std::uint64_t> counts;      // names.size() * cpus.size(), row-major
    std::vector<parse_issue> issues;

    std::uint64_t count(std::size_t row, std::size_t col) const { return counts[row * cpus.size() + col]; }
};

// Rows take the header's columns in order; a short row counts 0 in the missing columns (and is
// noted in `issues`); a row with a bad number is skipped. No header: no rows, one issue.
softirq_table parse_softirqs(std::string_view text);

}  // namespace irqd::core
