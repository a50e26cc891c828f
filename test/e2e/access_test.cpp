// End-to-end tests of access control: with --token-file every change needs the bearer token (a 401
// with WWW-Authenticate otherwise), reads stay open unless --token-required-for-reads, a token file
// others can read stops irqd at start, irqctl sends the token, and the token never reaches the log.
// Browsers: a cross-site page's simple request (text/plain), a DNS-rebinding Host and a foreign
// Origin are refused, with or without a token.
#define BOOST_TEST_MODULE access
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include "daemon.hpp"
#include "raw_http.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
const std::string token = "s3cr3t-t0ken-0123456789abcdef";

struct token_file {
    temp_dir dir;
    fs::path path = dir.path / "token";
    explicit token_file(const std::string& text = token + "\n", fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
        write(path, text);
        fs::permissions(path, mode);
    }
};

std::string base_args() { return "--simulate --interval 100ms --history 1s:1h"; }

irqd::client::http_reply call(const irqd_process& d, verb v, const std::string& target, const std::string& body,
                              const std::string& bearer) {
    auto url = d.url();
    url.bearer_token = bearer;
    auto r = irqd::client::http_call(url, v, target, body, std::chrono::seconds(10));
    BOOST_REQUIRE(r.has_value());
    return *r;
}
}  // namespace

BOOST_AUTO_TEST_CASE(changes_need_the_token_reads_do_not) {
    token_file tf;
    // stderr of the daemon goes to a file, to check that the token is never logged.
    temp_dir logs;
    auto log_path = logs.path / "irqd.log";
    auto d = std::make_unique<irqd_process>(
        std::vector<std::string>{"--simulate", "--interval", "100ms", "--history", "1s:1h", "--log-level", "debug",
                                 "--token-file", tf.path.string()},
        log_path);

    auto none = call(*d, verb::put, "/api/v1/interrupts/140/affinity", R"({"cpu":1})", "");
    BOOST_TEST(none.status == 401u);
    BOOST_TEST(json::parse(none.body).at("error").at("code").as_string() == "unauthorized");
    auto wrong = call(*d, verb::post, "/api/v1/affinity", R"({"changes":[{"irq":140,"cpu":1}]})", token + "x");
    BOOST_TEST(wrong.status == 401u);
    auto shorter = call(*d, verb::put, "/api/v1/interrupts/140/affinity", R"({"cpu":1})", token.substr(0, 10));
    BOOST_TEST(shorter.status == 401u);
    BOOST_TEST(json::parse(d->get("/api/v1/interrupts/140").body).at("affinity").as_string() == "0-1");

    auto ok = call(*d, verb::put, "/api/v1/interrupts/140/affinity", R"({"cpu":1})", token);
    BOOST_TEST(ok.status == 200u);
    BOOST_TEST(d->get("/api/v1/interrupts/140").status == 200u);   // reads stay open
    auto h = d->health();
    BOOST_TEST(h.at("access").at("token_required").as_bool());

    // The header a client needs to know what to send.
    auto raw = run("curl -s -i -X PUT -H 'Content-Type: application/json' -d '{\"cpu\":0}' " + d->url_text() +
                   "/api/v1/interrupts/140/affinity");
    if (raw.code == 0) {
        BOOST_TEST(raw.out.find("401") != std::string::npos);
        BOOST_TEST(raw.out.find("WWW-Authenticate: Bearer") != std::string::npos);
    }

    // irqctl: --token-file, or $IRQCTL_TOKEN_FILE.
    auto irqctl = binary("irqctl").string() + " --url " + d->url_text();
    BOOST_TEST(run(irqctl + " set 140 0").code != 0);
    BOOST_TEST(run(irqctl + " --token-file " + tf.path.string() + " set 140 0").code == 0);
    BOOST_TEST(run("IRQCTL_TOKEN_FILE=" + tf.path.string() + " " + irqctl + " set 140 1").code == 0);
    BOOST_TEST(json::parse(d->get("/api/v1/interrupts/140").body).at("affinity").as_string() == "1");

    BOOST_TEST(d->stop() == 0);
    auto log_text = read_text(log_path);
    BOOST_TEST(!log_text.empty());
    BOOST_TEST(log_text.find(token.substr(0, 12)) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reads_too_when_asked) {
    token_file tf;
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h", "--token-file", tf.path.string(),
                    "--token-required-for-reads"});
    BOOST_TEST(d.get("/api/v1/health").status == 401u);
    BOOST_TEST(call(d, verb::get, "/api/v1/health", "", token).status == 200u);
    // A kept answer is only handed out after the token check: the cache never lets a read past it.
    BOOST_TEST(call(d, verb::get, "/api/v1/interrupts?window=1s", "", token).status == 200u);
    BOOST_TEST(d.get("/api/v1/interrupts?window=1s").status == 401u);
    auto ws = irqd::client::ws_connection::open(d.url(), "/api/v1/stream", std::chrono::seconds(5));
    BOOST_TEST(!ws.has_value());
    auto url = d.url();
    url.bearer_token = token;
    auto ws_ok = irqd::client::ws_connection::open(url, "/api/v1/stream", std::chrono::seconds(5));
    BOOST_TEST(ws_ok.has_value());
}

