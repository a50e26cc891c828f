// End-to-end: a big batch of affinity changes is written in slices, so the daemon keeps answering
// while it runs, refuses other changes with 409 until it ends, and rolls it back when stopped.
#define BOOST_TEST_MODULE batch
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "daemon.hpp"
#include "raw_http.hpp"

#include <fstream>
#include <signal.h>
#include <memory>

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
constexpr unsigned cpus = 8;
constexpr unsigned irqs = 2000;
constexpr unsigned first_irq = 100;

// A simulated machine with `irqs` MSI rows, as a /proc/interrupts table of per-day rates.
std::string rates_table() {
    std::string t = "      ";
    for (unsigned c = 0; c < cpus; ++c) t += "CPU" + std::to_string(c) + "       ";
    t += "\n";
    for (unsigned i = 0; i < irqs; ++i) {
        auto n = first_irq + i;
        t += std::to_string(n) + ":";
        for (unsigned c = 0; c < cpus; ++c) t += " " + std::to_string(c == 0 ? 1000 + i : 0);
        t += "  IR-PCI-MSI " + std::to_string(524288 + i) + "-edge      eth0-TxRx-" + std::to_string(i) + "\n";
    }
    return t;
}

// Every IRQ to a CPU other than 0, where the simulated kernel starts them all (or all back to 0).
unsigned batch_cpu(unsigned i, bool back) { return back ? 0 : 1 + i % (cpus - 1); }
std::string batch_body(bool back = false) {
    std::string b = R"({"changes":[)";
    for (unsigned i = 0; i < irqs; ++i)
        b += (i ? "," : "") + std::string(R"({"irq":)") + std::to_string(first_irq + i) + R"(,"cpu":)" +
             std::to_string(batch_cpu(i, back)) + "}";
    return b + "]}";
}

// Sends the batch on its own connection without waiting for the answer.
std::unique_ptr<raw_socket> send_batch(const irqd_process& d, bool back = false) {
    auto s = std::make_unique<raw_socket>(d.port());
    auto body = batch_body(back);
    s->send("POST /api/v1/affinity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    return s;
}

bool running(const irqd_process& d) { return !d.health().at("affinity_batch").is_null(); }
}  // namespace

BOOST_AUTO_TEST_CASE(requests_are_answered_while_a_big_batch_is_written) {
    temp_dir t;
    write(t.path / "rates.txt", rates_table());
    irqd_process d({"--simulate", (t.path / "rates.txt").string(), "--interval", "200ms", "--state-file",
                    (t.path / "state.json").string()});
    BOOST_REQUIRE(eventually([&] { return d.samples() >= 2; }));

    auto batch = send_batch(d);
    // The batch takes a while (a few thousand writes); meanwhile GETs are answered and shown its
    // progress, and any other change is refused without a write.
    json::value progress;                          // the batch's health entry once it has written some
    BOOST_REQUIRE(eventually([&] {
        progress = d.health().at("affinity_batch");
        return progress.is_object() && progress.at("written").to_number<unsigned>() > 0;
    }));
    BOOST_TEST(progress.at("total").to_number<unsigned>() == irqs);
    // The journal (every affinity as it was) is complete before the first write.
    BOOST_TEST(progress.at("read").to_number<unsigned>() == irqs);
    auto put = d.call(verb::put, "/api/v1/interrupts/100/affinity", R"({"cpu":0})");
    bool still_running = running(d);
    if (still_running) {
        BOOST_TEST(put.status == 409u, put.body);
        BOOST_TEST(put.body.find("affinity_batch_running") != std::string::npos);
    }
    // Reads and dry runs are not changes.
    BOOST_TEST(d.call(verb::post, "/api/v1/balance", R"({"window":"1s"})").status == 200u);

    auto answer = parse_response(batch->read_all(std::chrono::seconds(60)));
    BOOST_TEST_REQUIRE(answer.status == 200u, answer.body);
    auto a = json::parse(answer.body);
    BOOST_TEST(a.at("applied").as_array().size() == irqs);
    BOOST_TEST(a.at("changed").to_number<unsigned>() == irqs);
    BOOST_TEST(d.health().at("affinity_batch").is_null());
    auto one = json::parse(d.get("/api/v1/interrupts/101").body);
    BOOST_TEST(one.at("affinity").as_string() == "2");
    // And changes are taken again.
    BOOST_TEST(d.call(verb::put, "/api/v1/interrupts/100/affinity", R"({"cpu":3})").status == 200u);
}

