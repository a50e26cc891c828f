// GET /metrics end to end: a real irqd on a fake procfs whose counts the test wrote; the exposition is
// read with a strict parser and its values compared with the file, the affinity files and the daemon's stats.
#define BOOST_TEST_MODULE metrics
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/beast/zlib/inflate_stream.hpp>

#include "daemon.hpp"
#include "irqd/service/metrics.hpp"
#include "prometheus_text.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
prom_exposition scrape(const irqd_process& d) {
    auto r = d.get("/metrics");
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    return parse_prometheus_text(r.body);
}
}  // namespace

BOOST_AUTO_TEST_CASE(interrupt_counters_match_the_fake_procfs) {
    fake_kernel k;
    k.cpus("0-1,3");
    k.irq(30, "0-1");
    k.irq(31, "3", 1);
    k.interrupts("           CPU0       CPU1       CPU3\n"
                 " 30:        100        200          7   IR-PCI-MSI 524288-edge      eth0-TxRx-0\n"
                 " 31:          1          2          3   IR-PCI-MSI 524289-edge      nvme0q1, \"odd\\name\n"
                 "NMI:          4          5          6   Non-maskable interrupts\n"
                 "ERR:          9\n");
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms",
                    "--history", "1s:1h"});
    BOOST_REQUIRE(eventually([&] { return d.samples() >= 1; }));
    auto m = scrape(d);

    BOOST_TEST(m.types.at("node_interrupts_total") == "counter");
    BOOST_TEST(m.count("node_interrupts_total") == 9u);   // 3 rows x 3 CPUs; ERR is not per CPU
    BOOST_TEST(m.value("node_interrupts_total",
                       {{"cpu", "1"}, {"type", "30"}, {"info", "IR-PCI-MSI"}, {"devices", "524288-edge eth0-TxRx-0"}}) == 200);
    // The CPU label is the CPU number, not the column: CPU2 is offline.
    BOOST_TEST(m.value("node_interrupts_total", {{"cpu", "3"}, {"type", "30"}}) == 7);
    // Quotes and backslashes in device names survive escaping.
    BOOST_TEST(m.value("node_interrupts_total", {{"cpu", "0"}, {"type", "31"},
                                                 {"devices", "524289-edge nvme0q1, \"odd\\name"}}) == 1);
    BOOST_TEST(m.value("node_interrupts_total", {{"cpu", "3"}, {"type", "NMI"}, {"info", "Non-maskable interrupts"},
                                                 {"devices", ""}}) == 6);
    BOOST_TEST(m.value("irqd_interrupt_errors_total", {{"type", "ERR"}}) == 9);

    BOOST_TEST(m.value("irqd_cpu_interrupts_total", {{"cpu", "0"}}) == 105);
    BOOST_TEST(m.value("irqd_cpu_interrupts_total", {{"cpu", "1"}}) == 207);
    BOOST_TEST(m.value("irqd_cpu_interrupts_total", {{"cpu", "3"}}) == 16);
    // Numbered IRQs only: NMI is left out.
    BOOST_TEST(m.types.at("irqd_cpu_device_interrupts_total") == "counter");
    BOOST_TEST(m.value("irqd_cpu_device_interrupts_total", {{"cpu", "0"}}) == 101);
    BOOST_TEST(m.value("irqd_cpu_device_interrupts_total", {{"cpu", "1"}}) == 202);
    BOOST_TEST(m.value("irqd_cpu_device_interrupts_total", {{"cpu", "3"}}) == 10);

    BOOST_TEST(m.value("irqd_irq_affinity_info", {{"irq", "30"}, {"affinity", "0-1"}, {"effective", "0-1"}, {"node", "0"}}) == 1);
    BOOST_TEST(m.value("irqd_irq_affinity_info", {{"irq", "31"}, {"affinity", "3"}, {"node", "1"}}) == 1);

    BOOST_TEST(m.value("irqd_cpus") == 3);
    BOOST_TEST(m.value("irqd_irqs") == 4);
    BOOST_TEST(m.value("irqd_samples_total") >= 1);
    BOOST_TEST(m.value("irqd_samples_skipped_total") == 0);
    BOOST_TEST(m.value("irqd_sample_duration_seconds") > 0);
    BOOST_TEST(m.value("irqd_balance_runs_total") >= 0);
    BOOST_TEST(m.value("irqd_websocket_subscribers") == 0);
    BOOST_TEST(m.types.at("irqd_affinity_write_errors_total") == "counter");
    BOOST_TEST(m.count("irqd_affinity_write_errors_total") == 0u);

    // New counts show up in the next scrape; the HTTP counter counted the first scrape.
    k.interrupts("           CPU0       CPU1       CPU3\n"
                 " 30:        150        200          7   IR-PCI-MSI 524288-edge      eth0-TxRx-0\n"
                 " 31:          1          2          3   IR-PCI-MSI 524289-edge      nvme0q1, \"odd\\name\n"
                 "NMI:          4          5          6   Non-maskable interrupts\n"
                 "ERR:          9\n");
    BOOST_REQUIRE(eventually([&] { return scrape(d).value("node_interrupts_total", {{"cpu", "0"}, {"type", "30"}}) == 150; }));
    auto again = scrape(d);
    BOOST_TEST(again.value("irqd_cpu_interrupts_total", {{"cpu", "0"}}) == 155);
    BOOST_TEST(again.value("irqd_cpu_device_interrupts_total", {{"cpu", "0"}}) == 151);
    BOOST_TEST(again.value("irqd_http_responses_total", {{"code", "200"}}) >= 2);

    // ?per_irq=false, as a fleet scrapes big hosts: the per-CPU totals and the daemon's own series, no
    // series per IRQ.
    auto small = d.get("/metrics?per_irq=false");
    BOOST_REQUIRE_EQUAL(small.status, 200u);
    auto s = parse_prometheus_text(small.body);
    BOOST_TEST(s.count("node_interrupts_total") == 0u);
    BOOST_TEST(s.count("irqd_irq_affinity_info") == 0u);
    BOOST_TEST(s.types.count("node_interrupts_total") == 0u);
    BOOST_TEST(s.value("irqd_cpu_device_interrupts_total", {{"cpu", "0"}}) == 151);
    BOOST_TEST(s.value("irqd_cpu_interrupts_total", {{"cpu", "3"}}) == 16);
    BOOST_TEST(s.value("irqd_cpus") == 3);
    BOOST_TEST(parse_prometheus_text(d.get("/metrics?per_irq=true").body).count("node_interrupts_total") == 9u);
    for (auto [target, code] : {std::pair{"/metrics?per_irq=maybe", "bad_per_irq"}, {"/metrics?perirq=false", "unknown_parameter"}}) {
        auto bad = d.get(target);
        BOOST_TEST(bad.status == 400u);
        BOOST_TEST(json_body(bad).at("error").at("code").as_string() == code);
    }
}

