// Tests of reading IRQ devices from a sysfs tree laid out as the kernel does (test/fixtures/sysfs-nics:
// bus/pci/devices/ADDR symlinks into devices/pci..., driver links, msi_irqs, legacy irq, net/).
#define BOOST_TEST_MODULE irq_devices
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "irqd/service/irq_devices.hpp"

using namespace irqd::service;

namespace {
irqd::core::irq_row row(unsigned n, std::string name) {
    irqd::core::irq_row r;
    r.id = std::to_string(n);
    r.number = n;
    r.name = std::move(name);
    return r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(devices_from_the_kernel_layout) {
    auto d = read_irq_devices(IRQD_FIXTURES "/sysfs-nics");
    BOOST_TEST_REQUIRE(d.devices.size() == 4u);
    const auto* mlx = d.of_irq(143);
    BOOST_TEST_REQUIRE(mlx != nullptr);
    BOOST_TEST(mlx->pci == "0000:3b:00.0");
    BOOST_TEST(mlx->driver == "mlx5_core");
    BOOST_TEST(mlx->netdevs == std::vector<std::string>{"eth2"}, boost::test_tools::per_element());
    BOOST_TEST(mlx->node == 1);
    BOOST_TEST(d.of_irq(151)->driver == "i40e");
    BOOST_TEST(d.of_irq(27)->pci == "0000:00:1f.2");   // the legacy irq file
    BOOST_TEST(d.of_irq(0) == nullptr);                 // "0" in irq means none
    BOOST_TEST(d.of_pci("0000:00:14.0")->driver.empty());   // unbound
    BOOST_TEST(read_irq_devices("/nonexistent-irqd-sysfs").devices.empty());
}

BOOST_AUTO_TEST_CASE(mlx5_comp3_has_interface_driver_node_and_queue_3) {
    auto d = read_irq_devices(IRQD_FIXTURES "/sysfs-nics");
    boost::json::object o;
    add_device_json(d, row(143, "mlx5_comp3@pci:0000:3b:00.0"), o);
    BOOST_TEST(boost::json::serialize(o) ==
               R"({"device":{"pci":"0000:3b:00.0","driver":"mlx5_core","netdevs":["eth2"],"node":1,"queue":3,"direction":"rxtx"}})");
    // An IRQ sysfs does not list, named after the device's PCI address: found by the address.
    boost::json::object by_name;
    add_device_json(d, row(999, "mlx5_comp9@pci:0000:3b:00.0"), by_name);
    BOOST_TEST(by_name.at("device").at("driver").as_string() == "mlx5_core");
    boost::json::object none;
    add_device_json(d, row(1, "timer"), none);
    BOOST_TEST(none.at("device").is_null());
}

BOOST_AUTO_TEST_CASE(filters) {
    auto d = read_irq_devices(IRQD_FIXTURES "/sysfs-nics");
    const std::string eth2 = "eth2", i40e = "i40e", ahci_pci = "0000:00:1f.2", eth9 = "eth9";
    auto comp = row(140, "mlx5_comp0@pci:0000:3b:00.0");
    auto txrx = row(151, "ens1f0-TxRx-0");
    auto virt = row(300, "eth9-rx-1");   // no sysfs device: the name's interface
    BOOST_TEST(device_filter{}.matches(d, nullptr));
    BOOST_TEST((device_filter{.netdev = &eth2}.matches(d, &comp)));
    BOOST_TEST(!(device_filter{.netdev = &eth2}.matches(d, &txrx)));
    BOOST_TEST((device_filter{.driver = &i40e}.matches(d, &txrx)));
    BOOST_TEST((device_filter{.netdev = &eth9}.matches(d, &virt)));
    BOOST_TEST(!(device_filter{.driver = &i40e}.matches(d, &virt)));
    auto sata = row(27, "ahci[0000:00:1f.2]");
    BOOST_TEST((device_filter{.pci = &ahci_pci}.matches(d, &sata)));
    BOOST_TEST(!(device_filter{.netdev = &eth2}.matches(d, nullptr)));
}
