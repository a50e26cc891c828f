// Fuzz target: queue index, direction, interface and PCI address from arbitrary IRQ names. It must
// never crash, and a PCI address it reports must be one (is_pci_address).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "irqd/core/irq_queue.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view name(reinterpret_cast<const char*>(data), size);
    auto q = irqd::core::parse_irq_queue(name);
    if (!q.pci.empty() && !irqd::core::is_pci_address(q.pci)) std::abort();
    if (q.index && q.direction.empty()) std::abort();
    return 0;
}
