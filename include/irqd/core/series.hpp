// Interrupt rates as time series from the history tiers, per CPU or per IRQ, in steps aligned to
// multiples of the step since the epoch (GET /api/v1/series, the dashboard's charts); per CPU also of
// one named counter of the CPU counter history (softirqs, softnet). Pure: times and the history come
// in, a series goes out.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "irqd/core/cpu_set.hpp"
#include "irqd/core/history.hpp"
#include "irqd/core/irq_selection.hpp"
#include "irqd/core/result.hpp"

namespace irqd::core {

inline constexpr std::size_t default_series_points = 600;   // the default step keeps at most this many
inline constexpr std::size_t default_series_top = 10;       // IRQ series when the query names no `top`
inline constexpr std::size_t max_series_cells = 200000;     // points x series in one answer

enum class series_kind { cpus, irqs };

struct series_query {
    series_kind what = series_kind::cpus;
    clock_time from, to;                            // the asked window, from < to
    std::chrono::milliseconds step{0};              // 0: the default step
    std::optional<cpu_set> cpus;                    // count only these CPUs
    std::string row;                                // what=cpus: count only this row ("softnet.dropped"
                                                    // of the CPU counter history); "": every row
    irq_selection irqs;                             // what=irqs: which rows (ids, glob, the `top` busiest)
    std::size_t max_cells = max_series_cells;
};

struct series_line {
    unsigned cpu = 0;                               // what=cpus
    std::string irq, name;                          // what=irqs
    std::vector<std::optional<double>> rates;       // per second, per step; nullopt: no sample in the step
};

struct series {
    clock_time from, to;                            // the steps' span; covers the asked window
    std::chrono::seconds step{0};                   // a multiple of `resolution`
    std::chrono::seconds resolution{0};             // of the history tier read
    std::string note;                               // set when the answer covers less or coarser than asked
    std::vector<clock_time> times;                  // the end of each step
    std::vector<series_line> lines;                 // CPUs ascending; IRQs busiest first
    std::vector<std::optional<double>> total;       // of every selected CPU (what=irqs: every matching row)
};

// Step k covers (k * step, (k + 1) * step]; a frame counts in the step holding its midpoint, and a
// step's rate is its count over the seconds its frames cover (so a missed sample does not read as a
// drop). Tier: one that reaches back to `from` (else the one reaching furthest back, with a note):
// for an asked step, the coarsest whose resolution divides it, else the finest, the step then rounded
// up to a multiple of its resolution (with a note); by default the coarsest whose resolution is at
// most window / (default_series_points - 1), the step that rounded up to a multiple of it. Names of
// IRQ rows come from `names` ("" for rows it lacks). With a `row`, a frame whose layout lacks it
// covers nothing (its steps stay null). Too many points x series: error_kind::unprocessable.
result<series> make_series(const history& h, const series_query& q, const snapshot& names);

}  // namespace irqd::core
