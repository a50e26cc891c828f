// Client input of the affinity endpoints: the JSON bodies of PUT /interrupts/{irq}/affinity and
// POST /affinity, parsed and checked into changes or a 4xx error. Pure: no kernel, no socket (fuzzed).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "irqd/core/cpu_set.hpp"
#include "irqd/core/irq_selection.hpp"
#include "irqd/service/affinity_writer.hpp"
#include "irqd/service/request_error.hpp"

namespace irqd::service {

constexpr std::size_t max_batch_changes = 65536;

using core::max_irq_number;
using core::parse_irq_number;

// parse_json_body (json_text.hpp) as a request_error: 400 bad_json or 400 duplicate_key.
std::variant<boost::json::value, request_error> parse_request_json(std::string_view body);

// {"cpu": N} | {"cpus": "LIST"} | {"mask": "HEX"}: exactly one, a non-empty set.
std::variant<core::cpu_set, request_error> parse_affinity_body(std::string_view body);
// {"changes": [{"irq": N, "cpu"|"cpus"|"mask": ...}, ...]}: 1 to max_batch_changes changes.
std::variant<std::vector<affinity_change>, request_error> parse_affinity_batch(std::string_view body);

}  // namespace irqd::service
