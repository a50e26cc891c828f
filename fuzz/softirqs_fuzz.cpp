// Fuzz target: the /proc/softirqs parser and the counter snapshot built from it, on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "irqd/core/cpu_counters.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto t = irqd::core::parse_softirqs(text);
    if (t.counts.size() != t.names.size() * t.cpus.size()) std::abort();
    irqd::core::snapshot s;
    irqd::core::cpu_counters_snapshot(nullptr, &t, nullptr, s);
    if (s.counts.size() != s.rows.size() * s.cpus.size()) std::abort();
    return 0;
}
