// Listener and per-connection HTTP sessions (after Beast's advanced server example).
#include "irqd/service/http_server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cerrno>
#include <cstring>
#include <optional>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "irqd/service/log.hpp"
#include "irqd/service/request_error.hpp"
#include "irqd/service/request_checks.hpp"

namespace irqd::service {
namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using generic = asio::generic::stream_protocol;

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(generic::socket&& socket, http_server& server, http_server::listener& from)
        : stream_(std::move(socket)), server_(server), from_(from) {
        ++from_.open;
    }
    ~http_session() { server_.session_closed(from_); }

    void run() { do_read(); }
    // How long an answer to a request irqd could not read whole waits for the rest of it (see linger).
    static constexpr std::chrono::milliseconds error_linger{2000};
    void reject_busy() {
        // Lingers (briefly: a flood must not hold descriptors long) so that a client that sends its
        // request after the answer was written still reads the 503 instead of a reset or EPIPE.
        send(http_server::json_error(503, "too_many_connections", "irqd is at its connection limit; try again later"),
             std::chrono::milliseconds(500));
    }
    void stop() {
        // Only idle sessions are closed here; one busy with a request finishes its answer first.
        if (!busy_) {
            beast::error_code ec;
            stream_.socket().shutdown(asio::socket_base::shutdown_both, ec);
            stream_.socket().close(ec);
        }
    }
    // The stop grace is over: whatever this session waits for (a client that does not read), it ends.
    void abort() { stream_.close(); }

private:
    void do_read() {
        if (server_.stopping_) return do_close();
        parser_.emplace();
        head_ = false;
        parser_->body_limit(server_.limits_.body_limit);
        parser_->header_limit(static_cast<std::uint32_t>(server_.limits_.header_limit));
        // One deadline for the whole request, head and body.
        stream_.expires_after(server_.limits_.read_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    // The head is in: refuse what irqd must not act on before a byte of the body is read, so a body
    // whose framing is in doubt is never taken for the next request.
    void on_header(beast::error_code ec) {
        if (ec) return on_read(ec);
        const auto& h = parser_->get();
        auto refused = check_framing(h);
        if (!refused && beast::websocket::is_upgrade(h) && !valid_websocket_key(h[http::field::sec_websocket_key]))
            refused = refusal{400, "bad_websocket_key", "Sec-WebSocket-Key must be the base64 of 16 bytes (RFC 6455 4.2.1)"};
        if (!refused) refused = check_browser(h, server_.browser_, from_.unix_socket);
        if (refused)
            return send(http_server::json_error(refused->status, refused->code, refused->message, 11, false),
                        error_linger);
        if (parser_->is_done()) return on_read({});
        if (!expects_continue(h)) return read_body();
        static const std::string continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
        asio::async_write(stream_, asio::buffer(continue_line),
                          [self = shared_from_this()](beast::error_code e, std::size_t) {
                              if (e) return self->do_close();
                              self->read_body();
                          });
    }

    void read_body() {
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
            ec == asio::error::connection_reset || ec == asio::error::bad_descriptor)
            return do_close();
        // After these the rest of the request is unread: answer, then close without a reset (see linger).
        if (ec == http::error::body_limit)
            return send(http_server::json_error(413, "body_too_large",
                                                "request body is larger than " +
                                                    std::to_string(server_.limits_.body_limit) + " bytes",
                                                11, false), error_linger);
        if (ec == http::error::header_limit)
            return send(http_server::json_error(431, "headers_too_large", "request headers are too large", 11, false),
                        error_linger);
        if (ec)
            return send(
                http_server::json_error(400, "bad_http", "malformed HTTP request: " + ec.message(), 11, false),
                error_linger);

        if (beast::websocket::is_upgrade(parser_->get())) {
            stream_.expires_never();
            if (server_.upgrade_) server_.upgrade_(std::move(stream_), parser_->release(), std::move(buffer_));
            return;
        }
        busy_ = true;
        head_ = parser_->get().method() == http::verb::head;
        auto self = shared_from_this();
        server_.handler_(parser_->release(),
                         responder([self](response res) { self->send(std::move(res)); },
                                   [self](response head, std::unique_ptr<body_source> body) {
                                       self->send_stream(std::move(head), std::move(body));
                                   },
                                   [self] { return self->client_gone(); }));
    }

    // Nothing is read while a request is answered, so a peek tells whether the client is still there:
    // end of stream (it closed, or shut down its sending side) or an error means gone; bytes (a
    // pipelined request) or nothing yet mean there.
    bool client_gone() {
        if (!stream_.socket().is_open()) return true;
        char byte = 0;
        const auto n = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
    }

    // A streamed body: the head, then one chunk per slice, each produced when the one before is written
    // (HTTP/1.0 has no chunks: the body runs to the connection's close).
    void send_stream(response head, std::unique_ptr<body_source> body) {
        // HEAD: made whole, for the Content-Length a HEAD has always given (send() drops the body).
        if (head_)
            return responder([self = shared_from_this()](response res) { self->send(std::move(res)); })
                .stream(std::move(head), std::move(body));
        busy_ = true;
        ++server_.stats_.responses[static_cast<unsigned>(head.result_int())];
        chunked_ = head.version() >= 11;
        keep_alive_ = !server_.stopping_ && chunked_ && head.keep_alive();
        auto h = std::make_shared<http::response<http::empty_body>>();
        static_cast<http::response_header<>&>(*h) = std::move(head.base());
        h->keep_alive(keep_alive_);
        h->chunked(chunked_);
        source_ = std::move(body);
        auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*h);
        stream_.expires_after(server_.limits_.read_timeout);
        http::async_write_header(stream_, *sr, [self = shared_from_this(), h, sr](beast::error_code ec, std::size_t) {
            if (ec) return self->do_close();
            self->next_slice();
        });
    }
    void next_slice() {
        slice_.clear();
        const bool more = source_->next(slice_);
        auto written = [self = shared_from_this(), more](beast::error_code ec, std::size_t) {
            if (ec) return self->do_close();
            if (more) return self->next_slice();
            self->end_stream();
        };
        stream_.expires_after(server_.limits_.read_timeout);
        if (slice_.empty()) {
            if (more) return asio::post(stream_.get_executor(), [self = shared_from_this()] { self->next_slice(); });
            return end_stream();
        }
        if (chunked_) asio::async_write(stream_, http::make_chunk(asio::buffer(slice_)), std::move(written));
        else asio::async_write(stream_, asio::buffer(slice_), std::move(written));
    }
    void end_stream() {
        if (!chunked_) return stream_done();
        asio::async_write(stream_, http::make_chunk_last(), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) return self->do_close();
            self->stream_done();
        });
    }
    void stream_done() {
        source_.reset();
        slice_ = std::string();
        busy_ = false;
        if (!keep_alive_) return do_close();
        do_read();
    }

    // linger: after the answer, stop sending and drop what the client still sends for up to that
    // long before closing (zero: close at once, or keep the connection as the answer says).
    void send(response res, std::chrono::milliseconds linger = {}) {
        busy_ = true;
        ++server_.stats_.responses[static_cast<unsigned>(res.result_int())];
        if (server_.stopping_) res.keep_alive(false);
        res.prepare_payload();
        // HEAD: the routes answer as for GET, so the headers, Content-Length too, are the ones GET
        // gets (RFC 9110 9.3.2); only the body stays here. Beast writes the header as it is.
        if (head_) {
            const auto length = res.body().size();
            res.body().clear();
            res.content_length(length);
        }
        auto msg = std::make_shared<response>(std::move(res));
        stream_.expires_after(server_.limits_.read_timeout);
        http::async_write(stream_, *msg, [self = shared_from_this(), msg, linger](beast::error_code ec, std::size_t) {
            self->busy_ = false;
            if (!ec && linger.count() > 0) return self->linger(linger);
            if (ec || !msg->keep_alive()) return self->do_close();
            self->do_read();
        });
    }

    // Closing a socket with unread input makes the kernel send a reset, which can destroy the answer
    // before the client reads it. So: stop sending, then read and drop what the client still sends,
    // for a bounded time and amount, and close at its end of stream.
    void linger(std::chrono::milliseconds how_long) {
        beast::error_code ec;
        stream_.socket().shutdown(asio::socket_base::shutdown_send, ec);
        stream_.expires_after(how_long);
        drain(0);
    }
    void drain(std::size_t dropped) {
        if (dropped > 16 * 1024 * 1024) return do_close();
        buffer_.consume(buffer_.size());
        stream_.async_read_some(buffer_.prepare(64 * 1024),
                                [self = shared_from_this(), dropped](beast::error_code ec, std::size_t n) {
                                    if (ec) return self->do_close();
                                    self->drain(dropped + n);
                                });
    }

    void do_close() {
        beast::error_code ec;
        stream_.socket().shutdown(asio::socket_base::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    server_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http_server& server_;
    http_server::listener& from_;
    bool busy_ = false;
    bool head_ = false;   // the request being answered is a HEAD
    // The streamed answer being written: where its slices come from, the one in flight, and how.
    std::unique_ptr<body_source> source_;
    std::string slice_;
    bool chunked_ = true, keep_alive_ = true;
};

void responder::stream(response head, std::unique_ptr<body_source> body) const {
    if (stream_) return stream_(std::move(head), std::move(body));
    head.body().clear();
    while (body->next(head.body())) {
    }
    send_(std::move(head));
}

http_server::http_server(asio::io_context& io, const limits& lim, handler h, upgrade_handler u)
    : io_(io), limits_(lim), handler_(std::move(h)), upgrade_(std::move(u)), grace_(io) {}

http_server::~http_server() { remove_socket_file(); }

core::result<tcp::endpoint> http_server::listen(const std::string& address, unsigned short port) {
    beast::error_code ec;
    auto addr = asio::ip::make_address(address, ec);
    if (ec) return core::error{"'" + address + "' is not an IP address"};
    generic::endpoint ep{tcp::endpoint(addr, port)};
    auto l = std::make_unique<listener>(io_, false, limits_.max_connections);
    auto* a = &l->socket;
    a->open(ep.protocol(), ec);
    if (!ec) a->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) a->bind(ep, ec);
    if (!ec) a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return core::error{"cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message()};
    // The generic endpoint holds the sockaddr the kernel filled in; read it back as TCP.
    auto local = a->local_endpoint(ec);
    tcp::endpoint bound;
    if (!ec && local.size() <= bound.capacity()) {
        std::memcpy(bound.data(), local.data(), local.size());
        bound.resize(local.size());
    }
    do_accept(*listeners_.emplace_back(std::move(l)));
    return bound;
}

namespace {
// The errno of a connect to the socket at `path` (0: someone accepts there). ECONNREFUSED is the
// stale socket of a process that is gone. Non-blocking, so a live listener with a full backlog
// answers EAGAIN at once instead of hanging.
int probe_connect(const std::filesystem::path& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
    int e = ::connect(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0 ? 0 : errno;
    ::close(fd);
    return e;
}
}  // namespace

core::result<bool> http_server::listen_unix(const std::filesystem::path& path, unsigned mode) {
    auto where = "--unix-socket " + path.string() + ": ";
    if (path.native().size() >= sizeof(sockaddr_un{}.sun_path))
        return core::error{where + "longer than the " + std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                           " bytes a Unix socket path may have"};
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        // Only a socket nobody accepts on is ours to replace: a file of another kind may be anything
        // (a typo in the path must not cost a file), and a live socket belongs to a running daemon.
        if (!S_ISSOCK(st.st_mode))
            return core::error{where +
                               "exists and is not a socket; irqd does not delete it (remove it or choose another path)"};
        int e = probe_connect(path);
        if (e == 0 || e == EAGAIN)
            return core::error{where +
                               "another process is listening on it (a running irqd?); stop it or choose another path"};
        if (e != ECONNREFUSED && e != ENOENT)
            return core::error{where + "cannot tell whether the socket there is stale (" + std::strerror(e) +
                               "); irqd leaves it"};
        if (::unlink(path.c_str()) != 0 && errno != ENOENT)
            return core::error{where + "cannot remove the stale socket: " + std::strerror(errno)};
        log(log_level::info, "stale_socket_removed", {{"path", path.string()}});
    } else if (errno != ENOENT) {
        return core::error{where + std::strerror(errno)};
    }

    generic::endpoint ep{asio::local::stream_protocol::endpoint(path.string())};
    auto l = std::make_unique<listener>(io_, true, limits_.max_unix_connections);
    auto* a = &l->socket;
    beast::error_code ec;
    a->open(ep.protocol(), ec);
    if (ec) return core::error{where + "cannot create the socket: " + ec.message()};
    // bind() creates the file with 0777 & ~umask: for the moment until chmod() it must admit nobody
    // but irqd's user. One thread, and nothing else runs yet, so changing the umask here is safe.
    mode_t old_umask = ::umask(0177);
    a->bind(ep, ec);
    ::umask(old_umask);
    if (ec) return core::error{where + "cannot bind: " + ec.message()};
    socket_file_ = path;
    if (::lstat(path.c_str(), &st) == 0) {
        socket_dev_ = st.st_dev;
        socket_ino_ = st.st_ino;
    }
    if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
        int e = errno;
        remove_socket_file();
        return core::error{where + "cannot set its mode: " + std::strerror(e)};
    }
    a->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        remove_socket_file();
        return core::error{where + "cannot listen: " + ec.message()};
    }
    do_accept(*listeners_.emplace_back(std::move(l)));
    return true;
}

