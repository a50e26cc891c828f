// `irqctl balance` and `irqctl revert` against the daemon: the request body from the options, and the
// plan (moves, per-CPU loads before and after, the metric) or the revert as text.
#pragma once

#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

struct balance_request {
    bool apply = false;
    std::string window;                            // empty = the daemon's default (5m)
    std::string cpus;                              // empty = the daemon's choice
    std::optional<std::size_t> max_moves;
    std::optional<double> min_improvement;
    std::optional<double> tolerance;
    std::string numa;
    std::string banned_cpus;
    std::vector<std::string> banned_irqs;
    std::string policy;
    std::vector<std::string> devices, netdevs;
    bool distinct = false;                         // false = the daemon's default (balance-distinct)
};

// The JSON body of POST /api/v1/balance.
std::string balance_request_body(const balance_request& r);

// The daemon's answer to POST /api/v1/balance as text. Loads are exact: a plan is about differences.
std::string render_service_plan(const boost::json::value& plan, const output_style& style);
// The answer to POST /api/v1/balance/revert.
std::string render_revert(const boost::json::value& answer, const output_style& style);

}  // namespace irqd::client
