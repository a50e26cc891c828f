// Limits of a real irqd, each set small on its command line: a slow-loris client is dropped at the
// read timeout while another is served, oversized headers and bodies get 431/413, connections past
// the limit a 503, an oversized WebSocket message closes that socket. Every refusal is JSON. Out of
// descriptors, accepting pauses (no spin, one log line) and resumes; SIGTERM ends irqd within 2 s
// whatever its clients do.
#define BOOST_TEST_MODULE limits
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>

#include <algorithm>
#include <sstream>

#include "daemon.hpp"
#include "raw_http.hpp"

using namespace irqd::test;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {
std::string error_code(const raw_response& r) {
    if (r.header("content-type") != "application/json") return "(not JSON: " + r.header("content-type") + ")";
    return std::string(json::parse(r.body).at("error").at("code").as_string());
}

std::vector<std::string> daemon_args(std::vector<std::string> extra) {
    std::vector<std::string> args{"--simulate", "--interval", "100ms", "--history", "1s:1h"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}
}  // namespace

BOOST_AUTO_TEST_CASE(a_slow_loris_is_dropped_at_the_read_timeout_while_another_client_is_served) {
    irqd_process d(daemon_args({"--read-timeout", "1s"}));
    const std::string request = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-loris\r\n\r\n";
    raw_socket slow(d.port());
    auto start = std::chrono::steady_clock::now();
    std::size_t sent = 0;
    bool other_served = false;
    // One byte every 250 ms: the whole request would take ~18 s, far beyond the 1 s timeout.
    while (sent < request.size()) {
        if (!slow.send(request.substr(sent, 1))) break;
        ++sent;
        if (slow.peer_closed(250ms)) break;
        if (sent == 2) {
            auto r = raw_request(d.port(), "GET", "/api/v1/health");
            other_served = r.status == 200 && json::parse(r.body).at("status").as_string() == "ok";
        }
    }
    auto held = std::chrono::steady_clock::now() - start;
    BOOST_TEST(other_served);
    BOOST_TEST(slow.closed());
    BOOST_TEST(sent < request.size());
    BOOST_TEST_MESSAGE("slow client dropped after " << std::chrono::duration<double>(held).count() << " s, "
                                                    << sent << " bytes");
    BOOST_TEST(held >= 900ms);   // not before its timeout
    // The daemon serves the next client as usual.
    BOOST_TEST(raw_request(d.port(), "GET", "/api/v1/health").status == 200u);
}

BOOST_AUTO_TEST_CASE(an_idle_connection_is_closed_at_the_read_timeout) {
    irqd_process d(daemon_args({"--read-timeout", "1s"}));
    raw_socket idle(d.port());
    BOOST_TEST(idle.peer_closed(15s));
    // A kept-alive connection that asks nothing more is closed the same way.
    raw_socket kept(d.port());
    kept.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    auto text = kept.read_all(15s);
    BOOST_TEST(parse_response(text).status == 200u);
    BOOST_TEST(kept.closed());
}

BOOST_AUTO_TEST_CASE(headers_over_the_limit_get_431) {
    irqd_process d(daemon_args({"--max-header-bytes", "1024"}));
    auto ok = raw_request(d.port(), "GET", "/api/v1/health", "", {{"X-Pad", std::string(500, 'a')}});
    BOOST_TEST(ok.status == 200u);
    auto big = raw_request(d.port(), "GET", "/api/v1/health", "", {{"X-Pad", std::string(2000, 'a')}});
    BOOST_TEST(big.status == 431u);
    BOOST_TEST(error_code(big) == "headers_too_large");
    std::vector<std::pair<std::string, std::string>> many;
    for (int i = 0; i < 100; ++i) many.emplace_back("X-H" + std::to_string(i), std::string(20, 'v'));   // ~2.6 KB
    auto lots = raw_request(d.port(), "GET", "/api/v1/health", "", many);
    BOOST_TEST(lots.status == 431u);
}

BOOST_AUTO_TEST_CASE(bodies_over_the_limit_get_413_even_before_they_are_sent) {
    irqd_process d(daemon_args({"--max-body-bytes", "1000"}));
    std::string body = "{\"cpu\":1}";
    body += std::string(1000 - body.size(), ' ');
    auto ok = raw_request(d.port(), "PUT", "/api/v1/interrupts/136/affinity", body);
    BOOST_TEST(ok.status == 200u);
    auto big = raw_request(d.port(), "PUT", "/api/v1/interrupts/136/affinity", body + " ");
    BOOST_TEST(big.status == 413u);
    BOOST_TEST(error_code(big) == "body_too_large");
    // A Content-Length over the limit is refused at once, without waiting for the body.
    raw_socket s(d.port());
    s.send("POST /api/v1/affinity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999999\r\n\r\n{");
    auto r = parse_response(s.read_all(10s));
    BOOST_TEST(r.status == 413u);
    BOOST_TEST(error_code(r) == "body_too_large");
    BOOST_TEST(d.health().at("affinity_writes").to_number<int>() == 1);
}

BOOST_AUTO_TEST_CASE(connections_over_the_limit_get_503_until_one_closes) {
    irqd_process d(daemon_args({"--max-connections", "2"}));
    {
        raw_socket a(d.port()), b(d.port());   // idle, accepted in order before the next
        auto r = raw_request(d.port(), "GET", "/api/v1/health");
        BOOST_TEST(r.status == 503u);
        BOOST_TEST(error_code(r) == "too_many_connections");
        // The two held connections are still served.
        a.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        BOOST_TEST(parse_response(a.read_all()).status == 200u);
    }
    BOOST_TEST(eventually([&] { return raw_request(d.port(), "GET", "/api/v1/health").status == 200u; }));
}

BOOST_AUTO_TEST_CASE(a_websocket_message_over_the_limit_closes_that_socket_only) {
    irqd_process d(daemon_args({"--ws-max-message-bytes", "256"}));
    auto big = irqd::client::ws_connection::open(d.url(), "/api/v1/stream", 5s);
    auto fine = irqd::client::ws_connection::open(d.url(), "/api/v1/stream", 5s);
    BOOST_REQUIRE(big);
    BOOST_REQUIRE(fine);
    BOOST_REQUIRE((*big)->read(5s));   // the snapshot
    BOOST_REQUIRE((*fine)->read(5s));
    (*big)->send("{\"type\":\"subscribe\",\"irqs\":\"" + std::string(400, '*') + "\"}");
    std::string closed;
    for (int i = 0; i < 100 && closed.empty(); ++i)   // samples may still arrive before the close
        if (auto m = (*big)->read(5s); !m) closed = m.error_message();
    BOOST_TEST(closed.find("1009") != std::string::npos, closed);
    BOOST_TEST((*fine)->read(5s).has_value());
}

BOOST_AUTO_TEST_CASE(history_stays_within_its_budget_when_irqs_appear_after_start) {
    // Fitted at start for 2 IRQs; then 400 appear (a NIC coming up), each sample 3 KiB of counts.
    auto table = [](unsigned irqs) {
        std::string t = "           CPU0       CPU1\n";
        for (unsigned i = 0; i < irqs; ++i)
            t += std::to_string(100 + i) + ":        " + std::to_string(i) + "          1   PCI-MSI " +
                 std::to_string(i) + "-edge      eth0-TxRx-" + std::to_string(i) + "\n";
        return t;
    };
    fake_kernel k;
    k.cpus("0-1");
    k.interrupts(table(2));
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms",
                    "--history", "1s:1m,10s:10m", "--history-memory", "48K"});
    BOOST_REQUIRE(d.wait_samples(3));
    k.interrupts(table(400));
    BOOST_REQUIRE(eventually([&] { return d.health().at("history").at("dropped_frames").to_number<int>() > 0; },
                             std::chrono::seconds(30)));
    BOOST_REQUIRE(d.wait_samples(20));
    auto h = d.health().at("history");
    BOOST_TEST(h.at("budget").to_number<std::size_t>() == 48u * 1024);
    BOOST_TEST(h.at("bytes").to_number<std::size_t>() <= 48u * 1024);
    BOOST_TEST(d.health().at("irqs").to_number<int>() == 400);
}

