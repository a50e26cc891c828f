// End-to-end tests of faults: a /proc/interrupts that cannot be read or is cut short is a skipped,
// counted sample with history intact; an IRQ the kernel marks not movable (a 0444 affinity file) is
// a 409 that irqd remembers and does not retry until the IRQ's row changes; offline CPUs are named.
#define BOOST_TEST_MODULE faults
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "daemon.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
std::uint64_t number(const json::value& v, std::string_view key) { return v.at(key).to_number<std::uint64_t>(); }

const std::string header2 = "           CPU0       CPU1\n";
std::string table(unsigned c30, const std::string& name30 = "eth0-TxRx-0") {
    return header2 + " 30: " + std::to_string(c30) + "        0   IR-PCI-MSI 524288-edge      " + name30 + "\n" +
           " 31:        100        200   IR-PCI-MSI 524289-edge      eth0-TxRx-1\n";
}

struct machine {
    fake_kernel k;
    std::unique_ptr<irqd_process> d;
    machine() {
        k.cpus("0-1");
        k.irq(30, "0-1");
        k.irq(31, "0-1");
        k.interrupts(table(100));
        d = std::make_unique<irqd_process>(std::vector<std::string>{
            "--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms", "--history", "1s:1h"});
        BOOST_REQUIRE(d->wait_samples(1));
    }
    void wait_skipped(std::uint64_t n) const {
        auto start = number(d->health(), "samples_skipped");
        BOOST_REQUIRE(eventually([&] { return number(d->health(), "samples_skipped") >= start + n; }));
    }
    std::uint64_t window_count_30() const {
        auto v = json_body(d->get("/api/v1/interrupts?window=1h&irqs=30"));
        return v.at("irqs").at(0).at("counts").at(0).to_number<std::uint64_t>();
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(unreadable_or_truncated_interrupts_are_skipped_and_history_kept) {
    machine m;
    m.k.interrupts(table(150));
    BOOST_REQUIRE(m.d->wait_samples(2));
    BOOST_TEST(m.window_count_30() == 50u);

    // Unreadable: a directory where the file was (chmod 000 means nothing to root).
    fs::remove(m.k.proc() / "interrupts");
    fs::create_directory(m.k.proc() / "interrupts");
    m.wait_skipped(2);
    auto h = m.d->health();
    BOOST_TEST(h.at("status").as_string() == "degraded");
    BOOST_TEST(std::string(h.at("last_error").as_string()).find("interrupts") != std::string::npos);
    fs::remove(m.k.proc() / "interrupts");

    // Truncated: the read ends in the middle of a row.
    auto full = table(170);
    m.k.interrupts(full.substr(0, full.size() - 20));
    m.wait_skipped(2);
    BOOST_TEST(std::string(m.d->health().at("last_error").as_string()).find("truncated") != std::string::npos);
    BOOST_TEST(m.window_count_30() == 50u);   // nothing counted from the bad reads

    // A good read again: the whole gap is counted, nothing lost, nothing doubled.
    m.k.interrupts(table(200));
    BOOST_REQUIRE(m.d->wait_samples(2));
    BOOST_TEST(m.window_count_30() == 100u);
    BOOST_TEST(m.d->health().at("status").as_string() == "ok");
}

BOOST_AUTO_TEST_CASE(a_read_only_affinity_file_is_not_movable_and_remembered) {
    machine m;
    auto file = m.k.proc() / "irq/30/smp_affinity_list";
    fs::permissions(file, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);   // 0444
    auto r = m.d->call(verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":1})");
    BOOST_TEST(r.status == 409u);
    BOOST_TEST(json_body(r).at("error").at("code").as_string() == "irq_not_movable");
    auto not_movable = m.d->health().at("not_movable").as_array();
    BOOST_REQUIRE(not_movable.size() == 1u);
    BOOST_TEST(not_movable[0].at("irq").as_string() == "30");

    // Even once the file is writable, irqd does not try again: the same answer, no write.
    fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
    auto writes = number(m.d->health(), "affinity_writes");
    r = m.d->call(verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":1})");
    BOOST_TEST(r.status == 409u);
    BOOST_TEST(number(m.d->health(), "affinity_writes") == writes);
    // A batch with it changes nothing.
    r = m.d->call(verb::post, "/api/v1/affinity", R"({"changes":[{"irq":31,"cpu":1},{"irq":30,"cpu":1}]})");
    BOOST_TEST(r.status == 409u);
    std::string a31;
    std::ifstream(m.k.proc() / "irq/31/smp_affinity_list") >> a31;
    BOOST_TEST(a31 == "0-1");

    // The IRQ's row changes (another driver bound it): irqd tries again.
    m.k.interrupts(table(300, "nvme0q1"));
    BOOST_REQUIRE(m.d->wait_samples(2));
    r = m.d->call(verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":1})");
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(m.d->health().at("not_movable").as_array().empty());
}

BOOST_AUTO_TEST_CASE(every_cpu_of_a_set_must_be_online) {
    machine m;
    auto r = m.d->call(verb::put, "/api/v1/interrupts/30/affinity", R"({"mask":"f"})");
    BOOST_TEST(r.status == 422u);
    auto e = json_body(r).at("error");
    BOOST_TEST(e.at("code").as_string() == "cpus_offline");
    BOOST_TEST(std::string(e.at("message").as_string()).find("CPUs 2-3") != std::string::npos);
    r = m.d->call(verb::post, "/api/v1/affinity", R"({"changes":[{"irq":30,"cpus":"0-1"},{"irq":31,"cpus":"1,5"}]})");
    BOOST_TEST(r.status == 422u);
    BOOST_TEST(std::string(json_body(r).at("error").at("message").as_string()).find("CPU 5") != std::string::npos);
    BOOST_TEST(number(m.d->health(), "affinity_writes") == 0u);
}
