// The HTTP side of the daemon: a listener that accepts, one http_session per connection that reads
// requests with size limits and timeouts, and hands each to a handler that answers now or later.
// WebSocket upgrades are passed on with their socket. It listens on TCP, a Unix stream socket or both,
// each with its own connection limit. accept() errors pause that listener instead of spinning.
// Graceful stop closes the acceptors and idle sessions, and the rest after a short grace.
#pragma once

#include <boost/asio/basic_socket_acceptor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "irqd/core/result.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::service {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

// One stream type for TCP and Unix-socket connections: the address family is a run-time property of
// the socket, so the sessions and the WebSocket code are compiled once for both.
using server_stream = boost::beast::basic_stream<boost::asio::generic::stream_protocol>;

// A body produced as it is sent: each next() appends the next slice (a few hundred kB at most) to `out`
// and returns false once the body is complete (that call may still append). The session asks for a
// slice only when the previous one is written, so a slow client holds one slice, and other requests
// are answered between slices.
class body_source {
public:
    virtual ~body_source() = default;
    virtual bool next(std::string& out) = 0;
};

// Sends the response for one request; may be called later (e.g. when a balance plan is ready), once.
// Built from any callable taking a response; the HTTP session also gives it a way to stream a body.
class responder {
public:
    using send_fn = std::function<void(response)>;
    using stream_fn = std::function<void(response, std::unique_ptr<body_source>)>;
    using gone_fn = std::function<bool()>;

    responder() = default;
    template <class F>
        requires(std::is_invocable_v<F&, response> && !std::is_same_v<std::decay_t<F>, responder>)
    responder(F f) : send_(std::move(f)) {}
    responder(send_fn send, stream_fn stream, gone_fn gone = {})
        : send_(std::move(send)), stream_(std::move(stream)), gone_(std::move(gone)) {}

    void operator()(response res) const { send_(std::move(res)); }
    // `head` (status and headers; its body is ignored), then what `body` produces, chunked. Where there
    // is no stream (a test's lambda, a wrapper), the body is collected and sent whole.
    void stream(response head, std::unique_ptr<body_source> body) const;
    explicit operator bool() const { return static_cast<bool>(send_); }
    // True when the client has closed its connection (or it broke) while the answer is being made, so
    // work done only for this answer can stop; false where that cannot be known (no socket).
    bool client_gone() const { return gone_ && gone_(); }
    // The same stream path with another way to send whole responses (a wrapper that looks at them).
    responder with_send(send_fn send) const { return responder(std::move(send), stream_, gone_); }

private:
    send_fn send_;
    stream_fn stream_;
    gone_fn gone_;
};

struct http_stats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_rejected = 0;          // over max_connections (or max_unix_connections)
    std::uint64_t accept_errors = 0;                 // accept() failures (EMFILE, ENFILE, ...)
    std::map<unsigned, std::uint64_t> responses;     // by status code
};

class http_session;

class http_server {
public:
    using handler = std::function<void(request&&, responder)>;
    // A WebSocket upgrade, with the bytes that came after it (frames sent with the handshake).
    using upgrade_handler = std::function<void(server_stream&&, request&&, boost::beast::flat_buffer&&)>;

    http_server(boost::asio::io_context& io, const limits& lim, handler h, upgrade_handler u);
    ~http_server();

    // Binds and starts accepting; returns the bound endpoint (port 0 picks a free one).
    core::result<boost::asio::ip::tcp::endpoint> listen(const std::string& address, unsigned short port);
    // Binds a Unix stream socket at `path` whose file has permission bits `mode` before anyone can
    // connect, whatever the umask. A stale socket there (nobody accepting) is replaced; a live one or
    // any other kind of file is an error, and is left alone.
    core::result<bool> listen_unix(const std::filesystem::path& path, unsigned mode);
    // Who may send requests from a browser (Host, Origin); the default admits IP literals and localhost.
    void set_browser_policy(browser_policy p) { browser_ = std::move(p); }
    // Closes the acceptors, idle sessions, and removes the Unix socket file (if it is still ours);
    // sessions still open after limits.stop_grace (a client that does not read) are closed too.
    void stop();

    std::size_t open_connections() const;
    const http_stats& stats() const { return stats_; }

    // Builds a JSON error body {"error":{"code":..., "message":...}} with the given status.
    static response json_error(unsigned status, std::string_view code, std::string_view message, unsigned version = 11,
                               bool keep_alive = false);

private:
    friend class http_session;
    using acceptor = boost::asio::basic_socket_acceptor<boost::asio::generic::stream_protocol>;
    // One acceptor with its own connection count and limit, and its pause after accept() fails.
    struct listener {
        listener(boost::asio::io_context& io, bool unix, std::size_t max)
            : socket(io), pause(io), unix_socket(unix), limit(max) {}
        acceptor socket;
        boost::asio::steady_timer pause;
        bool unix_socket;
        std::size_t limit;
        std::size_t open = 0;
        std::uint64_t failures = 0;                      // in the current burst of accept() errors
        std::chrono::steady_clock::time_point burst_start, last_log;
    };
    void do_accept(listener& l);
    void on_accept_error(listener& l, boost::system::error_code ec);
    void session_closed(listener& l);
    void remove_socket_file();

    boost::asio::io_context& io_;
    const limits& limits_;
    handler handler_;
    upgrade_handler upgrade_;
    browser_policy browser_;
    std::vector<std::unique_ptr<listener>> listeners_;   // stable addresses for their pending accepts
    std::filesystem::path socket_file_;                  // created by listen_unix(); empty once removed
    std::uint64_t socket_dev_ = 0, socket_ino_ = 0;      // which file that is, so a newer one is never removed
    http_stats stats_;
    std::vector<std::weak_ptr<http_session>> sessions_;
    boost::asio::steady_timer grace_;                    // ends the stop grace
    bool stopping_ = false;
};

}  // namespace irqd::service
