// Reading IRQ devices from sysfs (see irq_devices.hpp). The tree is the kernel's: bus/pci/devices/ADDR
// is a symlink into devices/pci..., with msi_irqs/<N> entries, irq, numa_node, driver -> .../drivers/X
// and net/<ifname>.
#include "irqd/service/irq_devices.hpp"

#include <algorithm>

#include <boost/json/array.hpp>

#include "irqd/core/irq_queue.hpp"
#include "irqd/service/kernel_files.hpp"

namespace irqd::service {
namespace fs = std::filesystem;
namespace json = boost::json;

const irq_device* irq_devices::of_irq(unsigned irq) const {
    auto it = by_irq.find(irq);
    return it == by_irq.end() ? nullptr : &devices[it->second];
}

const irq_device* irq_devices::of_pci(std::string_view pci) const {
    auto it = std::lower_bound(devices.begin(), devices.end(), pci,
                               [](const irq_device& d, std::string_view p) { return d.pci < p; });
    return it != devices.end() && it->pci == pci ? &*it : nullptr;
}

const irq_device* irq_devices::of_row(const core::irq_row& row) const {
    if (row.number)
        if (auto* d = of_irq(*row.number)) return d;
    if (auto at = row.name.find("@pci:"); at != std::string::npos) return of_pci(std::string_view(row.name).substr(at + 5));
    return nullptr;
}

namespace {
std::optional<long> read_number(const fs::path& p) {
    std::string text;
    if (read_file(p, text, small_file_limit)) return std::nullopt;
    try {
        return std::stol(text);
    } catch (...) {
        return std::nullopt;
    }
}
}  // namespace

irq_devices read_irq_devices(const fs::path& sysfs) {
    irq_devices out;
    std::error_code ec;
    const auto root = sysfs / "bus/pci/devices";
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const auto name = it->path().filename().string();
        if (!core::is_pci_address(name)) continue;
        irq_device d;
        d.pci = name;
        std::error_code e2;
        const auto link = fs::read_symlink(it->path() / "driver", e2);
        if (!e2) d.driver = link.filename().string();
        for (fs::directory_iterator n(it->path() / "net", e2), nend; !e2 && n != nend; n.increment(e2))
            d.netdevs.push_back(n->path().filename().string());
        std::sort(d.netdevs.begin(), d.netdevs.end());
        if (auto node = read_number(it->path() / "numa_node")) d.node = static_cast<int>(*node);
        out.devices.push_back(std::move(d));
    }
    std::sort(out.devices.begin(), out.devices.end(), [](const irq_device& a, const irq_device& b) { return a.pci < b.pci; });
    // MSI/MSI-X vectors first: they are the device's own. The legacy irq file second, for IRQs no
    // MSI entry claimed (a shared INTx line goes to the first device by address).
    for (std::size_t i = 0; i < out.devices.size(); ++i) {
        std::error_code e2;
        for (fs::directory_iterator m(root / out.devices[i].pci / "msi_irqs", e2), mend; !e2 && m != mend; m.increment(e2)) {
            try {
                out.by_irq[static_cast<unsigned>(std::stoul(m->path().filename().string()))] = i;
            } catch (...) {
            }
        }
    }
    for (std::size_t i = 0; i < out.devices.size(); ++i)
        if (auto irq = read_number(root / out.devices[i].pci / "irq"); irq && *irq > 0)
            out.by_irq.try_emplace(static_cast<unsigned>(*irq), i);
    return out;
}

void add_device_json(const irq_devices& devices, const core::irq_row& row, json::object& o) {
    const auto q = core::parse_irq_queue(row.name);
    const auto* d = devices.of_row(row);
    if (!d && q.pci.empty() && q.netdev.empty() && !q.index && q.direction.empty()) {
        o["device"] = nullptr;
        return;
    }
    json::array netdevs;
    if (d)
        for (const auto& n : d->netdevs) netdevs.push_back(json::value(n));
    if (netdevs.empty() && !q.netdev.empty()) netdevs.push_back(json::value(q.netdev));
    const std::string& pci = d ? d->pci : q.pci;
    o["device"] = json::object{{"pci", pci.empty() ? json::value(nullptr) : json::value(pci)},
                               {"driver", d && !d->driver.empty() ? json::value(d->driver) : json::value(nullptr)},
                               {"netdevs", std::move(netdevs)},
                               {"node", d ? d->node : -1},
                               {"queue", q.index ? json::value(*q.index) : json::value(nullptr)},
                               {"direction", q.direction.empty() ? json::value(nullptr) : json::value(q.direction)}};
}

bool device_filter::matches(const irq_devices& devices, const core::irq_row* row) const {
    if (empty()) return true;
    if (!row) return false;
    const auto* d = devices.of_row(*row);
    const auto q = core::parse_irq_queue(row->name);
    if (pci && (d ? d->pci : q.pci) != *pci) return false;
    if (driver && (!d || d->driver != *driver)) return false;
    if (netdev) {
        const bool in_sysfs = d && std::find(d->netdevs.begin(), d->netdevs.end(), *netdev) != d->netdevs.end();
        if (!in_sysfs && q.netdev != *netdev) return false;
    }
    return true;
}

}  // namespace irqd::service