BOOST_AUTO_TEST_CASE(kernel_refusals_are_counted_by_errno) {
    temp_dir t;
    auto faults = t.path / "faults";
    write(faults, "140 EBUSY\n141 EIO\n");
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h", "--simulate-faults", faults.string()});
    BOOST_TEST(d.call(verb::put, "/api/v1/interrupts/140/affinity", R"({"cpu": 1})").status == 503u);
    BOOST_TEST(d.call(verb::put, "/api/v1/interrupts/140/affinity", R"({"cpu": 0})").status == 503u);
    BOOST_TEST(d.call(verb::put, "/api/v1/interrupts/141/affinity", R"({"cpu": 1})").status >= 400u);
    BOOST_TEST(d.call(verb::put, "/api/v1/interrupts/141/affinity", R"({"cpu": 0})").status >= 400u);
    BOOST_TEST(d.get("/no/such/thing").status == 404u);
    auto m = scrape(d);
    BOOST_TEST(m.value("irqd_affinity_write_errors_total", {{"errno", "EBUSY"}}) >= 1);
    BOOST_TEST(m.value("irqd_affinity_write_errors_total", {{"errno", "EIO"}}) >= 1);
    BOOST_TEST(m.value("irqd_http_responses_total", {{"code", "404"}}) == 1);
    BOOST_TEST(m.value("irqd_http_responses_total", {{"code", "503"}}) >= 1);
    BOOST_TEST(d.call(verb::post, "/metrics", "").status == 405u);
    BOOST_TEST(m.value("irqd_balance_runs_total") == 0);
    // A plan needs a sample in its window first (503 "no samples" until then).
    BOOST_REQUIRE(eventually([&] { return d.call(verb::post, "/api/v1/balance", R"({"window": "1s"})").status == 200u; }));
    BOOST_TEST(scrape(d).value("irqd_balance_runs_total") == 1);
}

