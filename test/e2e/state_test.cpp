// End-to-end tests of the saved affinities: a real irqd on a fake kernel writes --state-file when an
// affinity changes, restarts with --restore and re-applies what still matches by number and name,
// and survives a corrupt file, a leftover temporary file, a disk that refuses the write, and a
// kill -9 in the middle of a batch (its journal puts the batch back at the next start).
#define BOOST_TEST_MODULE state
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon.hpp"
#include "raw_http.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
std::string affinity(const fake_kernel& k, unsigned irq) {
    std::string a;
    std::ifstream(k.proc() / "irq" / std::to_string(irq) / "smp_affinity_list") >> a;
    return a;
}

const std::string header2 = "           CPU0       CPU1\n";
std::string rows(const std::string& name31 = "eth0-TxRx-1") {
    return header2 + " 30:        100        200   IR-PCI-MSI 524288-edge      eth0-TxRx-0\n" +
           " 31:        100        200   IR-PCI-MSI 524289-edge      " + name31 + "\n";
}

// A fake two-CPU machine with IRQs 30 and 31 on both CPUs, and a state directory.
struct machine {
    fake_kernel k;
    temp_dir state_dir;
    fs::path state() const { return state_dir.path / "state.json"; }
    explicit machine(const std::string& table = rows()) {
        k.cpus("0-1");
        k.irq(30, "0-1");
        k.irq(31, "0-1");
        k.interrupts(table);
    }
    std::unique_ptr<irqd_process> start(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args{"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms",
                                      "--history", "1s:1h", "--state-file", state().string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return std::make_unique<irqd_process>(args);
    }
};

json::value saved(const fs::path& p) { return json::parse(read_text(p)); }
}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_saves_on_change_and_restores_at_start) {
    machine m;
    {
        auto d = m.start();
        BOOST_TEST(!fs::exists(m.state()));   // nothing chosen yet, nothing written
        BOOST_REQUIRE(d->call(verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":1})").status == 200u);
        BOOST_REQUIRE(d->call(verb::post, "/api/v1/affinity", R"({"changes":[{"irq":31,"cpus":"0"}]})").status == 200u);
        auto s = saved(m.state());
        BOOST_TEST(s.at("version").as_int64() == 1);
        const auto& irqs = s.at("irqs").as_array();
        BOOST_REQUIRE(irqs.size() == 2u);
        BOOST_TEST(irqs[0].at("irq").as_int64() == 30);
        BOOST_TEST(irqs[0].at("name").as_string() == "eth0-TxRx-0");
        BOOST_TEST(irqs[0].at("cpus").as_string() == "1");
        BOOST_TEST(irqs[1].at("cpus").as_string() == "0");
        BOOST_TEST(!irqs[0].at("time").as_string().empty());
        // Private to irqd's user.
        struct stat st {};
        BOOST_REQUIRE(::stat(m.state().c_str(), &st) == 0);
        BOOST_TEST((st.st_mode & 077) == 0u);
        auto h = d->health();
        BOOST_TEST(h.at("state").at("entries").as_int64() == 2);
        BOOST_TEST(d->stop() == 0);
    }
    // A reboot: the kernel forgets, irqd puts them back.
    m.k.irq(30, "0-1");
    m.k.irq(31, "0-1");
    auto d = m.start();
    BOOST_TEST(affinity(m.k, 30) == "1");
    BOOST_TEST(affinity(m.k, 31) == "0");
    auto r = d->health().at("restore");
    BOOST_TEST(r.at("applied").as_int64() == 2);
    BOOST_TEST(r.at("skipped").as_array().empty());
    BOOST_TEST(json_body(d->get("/api/v1/interrupts/30")).at("affinity").as_string() == "1");
}