namespace {
// CPU seconds (user + system) the process has used so far.
double cpu_seconds(pid_t pid) {
    auto stat = read_text("/proc/" + std::to_string(pid) + "/stat");
    std::istringstream in(stat.substr(stat.rfind(')') + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {   // fields 14 and 15 of proc(5)
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

std::size_t open_fds(pid_t pid) {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd"),
                                                  fs::directory_iterator{}));
}

const std::string health_request = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}  // namespace

// Under the sanitizers the daemon cannot run out of descriptors cleanly: UBSan's vptr check opens a
// pipe to probe memory, and with none left it reports any first virtual call (error messages) as a
// bad vptr and aborts irqd.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
constexpr bool sanitized = __has_feature(address_sanitizer);
#else
constexpr bool sanitized = false;
#endif
boost::test_tools::assertion_result not_sanitized(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result r(!sanitized);
    r.message() << "a sanitized irqd out of descriptors aborts in UBSan's own checks";
    return r;
}

// With the fd limit below --max-connections, accept() fails with EMFILE for as long as the
// connections stay; retrying at once spun the CPU and wrote 110 MB of log in 3 s.
BOOST_AUTO_TEST_CASE(out_of_descriptors_accepting_pauses_without_a_spin_and_resumes,
                     *boost::unit_test::precondition(not_sanitized)) {
    temp_dir logs;
    auto log_path = logs.path / "irqd.log";
    irqd_process d(daemon_args({}), log_path);
    raw_socket kept(d.port());   // a connection irqd already has: served all along
    kept.send(health_request);
    BOOST_TEST(parse_response(kept.read_all(300ms)).status == 200u);

    // A few descriptors to spare, and more connections than that.
    rlimit few{open_fds(d.pid()) + 8, open_fds(d.pid()) + 8};
    BOOST_REQUIRE(::prlimit(d.pid(), RLIMIT_NOFILE, &few, nullptr) == 0);
    {
        std::vector<std::unique_ptr<raw_socket>> flood;
        for (int i = 0; i < 40; ++i) flood.push_back(std::make_unique<raw_socket>(d.port()));
        std::this_thread::sleep_for(300ms);
        auto cpu_before = cpu_seconds(d.pid());
        std::this_thread::sleep_for(1s);
        auto cpu = cpu_seconds(d.pid()) - cpu_before;
        BOOST_TEST_MESSAGE("irqd used " << cpu << " s of CPU in 1 s while out of descriptors");
        BOOST_TEST(cpu < 0.3);
        kept.send(health_request);
        BOOST_TEST(parse_response(kept.read_all(300ms)).status == 200u);
        auto log_text = read_text(log_path);
        BOOST_TEST(count_of(log_text, "accept_paused") == 1u, log_text.substr(0, 2000));
        BOOST_TEST(count_of(log_text, "accept_failed") == 0u);
    }
    // The flood gone, the connections that waited are taken and the next client is served.
    BOOST_TEST(eventually([&] { return raw_request(d.port(), "GET", "/api/v1/health").status == 200u; }));
    auto log_text = read_text(log_path);
    BOOST_TEST(count_of(log_text, "accept_resumed") == 1u);
    BOOST_TEST(count_of(log_text, "accept_paused") == 1u);
    auto metrics = raw_request(d.port(), "GET", "/metrics").body;
    auto at = metrics.find("\nirqd_http_accept_errors_total ");
    BOOST_TEST_REQUIRE(at != std::string::npos);
    BOOST_TEST(std::stoull(metrics.substr(at + 31)) >= 1u);
    BOOST_TEST(d.stop() == 0);
}

// A client that asks for a lot and reads nothing used to hold the stop up to the read timeout.
BOOST_AUTO_TEST_CASE(sigterm_stops_irqd_within_2_s_whatever_its_clients_do) {
    irqd_process d(daemon_args({"--read-timeout", "60s"}));
    raw_socket hog(d.port());
    std::string pipelined;
    for (int i = 0; i < 1000; ++i) pipelined += "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    hog.send(pipelined);
    raw_socket ws(d.port());   // a WebSocket subscriber that reads nothing either
    ws.send("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    raw_socket idle(d.port()), half(d.port());
    half.send("GET /api/v1/health HTTP/1.1\r\nHo");
    std::this_thread::sleep_for(500ms);   // the hog's answers fill the socket buffers
    auto start = std::chrono::steady_clock::now();
    int status = d.stop();
    auto took = std::chrono::steady_clock::now() - start;
    BOOST_TEST_MESSAGE("stopped in " << std::chrono::duration<double>(took).count() << " s");
    BOOST_TEST(status == 0);
    BOOST_TEST(took < 2s);
}
