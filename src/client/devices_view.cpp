// Devices table: the IRQs of GET /api/v1/interrupts grouped by their device.
#include "irqd/client/devices_view.hpp"

#include <algorithm>
#include <map>

#include "irqd/client/json_fields.hpp"
#include "irqd/client/number_format.hpp"
#include "irqd/client/text_table.hpp"
#include "irqd/client/window_heading.hpp"
#include "irqd/core/cpu_set.hpp"

namespace irqd::client {

namespace {
std::string text_of(const boost::json::value* v) { return v && v->is_string() ? std::string(v->as_string()) : ""; }
}  // namespace

std::string render_devices(const boost::json::value& reply, const output_style& style) {
    struct device {
        std::string pci, driver, netdevs;
        long node = -1;
        std::size_t irqs = 0, queues = 0;
        core::cpu_set cpus;
        double rate = 0;
    };
    std::map<std::string, device> by_key;
    for (const auto& irq : array_field(reply, "irqs")) {
        const auto* dev = field(irq, "device");
        if (!dev || !dev->is_object()) continue;
        std::string netdevs;
        for (const auto& n : array_field(*dev, "netdevs"))
            if (n.is_string()) netdevs += (netdevs.empty() ? "" : ",") + std::string(n.as_string());
        const std::string pci = text_of(field(*dev, "pci"));
        if (pci.empty() && netdevs.empty()) continue;
        auto& d = by_key[pci.empty() ? "if:" + netdevs : pci];
        d.pci = pci.empty() ? "-" : pci;
        d.netdevs = netdevs.empty() ? "-" : netdevs;
        d.driver = text_of(field(*dev, "driver"));
        d.node = static_cast<long>(number_field(*dev, "node", -1));
        ++d.irqs;
        if (const auto* q = field(*dev, "queue"); q && !q->is_null()) ++d.queues;
        if (auto cpus = core::parse_cpu_list(text_of(field(irq, "effective")))) d.cpus = d.cpus | *cpus;
        d.rate += number_field(irq, "rate");
    }
    std::vector<const device*> rows;
    for (const auto& [key, d] : by_key) rows.push_back(&d);
    std::stable_sort(rows.begin(), rows.end(), [](const device* a, const device* b) { return a->rate > b->rate; });
    text_table t({{"DEVICE", align::left}, {"DRIVER", align::left}, {"NETDEVS", align::left}, {"NODE", align::right},
                  {"IRQS", align::right}, {"QUEUES", align::right}, {"CPUS", align::left}, {"RATE/s", align::right}});
    for (const auto* d : rows)
        t.add_row({d->pci, d->driver.empty() ? "-" : d->driver, d->netdevs, d->node >= 0 ? std::to_string(d->node) : "-",
                   std::to_string(d->irqs), std::to_string(d->queues), d->cpus.empty() ? "-" : d->cpus.to_list(),
                   format_rate(d->rate, style.compact)});
    auto* window = field(reply, "window");
    std::string out = window ? window_heading("Devices of the IRQs", *window, style) : "";
    if (rows.empty()) return out + "\nno IRQ with a known device (see --sysfs)\n";
    return out + "\n" + t.render(style.color);
}

}  // namespace irqd::client
