// Fuzz target: the /proc/interrupts parser on arbitrary text. It must never crash, and what it
// returns must hold together (one count per row and CPU column), in both of its forms, and the
// fixed-width fast path must agree with the general token loop.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "irqd/core/interrupts.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto snap = irqd::core::parse_interrupts(text);
    if (snap.counts.size() != snap.rows.size() * snap.cpus.size()) std::abort();
    for (std::size_t r = 0; r < snap.rows.size(); ++r) {
        (void)snap.row_total(r);
        auto first = snap.find_row(snap.rows[r].id);   // the first row with that id
        if (!first || *first > r) std::abort();
    }
    for (auto cpu : snap.cpus)
        if (!snap.find_cpu(cpu)) std::abort();
    // The sampler's form reuses a snapshot: parsing into a used one must give the same answer.
    irqd::core::snapshot reused = irqd::core::parse_interrupts("           CPU0\n  1:  5  IO-APIC  2-edge  timer\n");
    irqd::core::parse_interrupts(text, reused);
    if (reused.cpus != snap.cpus || reused.counts != snap.counts || reused.rows.size() != snap.rows.size()) std::abort();
    irqd::core::snapshot general;
    irqd::core::parse_interrupts_general(text, general);
    if (general.cpus != snap.cpus || general.counts != snap.counts || general.rows.size() != snap.rows.size() ||
        general.issues.size() != snap.issues.size())
        std::abort();
    for (std::size_t r = 0; r < snap.rows.size(); ++r)
        if (general.rows[r].description != snap.rows[r].description || general.rows[r].name != snap.rows[r].name ||
            general.rows[r].per_cpu != snap.rows[r].per_cpu || reused.rows[r].name != snap.rows[r].name)
            std::abort();
    return 0;
}
