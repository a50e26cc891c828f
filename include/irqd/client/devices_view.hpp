// `irqctl devices`: one line per device of the IRQs in GET /api/v1/interrupts: its PCI address,
// driver, interfaces and node, how many queue IRQs it has, the CPUs they land on and their rate.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

// Columns DEVICE, DRIVER, NETDEVS, NODE, IRQS, QUEUES, CPUS (union of the IRQs' effective CPUs),
// RATE/s, busiest first. IRQs without a device are left out; a device known only from names
// ("eth0-TxRx-3" without sysfs) is listed by its interface with DEVICE "-".
std::string render_devices(const boost::json::value& reply, const output_style& style);

}  // namespace irqd::client
