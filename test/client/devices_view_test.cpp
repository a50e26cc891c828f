// Tests for the devices table: IRQs grouped by device, queues counted, CPUs merged, busiest first.
#define BOOST_TEST_MODULE devices_view
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "irqd/client/devices_view.hpp"

using namespace irqd::client;

BOOST_AUTO_TEST_CASE(one_line_per_device) {
    auto v = boost::json::parse(R"({"irqs":[
        {"irq":"140","effective":"0","rate":100.0,
         "device":{"pci":"0000:3b:00.0","driver":"mlx5_core","netdevs":["eth2"],"node":1,"queue":0,"direction":"rxtx"}},
        {"irq":"141","effective":"3","rate":50.0,
         "device":{"pci":"0000:3b:00.0","driver":"mlx5_core","netdevs":["eth2"],"node":1,"queue":1,"direction":"rxtx"}},
        {"irq":"144","effective":"0-1","rate":1.0,
         "device":{"pci":"0000:3b:00.0","driver":"mlx5_core","netdevs":["eth2"],"node":1,"queue":null,"direction":"misc"}},
        {"irq":"200","effective":"2","rate":500.0,
         "device":{"pci":null,"driver":null,"netdevs":["eth9"],"node":-1,"queue":4,"direction":"rx"}},
        {"irq":"0","effective":"0","rate":1000.0,"device":null}]})");
    BOOST_TEST(render_devices(v, {}) ==
               "\n"
               "DEVICE        DRIVER     NETDEVS  NODE  IRQS  QUEUES  CPUS   RATE/s\n"
               "-             -          eth9        -     1       1  2         500\n"
               "0000:3b:00.0  mlx5_core  eth2        1     3       2  0-1,3     151\n");
    BOOST_TEST(render_devices(boost::json::parse(R"({"irqs":[]})"), {}) == "\nno IRQ with a known device (see --sysfs)\n");
}
