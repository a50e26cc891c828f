// Which rows of a counts table a client asked for: IRQ ids (a hash set, so a long list costs one
// look-up per row), a glob over the name or id, the N busiest; with the per-CPU sums of those rows.
// Used by GET /api/v1/interrupts and the WebSocket stream. Pure: no clock, no file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "irqd/core/history.hpp"
#include "irqd/core/interrupts.hpp"
#include "irqd/core/result.hpp"

namespace irqd::core {

inline constexpr unsigned max_irq_number = 1u << 20;   // far above any kernel's NR_IRQS
// The most IRQs one stream subscription or one query may name: more than any machine has rows,
// few enough that a subscriber cannot make irqd hold and hash an unbounded list.
inline constexpr std::size_t max_selected_ids = 16384;

// A plain decimal IRQ number below max_irq_number: no sign, no spaces, no path tricks.
std::optional<unsigned> parse_irq_number(std::string_view text);

// An IRQ list as cpu lists are written ("30,32-35"): numbers below max_irq_number, at most
// max_selected_ids of them; the errors say IRQ, not CPU. Ascending, without repeats.
result<std::vector<unsigned>> parse_irq_list(std::string_view text);

// True when the glob matches the row's name or its id (fnmatch(3), no flags).
bool name_or_id_matches(const std::string& glob, const std::string& id, const std::string& name);

struct irq_selection {
    std::unordered_set<std::string> ids;       // only these rows (empty: any) ...
    std::string pattern;                       // ... whose name or id matches this glob (empty: any) ...
    std::size_t top = 0;                       // ... the N busiest of them (0: all)
    bool filters() const { return !ids.empty() || !pattern.empty() || top > 0; }
};

struct selected_rows {
    struct row {
        std::size_t index;                     // in the layout
        std::uint64_t total;                   // over the counted columns
    };
    std::vector<row> rows;                     // layout order; busiest first when `top` cut them
    std::vector<std::uint64_t> per_column;     // per counted column: the sum over every matching row
    std::uint64_t total = 0;                   // of per_column (rows cut by `top` included)
};

// A further test of a row that `sel` keeps (the device filters of the service layer): its row in
// `names`, or null for a row that is gone.
using row_predicate = std::function<bool(const irq_row*)>;

// Picks the rows of `counts` (row-major over `shape`) that `sel` (and `keep`, when given) asks for,
// counting only the columns `columns` (indices into shape.cpus). Names come from `names` (a row it
// lacks has the name "").
selected_rows select_rows(const layout& shape, std::span<const std::uint64_t> counts,
                          std::span<const std::size_t> columns, const irq_selection& sel, const snapshot& names,
                          const row_predicate& keep = {});

// Every column of `shape`: 0 .. cpus.size()-1.
std::vector<std::size_t> all_columns(const layout& shape);

}  // namespace irqd::core
