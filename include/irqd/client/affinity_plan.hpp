// `irqctl set`: affinity changes from the command line or a plan file, the request that applies
// them (one PUT, or one all-or-nothing POST), and the readable account of what the daemon did.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"
#include "irqd/core/result.hpp"

namespace irqd::client {

struct planned_change {
    unsigned irq = 0;
    std::string cpus;                     // a CPU list ("0-3,8"), or a hex mask when `mask`
    bool mask = false;
    bool operator==(const planned_change&) const = default;
};

// One change from the words IRQ and CPUS; CPUS is checked (list, or mask when `mask`).
core::result<planned_change> parse_change(std::string_view irq, std::string_view cpus, bool mask);

// A plan file: lines "IRQ CPUS" (blank lines and # comments skipped; CPUS are masks when `masks`),
// or JSON {"changes":[{"irq":N,"cpu":N|"cpus":"LIST"|"mask":"HEX"},...]}, or what
// `irqctl balance --json` prints (its "assignments"). Errors name the line or entry. An IRQ may
// appear once.
core::result<std::vector<planned_change>> parse_plan(std::string_view text, bool masks);

struct affinity_request {
    boost::beast::http::verb verb;
    std::string target;
    std::string body;
};
// One change: PUT /api/v1/interrupts/N/affinity; several: POST /api/v1/affinity (all or nothing).
affinity_request make_affinity_request(const std::vector<planned_change>& changes);

// The table of outcomes from a PUT reply (one outcome) or a POST reply ({"applied":[...]}).
std::string render_affinity_result(const boost::json::value& reply, const output_style& style);
// One line from an error reply, with the IRQs that were rolled back (or could not be).
std::string describe_affinity_error(const boost::json::value& reply, std::string_view fallback);

}  // namespace irqd::client
