// End-to-end tests of the HTTP API: a real irqd on 127.0.0.1 reading a fake procfs the test writes,
// or a simulated machine whose kernel model the test makes refuse writes with chosen errnos.
#define BOOST_TEST_MODULE api
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <tuple>

#include "daemon.hpp"
#include "raw_http.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
std::string table(const std::string& header, const std::vector<std::string>& rows) {
    std::string t = header + "\n";
    for (const auto& r : rows) t += r + "\n";
    return t;
}

const std::string header2 = "           CPU0       CPU1";

std::vector<std::uint64_t> counts_of(const json::value& v, const std::string& irq) {
    for (const auto& i : v.at("irqs").as_array())
        if (i.at("irq").as_string() == irq) {
            std::vector<std::uint64_t> out;
            for (const auto& c : i.at("counts").as_array()) out.push_back(c.to_number<std::uint64_t>());
            return out;
        }
    return {};
}

struct fake_daemon {
    fake_kernel k;
    std::unique_ptr<irqd_process> d;
    explicit fake_daemon(const std::string& first, std::vector<std::string> extra = {}) {
        k.cpus("0-1");
        k.irq(30, "0-1");
        k.irq(31, "0-1");
        k.interrupts(first);
        std::vector<std::string> args{"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms",
                                      "--history", "1s:1h,1m:1d"};
        args.insert(args.end(), extra.begin(), extra.end());
        d = std::make_unique<irqd_process>(args);
        BOOST_REQUIRE(d->wait_samples(1));
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(window_counts_are_exact_deltas) {
    fake_daemon f(table(header2, {" 30:        100        200   IR-PCI-MSI 524288-edge      eth0-TxRx-0",
                                  " 31:          5          0   IR-PCI-MSI 524289-edge      eth0-TxRx-1",
                                  "NMI:          1          1   Non-maskable interrupts"}));
    f.k.interrupts(table(header2, {" 30:        150        260   IR-PCI-MSI 524288-edge      eth0-TxRx-0",
                                   " 31:          5         10   IR-PCI-MSI 524289-edge      eth0-TxRx-1",
                                   "NMI:          2          1   Non-maskable interrupts"}));
    BOOST_REQUIRE(f.d->wait_samples(3));
    auto v = json_body(f.d->get("/api/v1/interrupts?window=1h"));
    BOOST_TEST((counts_of(v, "30") == std::vector<std::uint64_t>{50, 60}));
    BOOST_TEST((counts_of(v, "31") == std::vector<std::uint64_t>{0, 10}));
    BOOST_TEST((counts_of(v, "NMI") == std::vector<std::uint64_t>{1, 0}));
    BOOST_TEST(v.at("total").to_number<std::uint64_t>() == 121u);
    BOOST_TEST(v.at("cpu_totals").at(1).at("count").to_number<std::uint64_t>() == 70u);

    // Filters: one CPU, one IRQ list, the busiest one.
    auto c1 = json_body(f.d->get("/api/v1/interrupts?window=1h&cpus=1&irqs=30-31"));
    BOOST_TEST(c1.at("cpus").as_array().size() == 1u);
    BOOST_TEST((counts_of(c1, "30") == std::vector<std::uint64_t>{60}));
    BOOST_TEST(c1.at("irqs").as_array().size() == 2u);
    auto top = json_body(f.d->get("/api/v1/interrupts?window=1h&top=1"));
    BOOST_TEST(top.at("irqs").at(0).at("irq").as_string() == "30");
    auto named = json_body(f.d->get("/api/v1/interrupts?window=1h&name=eth0-TxRx-1"));
    BOOST_TEST(named.at("irqs").as_array().size() == 1u);

    // A window that ends before anything fired counts nothing.
    auto old = json_body(f.d->get("/api/v1/interrupts?from=1000000000&to=1000000060"));
    BOOST_TEST(old.at("total").to_number<std::uint64_t>() == 0u);
}

BOOST_AUTO_TEST_CASE(counters_wrapping_at_2_pow_32_count_the_wrap) {
    fake_daemon f(table(header2, {" 30: 4294967000          0   IR-PCI-MSI-edge      eth0"}));
    f.k.interrupts(table(header2, {" 30:        200          7   IR-PCI-MSI-edge      eth0"}));
    BOOST_REQUIRE(f.d->wait_samples(3));
    auto v = json_body(f.d->get("/api/v1/interrupts?window=1h"));
    BOOST_TEST((counts_of(v, "30") == std::vector<std::uint64_t>{496, 7}));
}

BOOST_AUTO_TEST_CASE(cpu_hotplug_and_irq_removal_never_give_absurd_counts) {
    fake_daemon f(table("           CPU0       CPU1       CPU2",
                        {" 30:         10         10         10   IR-PCI-MSI-edge      eth0-0",
                         " 31:         10         10         10   IR-PCI-MSI-edge      eth0-1"}));
    // CPU1 goes offline (absent from the header) and IRQ 31 vanishes.
    f.k.interrupts(table("           CPU0       CPU2", {" 30:         20         15   IR-PCI-MSI-edge      eth0-0"}));
    BOOST_REQUIRE(f.d->wait_samples(3));
    // CPU1 comes back with a smaller counter; IRQ 31 returns.
    f.k.interrupts(table("           CPU0       CPU1       CPU2",
                         {" 30:         25          3         15   IR-PCI-MSI-edge      eth0-0",
                          " 31:         12         10         10   IR-PCI-MSI-edge      eth0-1"}));
    BOOST_REQUIRE(f.d->wait_samples(3));
    auto v = json_body(f.d->get("/api/v1/interrupts?window=1h"));
    std::vector<std::uint64_t> cpus;
    for (const auto& c : v.at("cpus").as_array()) cpus.push_back(c.to_number<std::uint64_t>());
    BOOST_TEST((cpus == std::vector<std::uint64_t>{0, 1, 2}));
    // CPU0: 10 then 5; CPU2: 5; CPU1 is new when it returns, so counts 0.
    BOOST_TEST((counts_of(v, "30") == std::vector<std::uint64_t>{15, 0, 5}));
    // IRQ 31 counted 0 when it came back (its past is unknown), never a huge number.
    BOOST_TEST((counts_of(v, "31") == std::vector<std::uint64_t>{0, 0, 0}));
    BOOST_TEST(f.d->health().at("status").as_string() == "ok");
}

// Bad requests of every kind: test/e2e/bad_input_test.cpp.

BOOST_AUTO_TEST_CASE(affinity_writes_read_first_and_report_kernel_errors) {
    fake_daemon f(table(header2, {" 30:        100        200   IR-PCI-MSI-edge      eth0",
                                  " 31:        100        200   IR-PCI-MSI-edge      eth1"}));
    auto r = f.d->call(verb::put, "/api/v1/interrupts/30/affinity", "{\"cpu\":1}");
    BOOST_TEST(r.status == 200u);
    auto v = json_body(r);
    BOOST_TEST(v.at("changed").as_bool());
    BOOST_TEST(v.at("before").as_string() == "0-1");
    BOOST_TEST(v.at("affinity").as_string() == "1");
    std::string aff;
    std::ifstream(f.k.proc() / "irq/30/smp_affinity_list") >> aff;
    BOOST_TEST(aff == "1");
    // The same request again writes nothing.
    v = json_body(f.d->call(verb::put, "/api/v1/interrupts/30/affinity", "{\"mask\":\"2\"}"));
    BOOST_TEST(!v.at("changed").as_bool());
    // The kernel's ENOSPC (a file that is /dev/full) is a 503; a missing file is a 404.
    fs::remove(f.k.proc() / "irq/31/smp_affinity_list");
    fs::create_symlink("/dev/full", f.k.proc() / "irq/31/smp_affinity_list");
    r = f.d->call(verb::put, "/api/v1/interrupts/31/affinity", "{\"cpu\":0}");
    BOOST_TEST(r.status == 503u);
    BOOST_TEST(json_body(r).at("error").at("code").as_string() == "no_vectors");
    fs::remove(f.k.proc() / "irq/31/smp_affinity_list");
    r = f.d->call(verb::put, "/api/v1/interrupts/31/affinity", "{\"cpu\":0}");
    BOOST_TEST(r.status == 404u);
}

BOOST_AUTO_TEST_CASE(read_only_refuses_every_write) {
    fake_daemon f(table(header2, {" 30:        100        200   IR-PCI-MSI-edge      eth0"}), {"--read-only"});
    auto r = f.d->call(verb::put, "/api/v1/interrupts/30/affinity", "{\"cpu\":1}");
    BOOST_TEST(r.status == 403u);
    BOOST_TEST(json_body(r).at("error").at("code").as_string() == "read_only");
}

BOOST_AUTO_TEST_CASE(simulated_kernel_errors_map_to_statuses_and_batches_roll_back) {
    temp_dir t;
    auto faults = t.path / "faults";
    write(faults, "");
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h", "--simulate-faults", faults.string()});
    // One IRQ each: EIO and EPERM are permanent, so irqd remembers them for their IRQ.
    std::vector<std::tuple<std::string, unsigned, std::string>> errnos{
        {"EINVAL", 422, "140"}, {"ENOSPC", 503, "140"}, {"EBUSY", 503, "140"}, {"ENOENT", 404, "140"},
        {"EACCES", 403, "140"}, {"EROFS", 403, "140"},  {"EIO", 409, "138"},   {"EPERM", 409, "139"}};
    for (const auto& [name, status, irq] : errnos) {
        write(faults, irq + " " + name + "\n");
        auto r = d.call(verb::put, "/api/v1/interrupts/" + irq + "/affinity", "{\"cpu\":1}");
        BOOST_TEST(r.status == status, name);
        BOOST_TEST(json_body(r).at("error").at("message").as_string().size() > 10u);
    }
    // All or nothing: 136 is written, then 140 fails, so 136 goes back to what it was.
    write(faults, "140 ENOSPC\n");
    auto before = json_body(d.get("/api/v1/interrupts/136")).at("affinity").as_string();
    auto r = d.call(verb::post, "/api/v1/affinity",
                    R"({"changes":[{"irq":136,"cpu":1},{"irq":140,"cpu":1}]})");
    BOOST_TEST(r.status == 503u);
    auto e = json_body(r).at("error");
    BOOST_TEST(e.at("irq").as_string() == "140");
    BOOST_TEST(e.at("rolled_back").as_array().size() == 1u);
    BOOST_TEST(json_body(d.get("/api/v1/interrupts/136")).at("affinity").as_string() == before);
    // Without faults the batch applies.
    write(faults, "");
    r = d.call(verb::post, "/api/v1/affinity", R"({"changes":[{"irq":136,"cpu":1},{"irq":140,"cpus":"0"}]})");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(json_body(r).at("changed").to_number<int>() == 2);
}

BOOST_AUTO_TEST_CASE(simulated_rates_follow_affinity) {
    irqd_process d({"--simulate", "--simulate-speed", "1000", "--interval", "100ms", "--history", "1s:1h"});
    BOOST_REQUIRE(d.call(verb::put, "/api/v1/interrupts/136/affinity", "{\"cpu\":1}").status == 200u);
    auto moved_at = std::chrono::system_clock::now();
    BOOST_REQUIRE(d.wait_samples(25));
    auto from = std::chrono::duration_cast<std::chrono::milliseconds>(moved_at.time_since_epoch()).count() / 1000.0 + 1.2;
    auto v = json_body(d.get("/api/v1/interrupts?irqs=136&from=" + std::to_string(from)));
    auto c = counts_of(v, "136");
    BOOST_REQUIRE(c.size() == 2u);
    BOOST_TEST(c[0] == 0u);
    BOOST_TEST(c[1] > 0u);
}

BOOST_AUTO_TEST_CASE(raw_health_and_graceful_stop) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    BOOST_TEST(d.first_line().find("simulated machine: 2 CPUs, 65 IRQs") != std::string::npos);
    auto raw = d.get("/api/v1/raw");
    BOOST_TEST(raw.status == 200u);
    BOOST_TEST(raw.body.find("eth0-TxRx-0") != std::string::npos);
    auto h = d.health();
    BOOST_TEST(h.at("simulated").as_bool());
    BOOST_TEST(h.at("irqs").to_number<int>() == 65);
    BOOST_TEST(d.stop() == 0);
}

// Between two samples the same GET gets the same bytes, with an ETag; If-None-Match answers 304; an
// affinity write makes a new answer at once, without waiting for the next sample.
BOOST_AUTO_TEST_CASE(answers_are_kept_per_sample_with_etags) {
    fake_kernel k;
    k.cpus("0-1");
    k.irq(30, "0-1");
    k.interrupts(table(header2, {" 30:        100        200   IR-PCI-MSI 524288-edge      eth0-TxRx-0"}));
    // One sample an hour: every request below is answered between the same two samples.
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "1h",
                    "--history", "1h:1d"});
    const std::string path = "/api/v1/interrupts/30?window=1h";
    auto first = raw_request(d.port(), "GET", path);
    BOOST_TEST(first.status == 200u);
    const auto tag = first.header("etag");
    BOOST_TEST(tag.size() == 18u);   // a quoted 64-bit hex hash
    BOOST_TEST(first.header("cache-control") == "no-cache");
    // The same query said another way (the last value of a parameter counts): the same bytes come back.
    auto again = raw_request(d.port(), "GET", "/api/v1/interrupts/30?window=2h&window=1h");
    BOOST_TEST(again.header("etag") == tag);
    BOOST_TEST(again.body == first.body);
    auto fresh = raw_request(d.port(), "GET", path, {}, {{"If-None-Match", "\"0\", W/" + tag}});
    BOOST_TEST(fresh.status == 304u);
    BOOST_TEST(fresh.body.empty());
    BOOST_TEST(fresh.header("etag") == tag);
    BOOST_TEST(raw_request(d.port(), "HEAD", path, {}, {{"If-None-Match", tag}}).status == 304u);
    BOOST_TEST(raw_request(d.port(), "GET", path, {}, {{"If-None-Match", "\"other\""}}).status == 200u);
    // Errors are never kept, nor given a tag.
    auto bad = raw_request(d.port(), "GET", "/api/v1/interrupts?window=never");
    BOOST_TEST(bad.status == 400u);
    BOOST_TEST(bad.header("etag").empty());

    BOOST_TEST(d.call(verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":1})").status == 200u);
    auto moved = raw_request(d.port(), "GET", path, {}, {{"If-None-Match", tag}});
    BOOST_TEST(moved.status == 200u);
    BOOST_TEST(moved.header("etag") != tag);
    BOOST_TEST(json::parse(moved.body).at("affinity").as_string() == "1");
    // /health counts what the cache did: the second GET and the three 304s were hits.
    auto cache = d.health().at("answer_cache");
    BOOST_TEST(cache.at("hits").to_number<std::uint64_t>() == 4u);
    BOOST_TEST(cache.at("entries").to_number<std::uint64_t>() == 1u);
}