// What Prometheus gets with Accept-Encoding: gzip is the same exposition, compressed a megabyte at a time.
BOOST_AUTO_TEST_CASE(gzip_exposition_inflates_to_the_plain_one) {
    fake_kernel k;
    k.cpus("0-3");
    std::string text = "           CPU0       CPU1       CPU2       CPU3\n";
    for (int irq = 24; irq < 24 + 3000; ++irq)   // ~5 MB of exposition: several flushes
        text += " " + std::to_string(irq) + ":  " + std::to_string(irq * 7) + "  1  2  3   IR-PCI-MSI " +
                std::to_string(524288 + irq) + "-edge      eth0-TxRx-" + std::to_string(irq) + "\n";
    k.interrupts(text);
    irqd::service::settings s;
    s.procfs = k.proc();
    s.sysfs = k.sys();
    s.history = {{std::chrono::seconds(1), std::chrono::seconds(10)}};
    boost::asio::io_context io;
    irqd::service::sampler samples(io, s);
    BOOST_REQUIRE(samples.sample_once(std::chrono::system_clock::now()));
    irqd::service::procfs_affinity_port port(s.procfs);
    irqd::service::affinity_writer writer(port, true);
    irqd::service::metrics_renderer r({.samples = samples, .writer = writer});

    std::string plain, small;
    r.render(plain);
    r.render(small, {}, false);
    BOOST_TEST(small.find("node_interrupts_total") == std::string::npos);
    BOOST_TEST(small.size() * 100 < plain.size());
    auto gz = irqd::service::gzip_exposition(r);
    BOOST_REQUIRE_GT(gz.size(), 18u);
    BOOST_TEST((static_cast<unsigned char>(gz[0]) == 0x1f && static_cast<unsigned char>(gz[1]) == 0x8b));
    BOOST_TEST(gz.size() * 5 < plain.size());

    boost::beast::zlib::inflate_stream inflate;
    std::string back(plain.size() + 1024, '\0');
    boost::beast::zlib::z_params zs;
    zs.next_in = gz.data() + 10;
    zs.avail_in = gz.size() - 18;
    zs.next_out = back.data();
    zs.avail_out = back.size();
    boost::beast::error_code ec;
    inflate.write(zs, boost::beast::zlib::Flush::finish, ec);
    back.resize(back.size() - zs.avail_out);
    BOOST_TEST(back.size() == plain.size());
    BOOST_TEST((back == plain));
    std::uint32_t isize = 0;
    for (int i = 0; i < 4; ++i) isize |= std::uint32_t(static_cast<unsigned char>(gz[gz.size() - 4 + i])) << (8 * i);
    BOOST_TEST(isize == plain.size());
    auto m = parse_prometheus_text(back);
    BOOST_TEST(m.count("node_interrupts_total") == 12000u);
    BOOST_TEST(m.value("node_interrupts_total", {{"cpu", "0"}, {"type", "100"}}) == 700);
}

BOOST_AUTO_TEST_CASE(names_that_are_not_utf8_come_out_with_replacement_characters) {
    fake_kernel k;
    k.cpus("0-1");
    k.irq(30, "0-1");
    k.interrupts("           CPU0       CPU1\n"
                 " 30:        100        200   IR-PCI-MSI 524288-edge      eth\xFF\xFE-q\xC3\n");
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms",
                    "--history", "1s:1h"});
    BOOST_REQUIRE(eventually([&] { return d.samples() >= 2; }));
    const std::string name = "eth\xEF\xBF\xBD\xEF\xBF\xBD-q\xEF\xBF\xBD";
    // Boost.JSON refuses invalid UTF-8: the body parses only if irqd replaced the bytes.
    auto irqs = json::parse(d.get("/api/v1/interrupts?window=10s").body).at("irqs").as_array();
    BOOST_REQUIRE(irqs.size() == 1u);
    BOOST_TEST(irqs[0].at("name").as_string() == name);
    auto m = scrape(d);
    BOOST_TEST(m.value("node_interrupts_total", {{"cpu", "1"}, {"type", "30"}, {"devices", "524288-edge " + name}}) == 200);
}