void http_server::remove_socket_file() {
    if (socket_file_.empty()) return;
    // Only the file bind() created: if it was replaced meanwhile (by hand, or by another irqd after
    // this one stopped accepting), the new one stays.
    struct stat st {};
    if (::lstat(socket_file_.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) && st.st_dev == socket_dev_ &&
        st.st_ino == socket_ino_)
        ::unlink(socket_file_.c_str());
    socket_file_.clear();
}

void http_server::do_accept(listener& l) {
    l.socket.async_accept([this, &l](beast::error_code ec, generic::socket socket) {
        if (ec) return on_accept_error(l, ec);
        if (l.failures > 0) {
            log(log_level::info, "accept_resumed",
                {{"listener", l.unix_socket ? "unix" : "tcp"},
                 {"failures", std::to_string(l.failures)},
                 {"paused_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - l.burst_start)
                                                  .count())}});
            l.failures = 0;
        }
        auto session = std::make_shared<http_session>(std::move(socket), *this, l);
        if (l.open > l.limit) {
            ++stats_.connections_rejected;
            session->reject_busy();
        } else {
            ++stats_.connections_accepted;
            std::erase_if(sessions_, [](auto& w) { return w.expired(); });
            sessions_.push_back(session);
            session->run();
        }
        do_accept(l);
    });
}

