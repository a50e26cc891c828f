// What an IRQ's action name says about the device queue behind it: "eth0-TxRx-3", "ens1f0-rx-2",
// "mlx5_comp3@pci:0000:3b:00.0", "i40e-0000:af:00.0:misc", "virtio3-input.0". Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace irqd::core {

struct irq_queue {
    std::optional<unsigned> index;   // the queue number, when the name carries one
    std::string direction;           // "rxtx" (TxRx, mlx5 comp), "rx", "tx", "misc" (async, config, misc); empty: unknown
    std::string netdev;              // the interface the name starts with ("eth0" of "eth0-TxRx-3"), if any
    std::string pci;                 // a PCI address in the name ("0000:3b:00.0"), if any
};

// Reads the driver naming conventions above; a name that follows none gives an empty irq_queue.
irq_queue parse_irq_queue(std::string_view name);

// True for a PCI address in the kernel's form, "0000:3b:00.0" (domain:bus:device.function, hex).
bool is_pci_address(std::string_view s);

}  // namespace irqd::core
