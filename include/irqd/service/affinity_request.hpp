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
#include "irqd/service/affinity_writer.hpp"

namespace irqd::service {

constexpr unsigned max_irq_number = 1u << 20;      // far above any kernel's NR_IRQS
constexpr std::size_t max_batch_changes = 65536;

struct request_error {
    unsigned status = 400;
    std::string code;
    std::string message;
};

// parse_json_body (json_text.hpp) as a request_error: 400 bad_json or 400 duplicate_key.
std::variant<boost::json::value, request_error> parse_request_json(std::string_view body);

// A plain decimal IRQ number below max_irq_number: no sign, no spaces, no path tricks.
std::optional<unsigned> parse_irq_number(std::string_view text);

// {"cpu": N} | {"cpus": "LIST"} | {"mask": "HEX"}: exactly one, a non-empty set.
std::variant<core::cpu_set, request_error> parse_affinity_body(std::string_view body);
// {"changes": [{"irq": N, "cpu"|"cpus"|"mask": ...}, ...]}: 1 to max_batch_changes changes.
std::variant<std::vector<affinity_change>, request_error> parse_affinity_batch(std::string_view body);

}  // namespace irqd::service
