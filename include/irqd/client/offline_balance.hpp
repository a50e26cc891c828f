// `irqctl balance --file F`: the balancer run on a /proc/interrupts-style file, no daemon involved.
// Items are the numeric per-CPU rows with their row totals as loads; named rows (NMI, LOC, ...)
// cannot be moved and are left out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"
#include "irqd/core/balancer.hpp"
#include "irqd/core/cpu_set.hpp"
#include "irqd/core/result.hpp"

namespace irqd::client {

struct balance_assignment {
    std::string irq;
    std::string name;
    std::uint64_t load = 0;
    unsigned cpu = 0;
};

struct offline_balance {
    std::vector<unsigned> cpus;                    // CPUs balanced over
    std::vector<balance_assignment> assignments;   // in the file's order
    core::balance_metric metric;
    bool proven_optimal = false;
    std::vector<std::string> warnings;             // lines of the file that were skipped, and why
};

// `cpus`: the CPUs to spread over; none = the file's header CPUs. Errors when the file has no CPU
// header or no numeric IRQ rows.
core::result<offline_balance> balance_file_text(std::string_view text, const std::optional<core::cpu_set>& cpus);

// {"cpus":[..],"assignments":[{"irq","name","load","cpu"}],"cpu_loads":[{"cpu","load","share"}],
//  "metric":{"total","max_load","min_load","spread","peak_to_mean","lower_bound","gap","gap_ratio","outside","proven_optimal"}}
boost::json::value to_json(const offline_balance& b);

// The assignment table, the per-CPU loads and the metric. Numbers are always exact here: the point
// of the output is a difference of a few interrupts between CPUs. `source` names the file.
std::string render_balance(const offline_balance& b, std::string_view source, const output_style& style);

}  // namespace irqd::client