BOOST_AUTO_TEST_CASE(restore_matches_by_number_and_name_and_reports_the_rest) {
    machine m;
    write(m.state(), R"({"version":1,"irqs":[)"
                     R"({"irq":30,"name":"eth0-TxRx-0","cpus":"1","time":"2026-01-01T00:00:00Z"},)"
                     R"({"irq":31,"name":"eth0-TxRx-1","cpus":"1","time":"2026-01-01T00:00:00Z"},)"
                     R"({"irq":77,"name":"nvme0q1","cpus":"0","time":"2026-01-01T00:00:00Z"}]})"
                     "\n");
    // IRQ 31 now belongs to another device (a renumbered machine): it must not be pinned.
    machine fresh(rows("nvme0q3"));
    fs::copy_file(m.state(), fresh.state());
    auto d = fresh.start();
    BOOST_TEST(affinity(fresh.k, 30) == "1");
    BOOST_TEST(affinity(fresh.k, 31) == "0-1");
    auto r = d->health().at("restore");
    BOOST_TEST(r.at("applied").as_int64() == 1);
    const auto& skipped = r.at("skipped").as_array();
    BOOST_REQUIRE(skipped.size() == 2u);
    BOOST_TEST(skipped[0].at("irq").as_string() == "31");
    BOOST_TEST(std::string(skipped[0].at("reason").as_string()).find("nvme0q3") != std::string::npos);
    BOOST_TEST(skipped[1].at("irq").as_string() == "77");
    BOOST_TEST(std::string(skipped[1].at("reason").as_string()).find("not in /proc/interrupts") != std::string::npos);
    // The skipped entries stay saved: the device may come back.
    BOOST_TEST(saved(fresh.state()).at("irqs").as_array().size() == 3u);
}

BOOST_AUTO_TEST_CASE(restore_no_leaves_affinities_alone) {
    machine m;
    write(m.state(), R"({"version":1,"irqs":[{"irq":30,"name":"eth0-TxRx-0","cpus":"1","time":"2026-01-01T00:00:00Z"}]})");
    auto d = m.start({"--restore=no"});
    BOOST_TEST(affinity(m.k, 30) == "0-1");
    BOOST_TEST(!d->health().at("restore").at("ran").as_bool());
}

BOOST_AUTO_TEST_CASE(corrupt_state_file_is_kept_aside_and_the_daemon_starts) {
    machine m;
    write(m.state(), "{\"version\":1,\"irqs\":[{\"irq\":30,");   // cut short
    auto d = m.start();
    BOOST_TEST(!fs::exists(m.state()));
    BOOST_TEST(read_text(m.state().string() + ".bad") == "{\"version\":1,\"irqs\":[{\"irq\":30,");
    auto st = d->health().at("state");
    BOOST_TEST(std::string(st.at("load_error").as_string()).find("not JSON") != std::string::npos);
    BOOST_TEST(st.at("set_aside").as_string() == m.state().string() + ".bad");
    // Saving goes on in a fresh file.
    BOOST_REQUIRE(d->call(verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":0})").status == 200u);
    BOOST_TEST(saved(m.state()).at("irqs").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_crash_between_write_and_rename_leaves_the_old_file) {
    machine m;
    std::string good = R"({"version":1,"irqs":[{"irq":30,"name":"eth0-TxRx-0","cpus":"1","time":"2026-01-01T00:00:00Z"}]})";
    write(m.state(), good);
    // What a kill -9 after the temporary file's write but before the rename leaves behind.
    auto tmp = m.state().string() + ".tmp-Ab12Cd";
    write(tmp, R"({"version":1,"irqs":[{"irq":30,"name":"eth0-TxRx-0","cpus":"0")");
    auto d = m.start();
    BOOST_TEST(affinity(m.k, 30) == "1");      // the old file was the state
    BOOST_TEST(read_text(m.state()) == good);
    BOOST_TEST(!fs::exists(tmp));              // the leftover is cleaned up
}

BOOST_AUTO_TEST_CASE(a_write_that_fails_keeps_the_previous_file) {
    machine m;
    std::string good = R"({"version":1,"irqs":[{"irq":30,"name":"eth0-TxRx-0","cpus":"1","time":"2026-01-01T00:00:00Z"}]})";
    write(m.state(), good);
    auto d = m.start();
    // The temporary file cannot be created (as on a full disk). Root ignores a read-only mode, so the
    // state's directory is swapped for a plain file: creating <dir>/state.json.tmp-* fails (ENOTDIR).
    auto dir = m.state_dir.path;
    auto keep = dir.string() + ".keep";
    fs::rename(dir, keep);
    write(dir, "not a directory");             // <dir>/state.json.tmp-* cannot be created: ENOTDIR
    auto r = d->call(verb::put, "/api/v1/interrupts/31/affinity", R"({"cpu":1})");
    BOOST_TEST(r.status == 200u);              // the affinity is applied; saving is what failed
    auto st = d->health().at("state");
    BOOST_TEST(st.at("write_failures").as_int64() == 1);
    BOOST_TEST(std::string(st.at("last_error").as_string()).find("previous file is kept") != std::string::npos);
    fs::remove(dir);
    fs::rename(keep, dir);
    BOOST_TEST(read_text(m.state()) == good);  // untouched
    // The next change saves everything, the failed one included.
    BOOST_REQUIRE(d->call(verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":0})").status == 200u);
    BOOST_TEST(saved(m.state()).at("irqs").as_array().size() == 2u);
    BOOST_TEST(!d->health().at("state").as_object().contains("last_error"));
}

BOOST_AUTO_TEST_CASE(simulate_keeps_its_state_in_its_own_directory) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    BOOST_REQUIRE(d.call(verb::put, "/api/v1/interrupts/140/affinity", R"({"cpu":1})").status == 200u);
    auto path = std::string(d.health().at("state").at("path").as_string());
    BOOST_TEST(path.find("/var/lib") == std::string::npos);
    BOOST_TEST(fs::exists(path));
}