// Out of descriptors (EMFILE, ENFILE) or memory (ENOBUFS, ENOMEM), accept() fails again at once for
// as long as the condition lasts: retrying at once spins the CPU and floods the log. So the listener
// pauses (connections wait in the backlog), the sessions it has go on, and the log gets one line
// when a burst starts, one a minute while it lasts, and one with the count when it ends.
void http_server::on_accept_error(listener& l, beast::error_code ec) {
    if (ec == asio::error::operation_aborted || stopping_) return;
    ++stats_.accept_errors;
    // The client gave up before it was accepted: that connection is gone, the next one is fine.
    if (ec == asio::error::connection_aborted) return do_accept(l);
    auto now = std::chrono::steady_clock::now();
    if (l.failures++ == 0) l.burst_start = now;
    if (l.failures == 1 || now - l.last_log >= std::chrono::minutes(1)) {
        l.last_log = now;
        log(log_level::warn, "accept_paused",
            {{"listener", l.unix_socket ? "unix" : "tcp"},
             // strerror, not ec.message(): with no descriptor left, UBSan's check of that virtual
             // call cannot open the pipe it probes memory with and reports a bad vptr.
             {"error", std::strerror(ec.value())},
             {"failures", std::to_string(l.failures)},
             {"pause_ms", std::to_string(limits_.accept_pause.count())},
             {"open_connections", std::to_string(open_connections())}});
    }
    l.pause.expires_after(limits_.accept_pause);
    l.pause.async_wait([this, &l](beast::error_code e) {
        if (!e && !stopping_) do_accept(l);
    });
}