BOOST_AUTO_TEST_CASE(an_unsafe_token_file_stops_irqd_with_one_line) {
    auto irqd = binary("irqd").string() + " " + base_args() + " --listen 127.0.0.1:0 --token-file ";
    token_file open_to_all(token + "\n", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                             fs::perms::others_read);
    auto r = run(irqd + open_to_all.path.string());
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.out.find("mode 0644") != std::string::npos);
    BOOST_TEST(r.out.find(token) == std::string::npos);
    BOOST_TEST(std::count(r.out.begin(), r.out.end(), '\n') == 1);

    token_file short_one("abc\n");
    r = run(irqd + short_one.path.string());
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.out.find("shorter than 16") != std::string::npos);

    r = run(irqd + "/nonexistent/token");
    BOOST_TEST(r.code == 2);

    // Another owner (when the test runs as root, a file given to nobody).
    if (::geteuid() == 0) {
        token_file other;
        BOOST_REQUIRE(::chown(other.path.c_str(), 65534, 65534) == 0);
        r = run(irqd + other.path.string());
        BOOST_TEST(r.code == 2);
        BOOST_TEST(r.out.find("not by irqd's user") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(non_loopback_listen_needs_allow_remote) {
    auto r = run(binary("irqd").string() + " " + base_args() + " --listen 0.0.0.0:0");
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.out.find("--allow-remote") != std::string::npos);
}

namespace {
// One request with the Host and other header lines given as they are (raw_request always sends
// Host: 127.0.0.1); the body is sent with its Content-Length.
raw_response raw_with(unsigned short port, const std::string& method, const std::string& target,
                      const std::string& head_lines, const std::string& body = {}) {
    raw_socket s(port);
    s.send(method + " " + target + " HTTP/1.1\r\n" + head_lines + "Content-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body);
    return parse_response(s.read_all());
}
std::string code_of(const raw_response& r) {
    if (r.header("content-type") != "application/json") return "(not JSON)";
    return std::string(json::parse(r.body).at("error").at("code").as_string());
}
}  // namespace

// Without a token (the default), a page on any site could POST a CORS "simple request" (text/plain,
// no preflight) to irqd on the same machine: it must change nothing.
BOOST_AUTO_TEST_CASE(a_cross_site_simple_request_changes_nothing) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    BOOST_REQUIRE(d.wait_samples(3));
    auto port = d.port();
    const std::string local = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
    auto affinity = [&] { return std::string(json::parse(d.get("/api/v1/interrupts/140").body).at("affinity").as_string()); };
    auto before = affinity();
    for (const auto& [target, body] : std::vector<std::pair<std::string, std::string>>{
             {"/api/v1/affinity", R"({"changes":[{"irq":140,"cpu":1}]})"},
             {"/api/v1/balance?apply=true", R"({"window":"1s","min_improvement":0})"},
             {"/api/v1/balance/revert", "{}"}}) {
        BOOST_TEST_CONTEXT(target) {
            auto plain = raw_with(port, "POST", target, local + "Content-Type: text/plain;charset=UTF-8\r\n", body);
            BOOST_TEST(plain.status == 415u);
            BOOST_TEST(code_of(plain) == "unsupported_media_type");
            // The same from a page elsewhere, as a browser sends it: its Origin is refused first.
            auto cross = raw_with(port, "POST", target,
                                  local + "Origin: http://evil.example\r\nContent-Type: text/plain\r\n", body);
            BOOST_TEST(cross.status == 403u);
            BOOST_TEST(code_of(cross) == "origin_not_allowed");
        }
    }
    // A body-less POST has no Content-Type to check, but a browser always sends its Origin with one.
    auto beacon = raw_with(port, "POST", "/api/v1/balance/revert", local + "Origin: http://evil.example\r\n");
    BOOST_TEST(beacon.status == 403u);
    BOOST_TEST(affinity() == before);
    BOOST_TEST(d.health().at("affinity_writes").to_number<int>() == 0);
    // The dashboard's own requests: same origin, JSON.
    auto own = raw_with(port, "PUT", "/api/v1/interrupts/140/affinity",
                        local + "Origin: http://127.0.0.1:" + std::to_string(port) +
                            "\r\nContent-Type: application/json\r\n",
                        R"({"cpu":1})");
    BOOST_TEST(own.status == 200u);
    BOOST_TEST(affinity() == "1");
}

// DNS rebinding: a page at evil.example makes its name resolve to 127.0.0.1, so the browser calls
// irqd "same-origin" with Host: evil.example:PORT. Reads too would hand it the machine's data.
BOOST_AUTO_TEST_CASE(a_rebound_host_name_gets_421_unless_allowed) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h", "--allowed-host", "IRQD.example",
                    "--allowed-origin", "https://grafana.example:3000"});
    auto port = std::to_string(d.port());
    auto evil = "Host: evil.example:" + port + "\r\n";
    auto put = raw_with(d.port(), "PUT", "/api/v1/interrupts/140/affinity",
                        evil + "Origin: http://evil.example:" + port + "\r\nContent-Type: application/json\r\n",
                        R"({"cpu":1})");
    BOOST_TEST(put.status == 421u);
    BOOST_TEST(code_of(put) == "host_not_allowed");
    BOOST_TEST(raw_with(d.port(), "GET", "/api/v1/interrupts", evil).status == 421u);
    BOOST_TEST(raw_with(d.port(), "GET", "/", evil).status == 421u);
    BOOST_TEST(d.health().at("affinity_writes").to_number<int>() == 0);
    // Names irqd is reached by: localhost, IP addresses, --allowed-host (any port: ssh -L, proxies).
    for (const auto& host : {"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "irqd.example:" + port,
                             std::string("irqd.example")})
        BOOST_TEST(raw_with(d.port(), "GET", "/api/v1/health", "Host: " + host + "\r\n").status == 200u, host);
    // --allowed-origin lets that page call the API.
    auto grafana = raw_with(d.port(), "GET", "/api/v1/health",
                            "Host: 127.0.0.1:" + port + "\r\nOrigin: https://grafana.example:3000\r\n");
    BOOST_TEST(grafana.status == 200u);
}
