// Fuzz target: the /proc/stat parser and the counter snapshot built from it, on arbitrary text.
// It must never crash, and what it returns must hold together.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "irqd/core/cpu_counters.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto stat = irqd::core::parse_proc_stat(text);
    for (const auto& t : stat.cpus)
        if (!t.cpu) std::abort();
    irqd::core::snapshot s;
    irqd::core::cpu_counters_snapshot(&stat, nullptr, nullptr, s);
    if (s.counts.size() != s.rows.size() * s.cpus.size()) std::abort();
    return 0;
}
