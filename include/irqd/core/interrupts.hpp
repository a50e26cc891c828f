// A parsed /proc/interrupts: the value the parser returns and everything downstream consumes.
// Pure data; counts are stored row-major in one flat vector so a 256x4096 table is one allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irqd/core/huge_pages.hpp"

namespace irqd::core {

struct irq_row {
    std::string id;                  // text before ':' ("132", "NMI", "IPI0", "ERR")
    std::optional<unsigned> number;  // numeric IRQs only
    std::string chip;                // "IR-PCI-MSI", "IO-APIC", "GICv3"; empty for named rows
    std::string hwirq;               // "524288", "2"; empty when the kernel prints none
    std::string trigger;             // "edge", "fasteoi", "Level"; empty when absent
    std::string name;                // action names ("eth0-TxRx-0"), or the description of named rows
    bool per_cpu = true;             // false for single-value rows (ERR:, MIS:); their value is in column 0
    std::string description{};       // everything after the counts, as printed (/metrics' info and devices)
};

struct parse_issue {
    std::size_t line = 0;            // 1-based line number in the text
    std::string reason;
};

struct snapshot {
    std::vector<unsigned> cpus;          // CPU numbers of the header columns, in order (offline CPUs absent)
    big_vector<irq_row> rows;
    big_vector<std::uint64_t> counts;    // rows.size() * cpus.size(); missing columns are 0
    std::vector<parse_issue> issues;     // lines that were skipped, and why
    // Set by the reusing parse (parse_interrupts(text, out)): every row, in order, is the one `out`
    // held before it (same id and the same text after the counts), and there are as many. The sampler
    // learns from it that the IRQs did not change without comparing every row's strings again.
    bool rows_as_before = false;

    std::uint64_t count(std::size_t row, std::size_t col) const { return counts[row * cpus.size() + col]; }
    std::uint64_t row_total(std::size_t row) const;
    std::optional<std::size_t> find_row(std::string_view id) const;     // by id ("132", "NMI")
    std::optional<std::size_t> find_cpu(unsigned cpu) const;            // column of a CPU number
};

// Parses the text of /proc/interrupts. Never throws on bad text: a line it cannot understand is
// recorded in `issues` and skipped. The second form reuses `out`'s buffers (the sampler's hot path).
snapshot parse_interrupts(std::string_view text);
void parse_interrupts(std::string_view text, snapshot& out);
// The same parse with every count read by the general token loop, without the fast path for the
// kernel's fixed-width columns: the reference the fast one is tested against.
void parse_interrupts_general(std::string_view text, snapshot& out);

}  // namespace irqd::core
