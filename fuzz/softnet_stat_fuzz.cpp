// Fuzz target: the softnet_stat parser, with and without online CPUs, and the counter snapshot.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "irqd/core/cpu_counters.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::vector<unsigned> online{0, 1, 3};
    auto a = irqd::core::parse_softnet_stat(text);
    auto b = irqd::core::parse_softnet_stat(text, online);
    if (a.cpus.size() != b.cpus.size()) std::abort();
    irqd::core::snapshot s;
    irqd::core::cpu_counters_snapshot(nullptr, nullptr, &b, s);
    if (s.counts.size() != s.rows.size() * s.cpus.size()) std::abort();
    return 0;
}
