// End-to-end tests of irqd --unix-socket: the API, the token rules, the WebSocket stream and irqctl
// over the socket; its file mode whatever the umask; --listen none; a stale socket replaced, a live
// one and a regular file left alone (one-line error, exit 1); the file removed when irqd stops. Its
// connection limit is its own: a TCP flood leaves the socket usable. Its Host is not checked.
#define BOOST_TEST_MODULE unix_socket
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "daemon.hpp"
#include "raw_http.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
const std::string token = "s3cr3t-t0ken-0123456789abcdef";

std::vector<std::string> sim_args() { return {"--simulate", "--interval", "100ms", "--history", "1s:1h"}; }

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

irqd::client::base_url socket_url(const fs::path& socket, const std::string& bearer = "") {
    auto u = irqd::client::parse_base_url("unix:" + socket.string());
    BOOST_TEST_REQUIRE(u.has_value());
    u->bearer_token = bearer;
    return *u;
}

irqd::client::http_reply call(const irqd::client::base_url& url, verb v, const std::string& target,
                              const std::string& body = "") {
    auto r = irqd::client::http_call(url, v, target, body, std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error_message()));
    return *r;
}

// The file's type and permission bits, e.g. S_IFSOCK | 0660.
unsigned file_mode(const fs::path& p) {
    struct stat st {};
    BOOST_TEST_REQUIRE(::lstat(p.c_str(), &st) == 0);
    return st.st_mode;
}

// What a crashed irqd leaves behind: a socket file nobody accepts on.
void make_stale_socket(const fs::path& p) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, p.c_str(), sizeof sa.sun_path - 1);
    BOOST_TEST_REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0);
    ::close(fd);
}

