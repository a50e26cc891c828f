// End-to-end tests of the per-CPU load figures: a real irqd on a fake kernel whose /proc/stat,
// /proc/softirqs and /proc/net/softnet_stat advance by known amounts; every figure of /api/v1/cpus
// and /api/v1/softirqs is the exact delta for the window. Missing files leave fields out, once in health.
#define BOOST_TEST_MODULE cpu_load
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <set>

#include "daemon.hpp"
#include "prometheus_text.hpp"

using namespace irqd::test;
namespace json = boost::json;

namespace {
const std::string interrupts = "           CPU0       CPU1\n 30:   100   200   IR-PCI-MSI 524288-edge   eth0-TxRx-0\n";

struct counters {
    std::uint64_t irq0, soft0, idle0, irq1, soft1, idle1;   // /proc/stat ticks of CPU 0 and 1
    std::uint64_t net_rx0, net_rx1, timer1;                 // /proc/softirqs
    std::uint64_t processed1, dropped1, squeezed1;          // softnet_stat of CPU 1 (CPU 0 stays quiet)
};

std::string hex(std::uint64_t v) {
    char b[20];
    std::snprintf(b, sizeof b, "%08llx", static_cast<unsigned long long>(v & 0xffffffffu));   // 32 bits, as the kernel prints
    return b;
}

void write_counters(const fake_kernel& k, const counters& c) {
    auto stat_line = [](const char* name, std::uint64_t irq, std::uint64_t soft, std::uint64_t idle) {
        return std::string(name) + " 10 0 10 " + std::to_string(idle) + " 0 " + std::to_string(irq) + " " +
               std::to_string(soft) + " 0 0 0\n";
    };
    auto replace = [&](const fs::path& p, const std::string& text) {
        write(fs::path(p.string() + ".new"), text);
        fs::rename(p.string() + ".new", p);
    };
    replace(k.proc() / "stat", stat_line("cpu ", c.irq0 + c.irq1, c.soft0 + c.soft1, c.idle0 + c.idle1) +
                                   stat_line("cpu0", c.irq0, c.soft0, c.idle0) + stat_line("cpu1", c.irq1, c.soft1, c.idle1) +
                                   "intr 0\nctxt 0\n");
    replace(k.proc() / "softirqs", "                    CPU0       CPU1\n          HI:          0          0\n"
                                   "       TIMER:          5 " + std::to_string(c.timer1) + "\n"
                                   "      NET_RX: " + std::to_string(c.net_rx0) + " " + std::to_string(c.net_rx1) + "\n");
    const std::string z = " 00000000";
    replace(k.proc() / "net/softnet_stat",
            hex(7) + z + z + z + z + z + z + z + z + z + z + z + " 00000000\n" + hex(c.processed1) + " " + hex(c.dropped1) +
                " " + hex(c.squeezed1) + z + z + z + z + z + z + z + z + z + " 00000001\n");
}

std::uint64_t u(const json::value& v) { return v.to_number<std::uint64_t>(); }

const json::object& cpu(const json::value& reply, unsigned n) {
    for (const auto& c : reply.at("cpus").as_array())
        if (u(c.at("cpu")) == n) return c.as_object();
    throw std::runtime_error("no cpu " + std::to_string(n));
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_figure_is_the_exact_delta_of_the_window) {
    fake_kernel k;
    k.cpus("0-1");
    k.irq(30, "0-1");
    k.interrupts(interrupts);
    counters c{100, 200, 5000, 300, 400, 6000, 1000, 2000, 50, 0xfffffff0, 3, 9};
    write_counters(k, c);
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms", "--history",
                    "1s:1h,1m:1d", "--overload-share", "0.25"});
    BOOST_REQUIRE(d.wait_samples(2));
    // Two steps, each read by a few samples; the softnet processed counter wraps at 2^32 on the way.
    counters mid = c;
    mid.irq0 += 10, mid.soft0 += 20, mid.idle0 += 970, mid.net_rx0 += 5;
    mid.irq1 += 100, mid.soft1 += 200, mid.idle1 += 700, mid.net_rx1 += 40000, mid.timer1 += 7;
    mid.processed1 += 0x20, mid.dropped1 += 4, mid.squeezed1 += 2;
    write_counters(k, mid);
    BOOST_REQUIRE(d.wait_samples(3));
    counters end = mid;
    end.irq1 += 1, end.soft1 += 2, end.idle1 += 97, end.net_rx1 += 60, end.processed1 += 0x100, end.dropped1 += 1;
    write_counters(k, end);
    BOOST_REQUIRE(d.wait_samples(3));

    auto v = json_body(d.get("/api/v1/cpus?window=1h"));
    const double seconds = v.at("window").at("seconds").to_number<double>();
    BOOST_REQUIRE(seconds > 0);
    const auto& c0 = cpu(v, 0);
    const auto& c1 = cpu(v, 1);
    // CPU 0: 10 irq + 20 softirq ticks of 1000: shares 0.01 and 0.02, below the 0.25 threshold.
    BOOST_TEST(c0.at("irq_time_share").as_double() == 10.0 / 1000, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(c0.at("softirq_time_share").as_double() == 20.0 / 1000, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(u(c0.at("softirqs").at("NET_RX").at("count")) == 5u);
    BOOST_TEST(u(c0.at("softnet").at("processed").at("count")) == 0u);
    BOOST_TEST(c0.at("overloaded").as_bool() == false);
    // CPU 1: 101 irq + 202 softirq ticks of 1100; 40060 NET_RX; 0x120 processed across the wrap; 5 drops, 2 squeezes.
    BOOST_TEST(c1.at("irq_time_share").as_double() == 101.0 / 1100, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(c1.at("softirq_time_share").as_double() == 202.0 / 1100, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(u(c1.at("softirqs").at("NET_RX").at("count")) == 40060u);
    BOOST_TEST(c1.at("softirqs").at("NET_RX").at("rate").as_double() == 40060 / seconds, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(u(c1.at("softirqs").at("TIMER").at("count")) == 7u);
    BOOST_TEST(u(c1.at("softnet").at("processed").at("count")) == 0x120u);
    BOOST_TEST(u(c1.at("softnet").at("dropped").at("count")) == 5u);
    BOOST_TEST(c1.at("softnet").at("dropped").at("rate").as_double() == 5 / seconds, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(u(c1.at("softnet").at("time_squeezed").at("count")) == 2u);
    BOOST_TEST(c1.at("overloaded").as_bool());
    BOOST_TEST(json::serialize(c1.at("overload_reasons")) == R"(["interrupt_time","drops","time_squeezed"])");

    // The full softirq table, same window (its from/to, as samples go on), same deltas.
    const std::string from(v.at("window").at("from").as_string()), to(v.at("window").at("to").as_string());
    auto s = json_body(d.get("/api/v1/softirqs?from=" + from + "&to=" + to));
    BOOST_TEST(s.at("available").as_bool());
    BOOST_TEST(json::serialize(s.at("cpus")) == "[0,1]");
    const auto& rows = s.at("softirqs").as_array();
    BOOST_REQUIRE(rows.size() == 3u);
    BOOST_TEST(rows[2].at("name").as_string() == "NET_RX");
    BOOST_TEST(json::serialize(rows[2].at("counts")) == "[5,40060]");
    BOOST_TEST(u(rows[2].at("total")) == 40065u);
    BOOST_TEST(s.at("window").at("seconds").to_number<double>() == seconds);

    // A window that ends before anything was sampled counts nothing, and a CPU with no counts is not overloaded.
    auto old = json_body(d.get("/api/v1/cpus?from=1000000000&to=1000000060"));
    BOOST_TEST(cpu(old, 1).at("overloaded").as_bool() == false);
    BOOST_TEST(d.get("/api/v1/softirqs?window=1h&cpus=1").status == 400u);
    BOOST_TEST(json_body(d.get("/api/v1/health")).at("cpu_sources").at("missing").as_array().empty());

    // /metrics: the latest cumulative values under node_exporter's names and labels.
    auto m = parse_prometheus_text(d.get("/metrics").body);
    BOOST_TEST(m.types.at("node_softnet_dropped_total") == "counter");
    BOOST_TEST(m.value("node_softnet_dropped_total", {{"cpu", "1"}}) == 8);
    BOOST_TEST(m.value("node_softnet_processed_total", {{"cpu", "1"}}) == 0x110);   // after the wrap
    BOOST_TEST(m.value("node_softnet_times_squeezed_total", {{"cpu", "1"}}) == 11);
    BOOST_TEST(m.value("node_softirqs_functions_total", {{"cpu", "1"}, {"type", "NET_RX"}}) == 42060);
    BOOST_TEST(m.value("irqd_cpu_irq_seconds_total", {{"cpu", "1"}}) == 401 * 0.01, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(missing_files_leave_fields_out_and_are_reported_once) {
    fake_kernel k;
    k.cpus("0-1");
    k.irq(30, "0-1");
    k.interrupts(interrupts);
    write_counters(k, counters{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    fs::remove(k.proc() / "net/softnet_stat");
    fs::remove(k.proc() / "softirqs");
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms"});
    BOOST_REQUIRE(d.wait_samples(3));
    auto h = d.health();
    BOOST_TEST(h.at("status").as_string() == "ok");
    BOOST_TEST(h.at("cpu_sources").at("stat").as_bool());
    BOOST_TEST(h.at("cpu_sources").at("softnet_stat").as_bool() == false);
    BOOST_TEST(h.at("cpu_sources").at("missing").as_array().size() == 2u);   // once each, after 3+ samples
    auto v = json_body(d.get("/api/v1/cpus?window=1h"));
    BOOST_TEST(cpu(v, 0).contains("irq_time_share"));
    BOOST_TEST(!cpu(v, 0).contains("softnet"));
    BOOST_TEST(!cpu(v, 0).contains("softirqs"));
    auto s = d.get("/api/v1/softirqs");
    BOOST_TEST(s.status == 200u);
    BOOST_TEST(json_body(s).at("available").as_bool() == false);
}

// Many NICs (the soak's 64 x 1024 table names eth0..eth15): each gets its own PCI address.
BOOST_AUTO_TEST_CASE(simulator_gives_sixteen_nics_distinct_addresses) {
    temp_dir t;
    std::string text = "      CPU0 CPU1\n";
    for (unsigned i = 0; i < 16 * 4; ++i)
        text += std::to_string(24 + i) + ": 1000 1000  IR-PCI-MSI " + std::to_string(i) + "-edge  eth" + std::to_string(i / 4) +
                "-TxRx-" + std::to_string(i % 4) + "\n";
    write(t.path / "rates.txt", text);
    irqd_process d({"--simulate", (t.path / "rates.txt").string(), "--interval", "100ms"});
    std::set<std::string> addresses;
    for (unsigned i = 0; i < 16; ++i) {
        auto v = json_body(d.get("/api/v1/interrupts/" + std::to_string(24 + 4 * i)));
        BOOST_TEST(json::serialize(v.at("device").at("netdevs")) == "[\"eth" + std::to_string(i) + "\"]");
        addresses.insert(std::string(v.at("device").at("pci").as_string()));
    }
    BOOST_TEST(addresses.size() == 16u);
}

BOOST_AUTO_TEST_CASE(bad_overload_share_is_refused) {
    auto r = run(binary("irqd").string() + " --simulate --overload-share 1.5");
    BOOST_TEST(r.code != 0);
    BOOST_TEST(r.out.find("--overload-share") != std::string::npos, r.out);
}

// The simulated machine: its NIC queues bring packets to the CPU taking their IRQ; piled on one CPU
// they pass its capacity and it drops packets; a balance plan spreads them and the drops stop.
BOOST_AUTO_TEST_CASE(simulator_drops_on_a_piled_cpu_stop_after_a_plan) {
    using boost::beast::http::verb;
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    BOOST_REQUIRE(d.wait_samples(12));
    auto dropped = [&](unsigned n) {
        auto v = json_body(d.get("/api/v1/cpus?window=1s"));
        return u(cpu(v, n).at("softnet").at("dropped").at("count"));
    };
    BOOST_TEST(dropped(0) == 0u);
    BOOST_TEST(dropped(1) == 0u);
    auto eth2 = json_body(d.get("/api/v1/interrupts/143"));   // the seed's eth0-TxRx-11, on a simulated ixgbe
    BOOST_TEST(eth2.at("device").at("driver").as_string() == "ixgbe");
    BOOST_TEST(eth2.at("device").at("queue").to_number<int>() == 11);

    std::string changes;
    for (unsigned irq = 132; irq <= 196; ++irq) changes += std::string(changes.empty() ? "" : ",") + R"({"irq":)" + std::to_string(irq) + R"(,"cpu":0})";
    BOOST_REQUIRE(d.call(verb::post, "/api/v1/affinity", R"({"changes":[)" + changes + "]}").status == 200u);
    BOOST_REQUIRE(d.wait_samples(12));
    // A 1 s window wholly after the change comes (on a loaded machine its first frame has been seen
    // to still hold packets on CPU 1 from before; bounded: 5 s).
    json::value piled;
    BOOST_TEST(eventually([&] {
        piled = json_body(d.get("/api/v1/cpus?window=1s"));
        return u(cpu(piled, 1).at("softirqs").at("NET_RX").at("count")) == 0 &&
               u(cpu(piled, 0).at("softnet").at("dropped").at("count")) > 0;
    }, std::chrono::seconds(5)));
    BOOST_TEST(u(cpu(piled, 0).at("softnet").at("dropped").at("count")) > 0u);
    BOOST_TEST(cpu(piled, 0).at("overloaded").as_bool());
    BOOST_TEST(u(cpu(piled, 1).at("softirqs").at("NET_RX").at("count")) == 0u);

    auto plan = d.call(verb::post, "/api/v1/balance?apply=true", R"({"window":"1s","min_improvement":0})");
    BOOST_REQUIRE(plan.status == 200u);
    BOOST_REQUIRE(d.wait_samples(12));
    // A 1 s window without drops on either CPU comes (under a loaded CI machine one straggling frame
    // has been seen to still count drops; bounded: 5 s).
    json::value after;
    BOOST_TEST(eventually([&] {
        after = json_body(d.get("/api/v1/cpus?window=1s"));
        return u(cpu(after, 0).at("softnet").at("dropped").at("count")) == 0 &&
               u(cpu(after, 1).at("softnet").at("dropped").at("count")) == 0;
    }, std::chrono::seconds(5)));
    for (unsigned n : {0u, 1u}) {
        BOOST_TEST(u(cpu(after, n).at("softnet").at("dropped").at("count")) == 0u);
        BOOST_TEST(cpu(after, n).at("overloaded").as_bool() == false);
        BOOST_TEST(u(cpu(after, n).at("softnet").at("processed").at("count")) > 0u);
    }
}
