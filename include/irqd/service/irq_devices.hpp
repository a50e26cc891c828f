// Each IRQ's device from sysfs: PCI address (<sysfs>/bus/pci/devices/ADDR/msi_irqs/N, else the
// legacy ADDR/irq file), driver (the ADDR/driver link), network interfaces (ADDR/net/*) and NUMA node
// (ADDR/numa_node); with the queue its name carries (core/irq_queue). Shown in /api/v1/interrupts,
// which it also filters (device=, netdev=, driver=).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "irqd/core/interrupts.hpp"

namespace irqd::service {

struct irq_device {
    std::string pci;                    // "0000:3b:00.0"
    std::string driver;                 // "mlx5_core"; empty when unbound
    std::vector<std::string> netdevs;   // "eth2"
    int node = -1;                      // -1: none
};

struct irq_devices {
    std::vector<irq_device> devices;                  // by PCI address
    std::unordered_map<unsigned, std::size_t> by_irq;   // IRQ number -> index in devices
    const irq_device* of_irq(unsigned irq) const;
    const irq_device* of_pci(std::string_view pci) const;
    // The row's device: by its IRQ number, else by a PCI address in its name (mlx5_comp3@pci:...).
    const irq_device* of_row(const core::irq_row& row) const;
};

// Scans <sysfs>/bus/pci/devices. A missing directory (no PCI, a container) gives no devices.
irq_devices read_irq_devices(const std::filesystem::path& sysfs);

// "device": {"pci", "driver", "netdevs", "node", "queue", "direction"} of a row; null when neither
// sysfs nor the name tells anything.
void add_device_json(const irq_devices& d, const core::irq_row& row, boost::json::object& o);

// The filters device=ADDR, netdev=NAME, driver=NAME (all given must hold). The netdev may also come
// from the name ("eth0" of "eth0-TxRx-3").
struct device_filter {
    const std::string* pci = nullptr;
    const std::string* netdev = nullptr;
    const std::string* driver = nullptr;
    bool empty() const { return !pci && !netdev && !driver; }
    bool matches(const irq_devices& d, const core::irq_row* row) const;   // null row (gone): only with no filter
};

}  // namespace irqd::service