BOOST_AUTO_TEST_CASE(kill_9_during_a_batch_is_undone_at_the_next_start) {
    // Enough IRQs that the batch is still being written when irqd is killed.
    constexpr unsigned n = 3000;
    std::string table = header2;
    fake_kernel k;
    k.cpus("0-1");
    for (unsigned i = 0; i < n; ++i) {
        auto irq = 100 + i;
        k.irq(irq, "0-1");
        table += std::to_string(irq) + ":        100        200   IR-PCI-MSI " + std::to_string(524288 + i) +
                 "-edge      eth0-TxRx-" + std::to_string(i) + "\n";
    }
    k.interrupts(table);
    temp_dir state_dir;
    auto state = state_dir.path / "state.json";
    std::vector<std::string> args{"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms",
                                  "--history", "1s:1h", "--state-file", state.string()};
    std::string body = R"({"changes":[)";
    for (unsigned i = 0; i < n; ++i) body += (i ? "," : "") + std::string(R"({"irq":)") + std::to_string(100 + i) + R"(,"cpu":1})";
    body += "]}";
    {
        irqd_process d(args);
        BOOST_REQUIRE(d.call(verb::put, "/api/v1/interrupts/100/affinity", R"({"cpu":0})").status == 200u);
        auto saved_before = read_text(state);
        raw_socket batch(d.port());
        batch.send("POST /api/v1/affinity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                   "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
        BOOST_REQUIRE(eventually([&] {
            auto b = d.health().at("affinity_batch");
            return b.is_object() && b.at("written").to_number<unsigned>() > 10;
        }));
        ::kill(d.pid(), SIGKILL);
        d.stop();
        BOOST_TEST(fs::exists(state_dir.path / "state.json.batch"));
        BOOST_TEST(read_text(state) == saved_before);   // the half batch was never saved
        unsigned moved = 0;
        for (unsigned i = 1; i < n; ++i) moved += affinity(k, 100 + i) == "1";
        BOOST_TEST_REQUIRE(moved > 0u);                  // half written, as a kill leaves it
        BOOST_TEST(moved < n - 1);
    }
    irqd_process again(args);
    auto h = again.health();
    BOOST_TEST(h.at("interrupted_batch").at("applied").to_number<unsigned>() == n);
    BOOST_TEST(!fs::exists(state_dir.path / "state.json.batch"));
    BOOST_TEST(affinity(k, 100) == "0");                 // the saved choice, restored
    for (unsigned i = 1; i < n; ++i)
        if (affinity(k, 100 + i) != "0-1") BOOST_FAIL("IRQ " << 100 + i << " is on " << affinity(k, 100 + i));
}

BOOST_AUTO_TEST_CASE(a_state_path_that_is_not_a_regular_file_stops_irqd_before_it_listens) {
    machine m;
    auto run_with = [&](const fs::path& state) {
        // Bounded: today's irqd would block on the FIFO for ever.
        return run("timeout 10 " + binary("irqd").string() + " --listen 127.0.0.1:0 --procfs " + m.k.proc().string() +
                   " --sysfs " + m.k.sys().string() + " --state-file " + state.string());
    };
    auto dir = m.state_dir.path;
    BOOST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    write(dir / "target", R"({"version":1,"irqs":[]})");
    fs::create_symlink(dir / "target", dir / "link");
    fs::create_directory(dir / "dir");
    std::vector<std::pair<std::string, std::string>> cases{
        {"fifo", "is a FIFO"}, {"link", "is a symbolic link"}, {"dir", "is a directory"}};
    if (::geteuid() == 0) {
        BOOST_REQUIRE(::mknod((dir / "null").c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
        cases.emplace_back("null", "is a character device");
    } else {
        BOOST_TEST_MESSAGE("character device case skipped: mknod needs root");
    }
    for (const auto& [name, why] : cases) {
        BOOST_TEST_CONTEXT(name) {
            auto r = run_with(dir / name);
            BOOST_TEST(r.code == 2);
            BOOST_TEST(r.out.find(why) != std::string::npos, r.out);
            BOOST_TEST(r.out.find("listening") == std::string::npos);
            BOOST_TEST(std::count(r.out.begin(), r.out.end(), '\n') == 1);
        }
    }
    // Nothing was renamed or replaced.
    BOOST_TEST(fs::is_fifo(dir / "fifo"));
    BOOST_TEST(fs::is_symlink(dir / "link"));
    BOOST_TEST(read_text(dir / "target") == R"({"version":1,"irqs":[]})");
    BOOST_TEST(fs::is_directory(dir / "dir"));
    if (::geteuid() == 0) BOOST_TEST(fs::is_character_file(dir / "null"));
    BOOST_TEST(!fs::exists(dir / "fifo.bad"));
    // The journal's path is checked the same way.
    BOOST_REQUIRE(::mkfifo((m.state().string() + ".batch").c_str(), 0600) == 0);
    auto r = run_with(m.state());
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.out.find("batch journal") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(a_corrupt_batch_journal_is_kept_aside_and_health_says_so) {
    machine m;
    write(m.state().string() + ".batch", R"({"version":1,"irqs":[{"irq":30,"name":"eth0-Tx)");
    auto d = m.start();
    auto h = d->health();
    BOOST_TEST(h.at("status").as_string() == "degraded");
    auto st = h.at("state");
    BOOST_TEST(std::string(st.at("journal_error").as_string()).find("half-applied batch") != std::string::npos);
    BOOST_TEST(st.at("journal_set_aside").as_string() == m.state().string() + ".batch.bad");
    BOOST_TEST(!fs::exists(m.state().string() + ".batch"));
    BOOST_TEST(read_text(m.state().string() + ".batch.bad") == R"({"version":1,"irqs":[{"irq":30,"name":"eth0-Tx)");
}

BOOST_AUTO_TEST_CASE(a_huge_state_file_keeps_health_short_and_is_pruned) {
    machine m;
    // 200,000 choices for IRQs last seen in January, and one that still matches.
    std::string text = R"({"version":1,"irqs":[{"irq":30,"name":"eth0-TxRx-0","cpus":"1","time":"2026-01-01T00:00:00Z"})";
    for (unsigned i = 0; i < 200000; ++i)
        text += R"(,{"irq":)" + std::to_string(1000 + i) +
                R"(,"name":"gone","cpus":"0","time":"2026-01-01T00:00:00Z","seen":"2026-01-02T00:00:00Z"})";
    write(m.state(), text + "]}");
    auto d = m.start();
    auto reply = d->get("/api/v1/health");
    BOOST_TEST(reply.body.size() < 16u * 1024, reply.body.size());
    auto h = json::parse(reply.body);
    BOOST_TEST(h.at("restore").at("applied").as_int64() == 1);
    BOOST_TEST(h.at("restore").at("skipped_count").as_int64() == 200000);
    BOOST_TEST(h.at("restore").at("skipped").as_array().size() == 10u);
    BOOST_TEST(h.at("state").at("pruned").as_int64() == 200000);
    BOOST_TEST(h.at("state").at("entries").as_int64() == 1);
    BOOST_TEST(saved(m.state()).at("irqs").as_array().size() == 1u);
    BOOST_TEST(affinity(m.k, 30) == "1");
}
