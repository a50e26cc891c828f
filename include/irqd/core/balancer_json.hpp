// The balancer's values as JSON (Boost.JSON tag_invoke, found by argument-dependent lookup): one
// form for the daemon's answers and irqctl's offline plans. Values only; no I/O.
#pragma once

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>

#include "irqd/core/balancer.hpp"

namespace irqd::core {

// {"total", "max_load", "min_load", "spread", "peak_to_mean", "lower_bound", "gap", "gap_ratio", "outside"}
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& v, const balance_metric& m);

}  // namespace irqd::core
