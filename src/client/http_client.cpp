// Blocking HTTP and WebSocket calls built from Beast's async operations with a deadline.
#include "irqd/client/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <nss.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <random>
#include <vector>

#include "irqd/core/version.hpp"

namespace irqd::client {
namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using generic = asio::generic::stream_protocol;

namespace {
constexpr std::size_t max_socket_path = sizeof(sockaddr_un{}.sun_path) - 1;
}

std::string base_url::text() const {
    if (!unix_socket.empty()) return "unix:" + unix_socket;
    return "http://" + host_header() + ":" + port + prefix;
}

std::string base_url::host_header() const {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

core::result<base_url> parse_base_url(std::string_view text) {
    base_url u;
    auto t = text;
    if (t.starts_with("unix:")) {
        u.unix_socket = std::string(t.substr(5));
        if (u.unix_socket.empty())
            return core::error{"URL 'unix:' has no socket path (like unix:/run/irqd/irqd.sock)"};
        if (u.unix_socket.size() > max_socket_path)
            return core::error{"URL '" + std::string(text) + "': a Unix socket path has at most " +
                               std::to_string(max_socket_path) + " bytes"};
        u.host = "localhost";
        return u;
    }
    if (t.starts_with("http://")) t.remove_prefix(7);
    else if (t.find("://") != std::string_view::npos)
        return core::error{"only http:// and unix: URLs are supported, got '" + std::string(text) + "'"};
    auto slash = t.find('/');
    std::string_view hostport = t.substr(0, slash);
    if (slash != std::string_view::npos) {
        u.prefix = std::string(t.substr(slash));
        while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
    }
    if (hostport.empty()) return core::error{"URL '" + std::string(text) + "' has no host"};
    if (hostport.front() == '[') {
        auto close = hostport.find(']');
        if (close == std::string_view::npos) return core::error{"URL '" + std::string(text) + "' has an unclosed ["};
        u.host = std::string(hostport.substr(1, close - 1));
        if (close + 1 < hostport.size()) {
            if (hostport[close + 1] != ':') return core::error{"bad URL '" + std::string(text) + "'"};
            u.port = std::string(hostport.substr(close + 2));
        }
    } else {
        auto colon = hostport.rfind(':');
        u.host = std::string(hostport.substr(0, colon));
        if (colon != std::string_view::npos) u.port = std::string(hostport.substr(colon + 1));
    }
    if (u.port.empty() || u.port.size() > 5 || u.port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(u.port) > 65535)
        return core::error{"URL '" + std::string(text) + "' has a bad port"};
    return u;
}

std::optional<std::vector<asio::ip::address>> addresses_without_resolver(std::string_view host) {
    boost::system::error_code ec;
    auto numeric = asio::ip::make_address(host, ec);
    if (!ec) return std::vector<asio::ip::address>{numeric};
    if (host.ends_with('.')) host.remove_suffix(1);
    auto lower = [](unsigned char c) { return std::tolower(c); };
    if (std::ranges::equal(host, std::string_view("localhost"), {}, lower))
        // 127.0.0.1 first: irqd's default --listen. async_connect tries the next on a refusal.
        return std::vector<asio::ip::address>{asio::ip::address_v4::loopback(), asio::ip::address_v6::loopback()};
    return std::nullopt;
}

namespace {
// Other host names go to getaddrinfo. In the static irqctl, glibc looks up "files" (/etc/hosts)
// and "dns" (/etc/resolv.conf) by code linked in, but any other source /etc/nsswitch.conf names
// (mdns4_minimal, resolve, myhostname, ldap...) is a libnss_*.so of the system's glibc, which
// dlopen() would load into a binary built against another glibc (the linker's "Using
// 'getaddrinfo' in statically linked applications" warning). Only the linked-in two are used.
void use_builtin_name_sources() {
#ifdef IRQD_STATIC_LIBC
    static const bool configured = [] {
        __nss_configure_lookup("hosts", "files dns");
        return true;
    }();
    (void)configured;
#endif
}

// The WebSocket client's masking keys come from Beast's PRNG, which otherwise seeds itself once from
// std::random_device: RDRAND, else glibc's arc4random, which aborts the program when getrandom()
// (Linux 3.17) is missing and /dev/urandom cannot be opened, as on Ubuntu 14.04 in a chroot
// without /dev. irqctl seeds it first: /dev/urandom, else getrandom(), else the clock and the pid
// (masking keys protect proxies' caches, not secrets).
void seed_websocket_keys() {
    static const bool seeded = [] {
        std::array<std::uint32_t, 8> v{};
        constexpr auto size = static_cast<ssize_t>(sizeof(v));
        bool ok = false;
        if (int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC); fd >= 0) {
            ok = ::read(fd, v.data(), sizeof(v)) == size;
            ::close(fd);
        }
        if (!ok) ok = ::syscall(SYS_getrandom, v.data(), sizeof(v), 1 /* GRND_NONBLOCK */) == size;
        if (!ok) {
            auto t = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
            auto m = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
            v = {static_cast<std::uint32_t>(t), static_cast<std::uint32_t>(t >> 32), static_cast<std::uint32_t>(m),
                 static_cast<std::uint32_t>(m >> 32), static_cast<std::uint32_t>(::getpid())};
        }
        std::seed_seq seq(v.begin(), v.end());
        beast::websocket::seed_prng(seq);
        return true;
    }();
    (void)seeded;
}

// Runs the io_context until the operation completes or the deadline passes (then cancels it).
void run_until_done(asio::io_context& io) {
    io.restart();
    io.run();
}

// Where to connect, as endpoints of the one stream type: the resolved TCP addresses, or the socket.
core::result<std::vector<generic::endpoint>> endpoints_of(const base_url& url, asio::io_context& io) {
    std::vector<generic::endpoint> endpoints;
    if (!url.unix_socket.empty()) {
        if (url.unix_socket.size() > max_socket_path)
            return core::error{"Unix socket path too long: " + url.unix_socket};
        endpoints.emplace_back(asio::local::stream_protocol::endpoint(url.unix_socket));
        return endpoints;
    }
    if (auto fixed = addresses_without_resolver(url.host)) {
        // parse_base_url() checked the port: at most five digits.
        auto port = static_cast<unsigned short>(std::stoul(url.port));
        for (const auto& address : *fixed) endpoints.emplace_back(tcp::endpoint(address, port));
        return endpoints;
    }
    use_builtin_name_sources();
    tcp::resolver resolver(io);
    beast::error_code ec;
    auto results = resolver.resolve(url.host, url.port, ec);
    if (ec || results.empty())
        return core::error{"cannot resolve host '" + url.host + "' (" + (ec ? ec.message() : "no address") +
                           "); give an address such as 127.0.0.1 or [::1], or localhost"};
    for (const auto& r : results) endpoints.emplace_back(r.endpoint());
    return endpoints;
}

std::string describe(const base_url& url, beast::error_code ec) {
    if (ec == beast::error::timeout) return "timed out talking to irqd at " + url.text();
    if (!url.unix_socket.empty() && ec == boost::system::errc::no_such_file_or_directory)
        return "cannot connect to irqd at " + url.text() + ": no such socket (is irqd running with --unix-socket " +
               url.unix_socket + "?)";
    if (!url.unix_socket.empty() && ec == boost::system::errc::permission_denied)
        return "cannot connect to irqd at " + url.text() +
               ": permission denied (the socket file's mode and group decide who may connect)";
    if (ec == asio::error::connection_refused)
        return "cannot connect to irqd at " + url.text() + " (is it running? start it with: irqd --simulate)";
    return "talking to irqd at " + url.text() + ": " + ec.message();
}
}  // namespace

core::result<http_reply> http_call(const base_url& url, http::verb verb, std::string_view target, std::string body,
                                   std::chrono::milliseconds timeout) {
    asio::io_context io;
    client_stream stream(io);
    beast::error_code ec;
    auto endpoints = endpoints_of(url, io);
    if (!endpoints) return core::error{endpoints.error_message()};

    http::request<http::string_body> req{verb, url.prefix + std::string(target), 11};
    req.set(http::field::host, url.host_header());
    req.set(http::field::user_agent, "irqctl/" + std::string(core::version()));
    if (!url.bearer_token.empty()) req.set(http::field::authorization, "Bearer " + url.bearer_token);
    if (!body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = std::move(body);
    }
    req.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    beast::flat_buffer buffer;

    beast::error_code result;
    stream.expires_after(timeout);
    stream.async_connect(*endpoints, [&](beast::error_code e, const generic::endpoint&) {
        if (e) {
            result = e;
            return;
        }
        http::async_write(stream, req, [&](beast::error_code e2, std::size_t) {
            if (e2) {
                result = e2;
                return;
            }
            http::async_read(stream, buffer, parser, [&](beast::error_code e3, std::size_t) { result = e3; });
        });
    });
    run_until_done(io);
    if (result) return core::error{describe(url, result)};
    stream.socket().shutdown(asio::socket_base::shutdown_both, ec);
    auto res = parser.release();
    http_reply r;
    r.status = res.result_int();
    r.content_type = std::string(res[http::field::content_type]);
    r.body = std::move(res.body());
    return r;
}

std::string error_text(const http_reply& reply) {
    boost::system::error_code ec;
    auto v = boost::json::parse(reply.body, ec);
    if (!ec && v.is_object())
        if (auto* e = v.as_object().if_contains("error"); e && e->is_object())
            if (auto* m = e->as_object().if_contains("message"); m && m->is_string()) return std::string(m->as_string());
    std::string b = reply.body;
    while (!b.empty() && b.back() == '\n') b.pop_back();
    return "HTTP " + std::to_string(reply.status) + (b.empty() ? "" : ": " + b);
}

core::result<std::unique_ptr<ws_connection>> ws_connection::open(const base_url& url, std::string_view target,
                                                                  std::chrono::milliseconds timeout) {
    seed_websocket_keys();
    std::unique_ptr<ws_connection> c(new ws_connection);
    auto endpoints = endpoints_of(url, c->io_);
    if (!endpoints) return core::error{endpoints.error_message()};
    auto& layer = beast::get_lowest_layer(c->ws_);
    layer.expires_after(timeout);
    beast::error_code result;
    std::string path = url.prefix + std::string(target);
    if (!url.bearer_token.empty())
        c->ws_.set_option(beast::websocket::stream_base::decorator(
            [token = url.bearer_token](beast::websocket::request_type& r) {
                r.set(http::field::authorization, "Bearer " + token);
            }));
    layer.async_connect(*endpoints, [&](beast::error_code e, const generic::endpoint&) {
        if (e) {
            result = e;
            return;
        }
        layer.expires_after(timeout);
        c->ws_.async_handshake(url.host_header(), path, [&](beast::error_code e2) { result = e2; });
    });
    run_until_done(c->io_);
    if (result) return core::error{describe(url, result)};
    layer.expires_never();
    c->ws_.set_option(beast::websocket::stream_base::timeout::suggested(beast::role_type::client));
    return c;
}

core::result<bool> ws_connection::send(std::string_view text) {
    beast::error_code result;
    ws_.text(true);
    ws_.async_write(asio::buffer(text.data(), text.size()), [&](beast::error_code e, std::size_t) { result = e; });
    run_until_done(io_);
    if (result) return core::error{"WebSocket write failed: " + result.message()};
    return true;
}

core::result<std::string> ws_connection::read(std::chrono::milliseconds timeout) {
    beast::error_code result;
    bool done = false;
    ws_.async_read(buffer_, [&](beast::error_code e, std::size_t) {
        result = e;
        done = true;
    });
    io_.restart();
    io_.run_for(timeout);
    if (!done) {
        // Cancel the read, then let its handler run so the stream stays usable.
        beast::get_lowest_layer(ws_).cancel();
        io_.restart();
        io_.run();
        return core::error{"no message within " + std::to_string(timeout.count()) + " ms"};
    }
    if (result == beast::websocket::error::closed) {
        auto r = ws_.reason();
        return core::error{"closed by irqd (" + std::to_string(r.code) + "): " + std::string(r.reason.c_str())};
    }
    if (result) return core::error{"WebSocket read failed: " + result.message()};
    auto text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    return text;
}

void ws_connection::close() {
    beast::error_code result;
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(2));
    ws_.async_close(beast::websocket::close_code::normal, [&](beast::error_code e) { result = e; });
    run_until_done(io_);
}

}  // namespace irqd::client