std::string irqctl(const fs::path& socket) {
    return "timeout 20 " + binary("irqctl").string() + " --url unix:" + socket.string();
}
std::string irqd_cmd(const fs::path& socket) {
    return "timeout 20 " + binary("irqd").string() + " --simulate --listen 127.0.0.1:0 --unix-socket " + socket.string();
}
std::string contents_of(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
// A connection to the socket at `p` (-1 when none), closed by the caller.
int connect_unix(const fs::path& p) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, p.c_str(), sizeof sa.sun_path - 1);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Sends `request` on a new connection to the socket and reads the answer until irqd closes (10 s at most).
std::string unix_exchange(const fs::path& p, const std::string& request) {
    int fd = connect_unix(p);
    BOOST_TEST_REQUIRE(fd >= 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    BOOST_TEST(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }
}  // namespace

BOOST_AUTO_TEST_CASE(api_stream_and_irqctl_over_the_socket_with_the_token_rules) {
    temp_dir dir;
    auto sock = dir.path / "irqd.sock";
    auto tf = dir.path / "token";
    write(tf, token + "\n");
    fs::permissions(tf, fs::perms::owner_read | fs::perms::owner_write);
    irqd_process d(with(sim_args(), {"--token-file", tf.string(), "--unix-socket", sock.string()}));
    BOOST_TEST(d.first_line().find(" and unix:" + sock.string() + " ") != std::string::npos, d.first_line());
    BOOST_TEST(S_ISSOCK(file_mode(sock)));
    BOOST_TEST((file_mode(sock) & 07777) == 0660u);   // the default --unix-socket-mode

    auto url = socket_url(sock);
    auto health = call(url, verb::get, "/api/v1/health");
    BOOST_TEST(health.status == 200u);
    auto listeners = json::parse(health.body).at("listeners").as_array();
    BOOST_TEST_REQUIRE(listeners.size() == 2u);
    BOOST_TEST(listeners[0].as_string() == d.url_text() + "/");
    BOOST_TEST(listeners[1].as_string() == "unix:" + sock.string());

    // Access to the file lets a client connect, not change things: the token rules are TCP's.
    auto none = call(url, verb::put, "/api/v1/interrupts/140/affinity", R"({"cpu":1})");
    BOOST_TEST(none.status == 401u);
    BOOST_TEST(json::parse(none.body).at("error").at("code").as_string() == "unauthorized");
    auto ok = call(socket_url(sock, token), verb::put, "/api/v1/interrupts/140/affinity", R"({"cpu":1})");
    BOOST_TEST(ok.status == 200u, ok.body);
    BOOST_TEST(json::parse(d.get("/api/v1/interrupts/140").body).at("affinity").as_string() == "1");

    auto ws = irqd::client::ws_connection::open(url, "/api/v1/stream", std::chrono::seconds(5));
    BOOST_TEST_REQUIRE(ws.has_value(), (ws ? "" : ws.error_message()));
    auto first = (*ws)->read(std::chrono::seconds(5));
    BOOST_TEST_REQUIRE(first.has_value(), (first ? "" : first.error_message()));
    BOOST_TEST(json::parse(*first).at("type").as_string() == "snapshot");
    auto next = (*ws)->read(std::chrono::seconds(5));
    BOOST_TEST_REQUIRE(next.has_value(), (next ? "" : next.error_message()));
    BOOST_TEST(json::parse(*next).at("type").as_string() == "sample");
    (*ws)->close();

    auto summary = run(irqctl(sock) + " summary");
    BOOST_TEST(summary.code == 0, summary.out);
    BOOST_TEST(summary.out.find("CPU") != std::string::npos, summary.out);
    auto refused = run(irqctl(sock) + " set 140 0");
    BOOST_TEST(refused.code == 1);
    BOOST_TEST(refused.out.find("Authorization: Bearer") != std::string::npos, refused.out);
    BOOST_TEST(run(irqctl(sock) + " --token-file " + tf.string() + " set 140 0").code == 0);
    BOOST_TEST(json::parse(d.get("/api/v1/interrupts/140").body).at("affinity").as_string() == "0");
    auto watch = run("IRQCTL_URL=unix:" + sock.string() + " timeout 20 " + binary("irqctl").string() +
                     " watch --count 2 --json");
    BOOST_TEST(watch.code == 0, watch.out);
    BOOST_TEST(lines(watch.out) == 2u, watch.out);
    BOOST_TEST(json::parse(watch.out.substr(0, watch.out.find('\n'))).at("type").as_string() == "sample");

    BOOST_TEST(d.stop() == 0);   // SIGTERM
    BOOST_TEST(!fs::exists(fs::symlink_status(sock)));
    auto gone = run(irqctl(sock) + " summary");
    BOOST_TEST(gone.code == 1);
    BOOST_TEST(gone.out.find("no such socket (is irqd running with --unix-socket " + sock.string() + "?)") !=
                   std::string::npos,
               gone.out);
}

BOOST_AUTO_TEST_CASE(listen_none_serves_only_the_socket_with_its_mode_whatever_the_umask) {
    temp_dir dir;
    auto sock = dir.path / "irqd.sock";
    // With umask 0 bind() alone would leave the socket 0777 (anyone connects); irqd sets the mode.
    auto old_umask = ::umask(0);
    std::unique_ptr<irqd_process> d;
    try {
        d = std::make_unique<irqd_process>(
            with(sim_args(), {"--listen", "none", "--unix-socket", sock.string(), "--unix-socket-mode", "600"}));
    } catch (...) {
    }
    ::umask(old_umask);
    BOOST_TEST_REQUIRE(d);
    BOOST_TEST(d->first_line().find("listening on unix:" + sock.string() + " (simulated") != std::string::npos,
               d->first_line());
    BOOST_TEST(d->first_line().find("http://") == std::string::npos);
    BOOST_TEST((file_mode(sock) & 07777) == 0600u);
    BOOST_TEST(d->url().unix_socket == sock.string());
    auto health = d->health();
    BOOST_TEST(json::serialize(health.at("listeners")) == "[\"unix:" + sock.string() + "\"]");
    BOOST_TEST(d->stop() == 0);
    BOOST_TEST(!fs::exists(fs::symlink_status(sock)));

    // Nothing to serve, a bad mode: usage errors before anything is created.
    auto nothing = run(binary("irqd").string() + " --simulate --listen none");
    BOOST_TEST(nothing.code == 2);
    BOOST_TEST(nothing.out == "irqd: --listen none needs --unix-socket (irqd would serve nothing) (see irqd --help)\n");
    auto bad_mode = run(irqd_cmd(sock) + " --unix-socket-mode 0880");
    BOOST_TEST(bad_mode.code == 2);
    BOOST_TEST(bad_mode.out.find("--unix-socket-mode '0880' is not permission bits in octal") != std::string::npos,
               bad_mode.out);
    BOOST_TEST(!fs::exists(fs::symlink_status(sock)));
}

BOOST_AUTO_TEST_CASE(a_stale_socket_is_replaced_a_live_one_and_a_regular_file_are_not) {
    temp_dir dir;
    auto sock = dir.path / "irqd.sock";
    make_stale_socket(sock);
    BOOST_TEST_REQUIRE(S_ISSOCK(file_mode(sock)));
    {
        irqd_process d(with(sim_args(), {"--unix-socket", sock.string()}));
        BOOST_TEST(call(socket_url(sock), verb::get, "/api/v1/health").status == 200u);

        // A second irqd on the same path must not take the socket from the running one.
        auto second = run(irqd_cmd(sock));
        BOOST_TEST(second.code == 1);
        BOOST_TEST(second.out.find("irqd: --unix-socket " + sock.string() +
                                   ": another process is listening on it (a running irqd?)") != std::string::npos,
                   second.out);
        BOOST_TEST(call(socket_url(sock), verb::get, "/api/v1/health").status == 200u);
        BOOST_TEST(d.stop() == 0);
    }
    BOOST_TEST(!fs::exists(fs::symlink_status(sock)));

    // A regular file at the path (a typo, say) is never deleted.
    write(sock, "keep me\n");
    auto refused = run(irqd_cmd(sock) + " --log-level warn");
    BOOST_TEST(refused.code == 1);
    BOOST_TEST(refused.out == "irqd: --unix-socket " + sock.string() +
                                  ": exists and is not a socket; irqd does not delete it (remove it or choose another path)\n");
    BOOST_TEST(contents_of(sock) == "keep me\n");
}

// One shared limit let 513 idle TCP connections lock the local admins out of the socket too.
BOOST_AUTO_TEST_CASE(a_tcp_flood_leaves_the_socket_usable_and_each_has_its_own_limit) {
    temp_dir dir;
    auto sock = dir.path / "irqd.sock";
    irqd_process d(with(sim_args(), {"--unix-socket", sock.string(), "--max-connections", "2",
                                     "--max-unix-connections", "2"}));
    raw_socket a(d.port()), b(d.port());   // TCP is full
    BOOST_TEST(eventually([&] { return raw_request(d.port(), "GET", "/api/v1/health").status == 503u; }));
    BOOST_TEST(call(socket_url(sock), verb::get, "/api/v1/health").status == 200u);
    // The socket's own limit: two held, the third gets 503.
    int u1 = connect_unix(sock), u2 = connect_unix(sock);
    BOOST_TEST_REQUIRE((u1 >= 0 && u2 >= 0));
    auto third = parse_response(unix_exchange(sock, "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    BOOST_TEST(third.status == 503u);
    ::close(u1);
    ::close(u2);
    BOOST_TEST(eventually([&] { return call(socket_url(sock), verb::get, "/api/v1/health").status == 200u; }));
    // The socket's Host names nothing, so any is fine there (on TCP this one gets 421).
    auto any_host = parse_response(unix_exchange(
        sock, "GET /api/v1/health HTTP/1.1\r\nHost: irqd.example\r\nConnection: close\r\n\r\n"));
    BOOST_TEST(any_host.status == 200u);
}