std::size_t http_server::open_connections() const {
    std::size_t n = 0;
    for (const auto& l : listeners_) n += l->open;
    return n;
}

void http_server::session_closed(listener& l) {
    --l.open;
    // The last session gone: the grace timer has nothing left to end, and must not hold up the exit.
    if (stopping_ && open_connections() == 0) grace_.cancel();
}

void http_server::stop() {
    stopping_ = true;
    beast::error_code ec;
    for (auto& l : listeners_) {
        l->socket.close(ec);
        l->pause.cancel();
    }
    remove_socket_file();
    for (auto& w : sessions_)
        if (auto s = w.lock()) s->stop();
    if (open_connections() == 0) return sessions_.clear();
    // A session busy writing to a client that does not read would hold the exit up to the read
    // timeout: after the grace, every session left is closed.
    grace_.expires_after(limits_.stop_grace);
    grace_.async_wait([this](beast::error_code e) {
        if (!e)
            for (auto& w : sessions_)
                if (auto s = w.lock()) s->abort();
        sessions_.clear();
    });
}

response http_server::json_error(unsigned status, std::string_view code, std::string_view message, unsigned version,
                                 bool keep_alive) {
    const auto body = error_json(code, message);
    response res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::server, "irqd");
    res.keep_alive(keep_alive);
    res.body() = boost::json::serialize(body);
    res.body() += '\n';
    return res;
}

}  // namespace irqd::service
