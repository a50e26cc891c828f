// Fuzz target: the JSON bodies of PUT /interrupts/{irq}/affinity and POST /affinity. A body is
// either a valid change (non-empty CPU set in range, IRQ below the limit) or a 4xx error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "irqd/service/affinity_request.hpp"

namespace {
void check_set(const irqd::core::cpu_set& s) {
    if (s.empty()) std::abort();
    if (*s.cpus().rbegin() >= irqd::core::cpu_set::max_cpus) std::abort();
}
void check_error(const irqd::service::request_error& e) {
    if (e.status < 400 || e.status > 499 || e.code.empty() || e.message.empty()) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace irqd::service;
    std::string_view body(reinterpret_cast<const char*>(data), size);
    auto one = parse_affinity_body(body);
    if (auto* s = std::get_if<irqd::core::cpu_set>(&one)) check_set(*s);
    else check_error(std::get<request_error>(one));

    auto batch = parse_affinity_batch(body);
    if (auto* changes = std::get_if<std::vector<affinity_change>>(&batch)) {
        if (changes->empty() || changes->size() > max_batch_changes) std::abort();
        for (const auto& c : *changes) {
            if (c.irq >= max_irq_number) std::abort();
            check_set(c.cpus);
        }
    } else {
        check_error(std::get<request_error>(batch));
    }
    if (auto n = parse_irq_number(body); n && *n >= max_irq_number) std::abort();
    return 0;
}
