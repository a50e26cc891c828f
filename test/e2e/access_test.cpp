// End-to-end tests of access control: with --token-file every change needs the bearer token (a 401
// with WWW-Authenticate otherwise), reads stay open unless --token-required-for-reads, a token file
// others can read stops irqd at start, irqctl sends the token, and the token never reaches the log.
#define BOOST_TEST_MODULE access
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include "daemon.hpp"

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
    auto raw = run("curl -s -i -X PUT -d '{\"cpu\":0}' " + d->url_text() + "/api/v1/interrupts/140/affinity");
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
