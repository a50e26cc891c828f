// `irqctl overview`: the IRQ x CPU table of GET /api/v1/interrupts, without the columns of CPUs where no
// shown IRQ fired on big machines, and split into blocks of CPU columns when it would be wider than
// the terminal, so it reads on 2 CPUs and still works on 256.
#pragma once

#include <cstddef>
#include <string>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

// Columns: IRQ, NAME, one per CPU, TOTAL, RATE/s, AFFINITY (with the effective CPUs in parentheses
// when they differ); then TOTAL and SHARE rows. When style.width is set and the table is wider,
// the CPU columns go into blocks headed "CPUs 0-15", ..., each with IRQ and NAME, the first one
// also with TOTAL, RATE/s and AFFINITY. Names are cut to 24 columns then. `top`: the --top asked
// for (0 = none); the daemon's totals cover every matching IRQ, and the heading says so.
// Above 8 CPUs, unless `every_cpu`, a CPU where none of the rows fired gets no column: the heading
// names them in one line ("No column for CPUs 20-63 (44): ... they serviced 61.2% of all interrupts
// (12.3M).") and the idle ones, with no interrupt at all, in another ("idle CPUs: 3-17,40-63 (...)."),
// then says "--cpus all shows every CPU.".
std::string render_overview(const boost::json::value& reply, const output_style& style, std::size_t top = 0,
                            bool every_cpu = false);

}  // namespace irqd::client
