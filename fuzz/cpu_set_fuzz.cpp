// Fuzz target: CPU lists ("0-3,8") and hex masks ("ff,00000001") from clients and the kernel.
// Whatever parses must print back to text that parses to the same set, in both spellings.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "irqd/core/cpu_set.hpp"

namespace {
void check_round_trip(const irqd::core::cpu_set& s) {
    if (s.size() > irqd::core::cpu_set::max_cpus) std::abort();
    auto list = irqd::core::parse_cpu_list(s.to_list());
    if (!s.empty() && (!list || !(*list == s))) std::abort();
    auto mask = irqd::core::parse_cpu_mask(s.to_mask());
    if (!mask || !(*mask == s)) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto l = irqd::core::parse_cpu_list(text)) check_round_trip(*l);
    if (auto m = irqd::core::parse_cpu_mask(text)) check_round_trip(*m);
    return 0;
}