BOOST_AUTO_TEST_CASE(stopping_during_a_batch_rolls_it_back_and_saves_nothing_of_it) {
    temp_dir t;
    write(t.path / "rates.txt", rates_table());
    auto state = t.path / "state.json";
    irqd_process d({"--simulate", (t.path / "rates.txt").string(), "--interval", "200ms", "--state-file", state.string()});
    BOOST_REQUIRE(eventually([&] { return d.samples() >= 2; }));
    BOOST_TEST(d.call(verb::put, "/api/v1/interrupts/100/affinity", R"({"cpu":5})").status == 200u);
    auto batch = send_batch(d);
    BOOST_REQUIRE(eventually([&] { return running(d); }));
    BOOST_TEST(d.stop() == 0);
    auto answer = parse_response(batch->read_all(std::chrono::seconds(10)));
    if (answer.status != 0) {                      // the answer may be cut by the stop
        BOOST_TEST(answer.status == 503u);
        BOOST_TEST(answer.body.find("\"stopping\"") != std::string::npos);
    }
    // The state file holds what was applied before (IRQ 100 on CPU 5), nothing of the batch.
    std::ifstream in(state);
    std::string saved((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto irqs_saved = json::parse(saved).at("irqs").as_array();
    BOOST_TEST_REQUIRE(irqs_saved.size() == 1u, saved);
    BOOST_TEST(irqs_saved[0].at("cpus").as_string() == "5");
}

BOOST_AUTO_TEST_CASE(sighup_mid_batch_changes_nothing_and_sigquit_stops_gracefully) {
    temp_dir t;
    write(t.path / "rates.txt", rates_table());
    auto state = t.path / "state.json";
    auto log = t.path / "irqd.log";
    irqd_process d({"--simulate", (t.path / "rates.txt").string(), "--interval", "200ms", "--state-file", state.string()},
                   log);
    BOOST_REQUIRE(eventually([&] { return d.samples() >= 2; }));
    // SIGHUP in the middle of a batch: the configuration is read again, the batch goes on to the end.
    auto batch = send_batch(d);
    BOOST_REQUIRE(eventually([&] { return running(d); }));
    ::kill(d.pid(), SIGHUP);
    auto answer = parse_response(batch->read_all(std::chrono::seconds(30)));
    BOOST_TEST(answer.status == 200u, answer.body.substr(0, 200));
    auto saved = json::parse(read_text(state)).at("irqs").as_array();
    BOOST_TEST(saved.size() == irqs);
    for (unsigned i = 0; i < irqs && i < saved.size(); ++i)
        if (saved[i].at("cpus").as_string() != std::to_string(batch_cpu(i, false)))
            BOOST_FAIL("IRQ " << first_irq + i << " saved on " << saved[i].at("cpus").as_string());
    // The others are logged and ignored: still serving.
    for (int sig : {SIGUSR1, SIGUSR2, SIGALRM, SIGHUP}) ::kill(d.pid(), sig);
    BOOST_TEST(d.wait_samples(2));
    BOOST_TEST(d.health().at("status").as_string() == "ok");
    // SIGQUIT in the middle of a batch stops irqd like SIGTERM: the batch rolled back, exit 0, no core.
    auto back = send_batch(d, true);
    BOOST_REQUIRE(eventually([&] { return running(d); }));
    ::kill(d.pid(), SIGQUIT);
    // Exited by itself (a zombie until reaped); the simulated machine's 2,000 IRQ directories can take
    // seconds to remove on a loaded machine, so this waits longer than stop() would.
    auto exited = [&] {
        std::string stat = read_text("/proc/" + std::to_string(d.pid()) + "/stat");
        auto paren = stat.rfind(')');
        return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
    };
    BOOST_REQUIRE(eventually(exited, std::chrono::seconds(60)));
    BOOST_TEST(read_text(log).find("event=stopped") != std::string::npos);
    BOOST_TEST(d.stop() == 0);
    auto after = json::parse(read_text(state)).at("irqs").as_array();
    BOOST_TEST(after.size() == irqs);
    BOOST_TEST(after[0].at("cpus").as_string() == "1");   // the first batch's, nothing of the second
    auto text = read_text(log);
    for (const char* line : {"event=reloaded signal=SIGHUP", "event=signal_ignored signal=SIGUSR1",
                             "event=signal_ignored signal=SIGUSR2", "event=signal_ignored signal=SIGALRM",
                             "event=stopping signal=SIGQUIT"})
        BOOST_TEST(text.find(line) != std::string::npos, line);
    BOOST_TEST(text.find("signal=SIGTERM") == std::string::npos);
}
