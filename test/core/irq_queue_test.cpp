// Tests of queue index and direction from IRQ names, as real NIC drivers name their vectors.
#define BOOST_TEST_MODULE irq_queue
#include <boost/test/unit_test.hpp>

#include "irqd/core/irq_queue.hpp"

using irqd::core::parse_irq_queue;

BOOST_AUTO_TEST_CASE(mlx5_completion_queue) {
    auto q = parse_irq_queue("mlx5_comp3@pci:0000:3b:00.0");
    BOOST_TEST(*q.index == 3u);
    BOOST_TEST(q.direction == "rxtx");
    BOOST_TEST(q.pci == "0000:3b:00.0");
    BOOST_TEST(q.netdev.empty());
    auto a = parse_irq_queue("mlx5_async0@pci:0000:3b:00.1");
    BOOST_TEST(!a.index.has_value());
    BOOST_TEST(a.direction == "misc");
    BOOST_TEST(a.pci == "0000:3b:00.1");
}

BOOST_AUTO_TEST_CASE(intel_names) {
    auto q = parse_irq_queue("ens1f0-TxRx-12");
    BOOST_TEST(*q.index == 12u);
    BOOST_TEST(q.direction == "rxtx");
    BOOST_TEST(q.netdev == "ens1f0");
    auto rx = parse_irq_queue("eth2-rx-0");
    BOOST_TEST(rx.direction == "rx");
    BOOST_TEST(rx.netdev == "eth2");
    BOOST_TEST(parse_irq_queue("eth2-tx-7").direction == "tx");
    auto misc = parse_irq_queue("i40e-0000:af:00.0:misc");
    BOOST_TEST(misc.direction == "misc");
    BOOST_TEST(misc.pci == "0000:af:00.0");
    BOOST_TEST(!misc.index.has_value());
}

BOOST_AUTO_TEST_CASE(virtio_and_others) {
    auto in = parse_irq_queue("virtio3-input.0");
    BOOST_TEST(*in.index == 0u);
    BOOST_TEST(in.direction == "rx");
    BOOST_TEST(in.netdev.empty());
    BOOST_TEST(parse_irq_queue("virtio3-output.5").direction == "tx");
    BOOST_TEST(parse_irq_queue("virtio0-config").direction == "misc");
    for (auto name : {"timer", "acpi", "nvme0q3", "eth0", "-TxRx-1", "eth0-TxRx-x", "mlx5_comp@pci:zz", ""}) {
        auto q = parse_irq_queue(name);
        BOOST_TEST(!q.index.has_value(), name);
    }
    BOOST_TEST(irqd::core::is_pci_address("0000:3b:00.0"));
    BOOST_TEST(!irqd::core::is_pci_address("0000:3b:00"));
    BOOST_TEST(!irqd::core::is_pci_address("0000:3g:00.0"));
}
