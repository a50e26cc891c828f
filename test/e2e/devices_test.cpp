// End-to-end test of IRQ devices: a real irqd whose fake sysfs is the kernel-style tree of
// test/fixtures/sysfs-nics reports each IRQ's PCI device, driver, interfaces, node and queue in
// /api/v1/interrupts and /api/v1/interrupts/{irq}, and filters by device=, netdev= and driver=.
#define BOOST_TEST_MODULE devices
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "daemon.hpp"

using namespace irqd::test;
namespace json = boost::json;

BOOST_AUTO_TEST_CASE(mlx5_comp3_is_eth2_queue_3_and_filters_pick_devices) {
    fake_kernel k;
    fs::create_directories(k.sys());
    fs::copy(IRQD_FIXTURES "/sysfs-nics", k.sys(), fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    k.cpus("0-1");
    std::string text = "           CPU0       CPU1\n";
    for (unsigned q = 0; q < 4; ++q)
        text += " " + std::to_string(140 + q) + ":  10  20  IR-PCI-MSI 31457" + std::to_string(q) + "-edge  mlx5_comp" +
                std::to_string(q) + "@pci:0000:3b:00.0\n";
    text += " 150:  1  0  IR-PCI-MSI 1-edge  i40e-0000:af:00.0:misc\n 151:  5  5  IR-PCI-MSI 2-edge  ens1f0-TxRx-0\n"
            "  27:  3  3  IR-IO-APIC 27-fasteoi  ahci[0000:00:1f.2]\n   0:  9  0  IR-IO-APIC 2-edge  timer\n";
    k.interrupts(text);
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms"});
    BOOST_REQUIRE(d.wait_samples(1));

    auto one = json_body(d.get("/api/v1/interrupts/143"));
    const auto& dev = one.at("device");
    BOOST_TEST(dev.at("pci").as_string() == "0000:3b:00.0");
    BOOST_TEST(dev.at("driver").as_string() == "mlx5_core");
    BOOST_TEST(json::serialize(dev.at("netdevs")) == R"(["eth2"])");
    BOOST_TEST(dev.at("node").to_number<int>() == 1);
    BOOST_TEST(dev.at("queue").to_number<int>() == 3);
    BOOST_TEST(dev.at("direction").as_string() == "rxtx");

    auto ids = [&](const std::string& query) {
        std::string out;
        const auto v = json_body(d.get("/api/v1/interrupts?window=1h&" + query));
        for (const auto& i : v.at("irqs").as_array())
            out += std::string(i.at("irq").as_string()) + " ";
        return out;
    };
    BOOST_TEST(ids("netdev=eth2") == "140 141 142 143 ");
    BOOST_TEST(ids("driver=i40e") == "150 151 ");
    BOOST_TEST(ids("netdev=ens1f0") == "150 151 ");
    BOOST_TEST(ids("device=0000:00:1f.2") == "27 ");
    BOOST_TEST(ids("driver=i40e&netdev=eth2").empty());
    BOOST_TEST(ids("netdev=eth9").empty());
    auto timer = json_body(d.get("/api/v1/interrupts?window=1h&irqs=0"));
    BOOST_TEST(timer.at("irqs").at(0).at("device").is_null());   // no device
    auto txrx = json_body(d.get("/api/v1/interrupts?window=1h&irqs=151"));
    BOOST_TEST(txrx.at("irqs").at(0).at("device").at("queue").to_number<int>() == 0);
    BOOST_TEST(d.get("/api/v1/interrupts?devices=x").status == 400u);   // a typo is a 400, not a silent no-filter
}

// A simulated machine of 4 CPUs or more is a two-socket server: two NUMA nodes of half the CPUs
// each, its NICs alternating between them, and each queue IRQ's node that of its NIC.
BOOST_AUTO_TEST_CASE(a_simulated_machine_of_8_cpus_has_a_nic_on_each_of_two_nodes) {
    temp_dir t;
    std::string text = "           CPU0       CPU1       CPU2       CPU3       CPU4       CPU5       CPU6       CPU7\n";
    for (unsigned nic = 0; nic < 2; ++nic)
        for (unsigned q = 0; q < 4; ++q)
            text += " " + std::to_string(100 + nic * 10 + q) + ":  100  0  0  0  0  0  0  0  IR-PCI-MSI " +
                    std::to_string(q) + "-edge  eth" + std::to_string(nic) + "-TxRx-" + std::to_string(q) + "\n";
    write(t.path / "rates.txt", text);
    irqd_process d({"--simulate", (t.path / "rates.txt").string(), "--interval", "100ms"});
    BOOST_REQUIRE(d.wait_samples(1));
    auto node_of = [&](unsigned irq) {
        return json_body(d.get("/api/v1/interrupts/" + std::to_string(irq))).at("device").at("node").to_number<int>();
    };
    BOOST_TEST(node_of(100) == 0);
    BOOST_TEST(node_of(113) == 1);
    auto cpus = json_body(d.get("/api/v1/cpus"));
    BOOST_TEST(cpus.at("online").as_string() == "0-7");
    auto ids = [&](const std::string& query) {
        std::string out;
        const auto v = json_body(d.get("/api/v1/interrupts?window=1h&" + query));   // kept: the loop reads into it
        for (const auto& i : v.at("irqs").as_array())
            out += std::string(i.at("irq").as_string()) + " ";
        return out;
    };
    BOOST_TEST(ids("netdev=eth1") == "110 111 112 113 ");
}
