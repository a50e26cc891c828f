// Queue index and direction from IRQ action names, after the naming of common NIC drivers:
// ixgbe/i40e/ice/igb "<netdev>-TxRx-N" (and -rx-N, -tx-N), mlx5 "mlx5_compN@pci:<addr>" and
// "mlx5_async@pci:<addr>", i40e/ice "<driver>-<addr>:misc", virtio "virtioN-input.N"/"-output.N".
#include "irqd/core/irq_queue.hpp"

#include "irqd/core/hex_value.hpp"

namespace irqd::core {
namespace {

std::optional<unsigned> number(std::string_view s) {
    if (s.empty() || s.size() > 6) return std::nullopt;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    return v;
}

bool hex_digits(std::string_view s, std::size_t n) {
    if (s.size() != n) return false;
    for (char c : s)
        if (hex_value(c) < 0) return false;
    return true;
}

// "<prefix><sep><tag><sep>N" with tag one of the TxRx forms: fills netdev, direction and index.
bool tagged_queue(std::string_view name, irq_queue& q) {
    struct tag {
        std::string_view text, direction;
    };
    static constexpr tag tags[] = {{"-TxRx-", "rxtx"}, {"-txrx-", "rxtx"}, {"-rx-", "rx"}, {"-tx-", "tx"},
                                   {"-input.", "rx"},  {"-output.", "tx"}};
    for (const auto& t : tags) {
        const auto at = name.rfind(t.text);
        if (at == std::string_view::npos || at == 0) continue;
        auto n = number(name.substr(at + t.text.size()));
        if (!n) continue;
        q.index = n;
        q.direction = t.direction;
        q.netdev = std::string(name.substr(0, at));
        if (q.netdev.starts_with("virtio")) q.netdev.clear();   // virtioN is the virtio device, not an interface
        return true;
    }
    return false;
}

}  // namespace

bool is_pci_address(std::string_view s) {
    // dddd:bb:dd.f
    return s.size() == 12 && hex_digits(s.substr(0, 4), 4) && s[4] == ':' && hex_digits(s.substr(5, 2), 2) &&
           s[7] == ':' && hex_digits(s.substr(8, 2), 2) && s[10] == '.' && hex_value(s[11]) >= 0 && hex_value(s[11]) < 8;
}

irq_queue parse_irq_queue(std::string_view name) {
    irq_queue q;
    // mlx5: "mlx5_comp3@pci:0000:3b:00.0", "mlx5_async0@pci:0000:3b:00.0"
    if (const auto at = name.find("@pci:"); at != std::string_view::npos) {
        const auto addr = name.substr(at + 5);
        if (is_pci_address(addr)) q.pci = std::string(addr);
        auto head = name.substr(0, at);
        if (const auto comp = head.find("_comp"); comp != std::string_view::npos) {
            q.index = number(head.substr(comp + 5));
            if (q.index) q.direction = "rxtx";
        } else if (head.find("_async") != std::string_view::npos || head.find("_cmd") != std::string_view::npos) {
            q.direction = "misc";
        }
        return q;
    }
    // i40e/ice: "i40e-0000:af:00.0:misc", "ice-0000:af:00.0:misc"
    if (name.ends_with(":misc")) {
        const auto dash = name.find('-');
        if (dash != std::string_view::npos && is_pci_address(name.substr(dash + 1, name.size() - dash - 1 - 5)))
            q.pci = std::string(name.substr(dash + 1, 12));
        q.direction = "misc";
        return q;
    }
    if (tagged_queue(name, q)) return q;
    if (name.starts_with("virtio") && name.ends_with("-config")) q.direction = "misc";
    return q;
}

}  // namespace irqd::core
