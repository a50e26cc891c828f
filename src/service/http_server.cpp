// Listener and per-connection HTTP sessions (after Beast's advanced server example).
#include "irqd/service/http_server.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <optional>

#include "irqd/service/log.hpp"

namespace irqd::service {
namespace beast = boost::beast;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class http_session : public std::enable_shared_from_this<http_session> {
public:
    http_session(tcp::socket&& socket, http_server& server) : stream_(std::move(socket)), server_(server) {
        ++server_.open_;
    }
    ~http_session() { --server_.open_; }

    void run() { do_read(); }
    void reject_busy() {
        send(http_server::json_error(503, "too_many_connections", "irqd is at its connection limit; try again later"));
    }
    void stop() {
        // Only idle sessions are closed here; one busy with a request finishes its answer first.
        if (!busy_) {
            beast::error_code ec;
            stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
            stream_.socket().close(ec);
        }
    }

private:
    void do_read() {
        if (server_.stopping_) return do_close();
        parser_.emplace();
        head_ = false;
        parser_->body_limit(server_.limits_.body_limit);
        parser_->header_limit(static_cast<std::uint32_t>(server_.limits_.header_limit));
        stream_.expires_after(server_.limits_.read_timeout);
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
                                                11, false),
                        true);
        if (ec == http::error::header_limit)
            return send(http_server::json_error(431, "headers_too_large", "request headers are too large", 11, false),
                        true);
        if (ec)
            return send(
                http_server::json_error(400, "bad_http", "malformed HTTP request: " + ec.message(), 11, false), true);

        if (beast::websocket::is_upgrade(parser_->get())) {
            stream_.expires_never();
            if (server_.upgrade_) server_.upgrade_(std::move(stream_), parser_->release());
            return;
        }
        busy_ = true;
        head_ = parser_->get().method() == http::verb::head;
        auto self = shared_from_this();
        server_.handler_(parser_->release(), [self](response res) { self->send(std::move(res)); });
    }

    void send(response res, bool linger = false) {
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
            if (!ec && linger) return self->linger();
            if (ec || !msg->keep_alive()) return self->do_close();
            self->do_read();
        });
    }

    // Closing a socket with unread input makes the kernel send a reset, which can destroy the answer
    // before the client reads it. So: stop sending, then read and drop what the client still sends,
    // for a bounded time and amount, and close at its end of stream.
    void linger() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.expires_after(std::chrono::seconds(2));
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
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.socket().close(ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http_server& server_;
    bool busy_ = false;
    bool head_ = false;   // the request being answered is a HEAD
};

http_server::http_server(asio::io_context& io, const limits& lim, handler h, upgrade_handler u)
    : io_(io), limits_(lim), handler_(std::move(h)), upgrade_(std::move(u)), acceptor_(io) {}

http_server::~http_server() = default;

core::result<tcp::endpoint> http_server::listen(const std::string& address, unsigned short port) {
    beast::error_code ec;
    auto addr = asio::ip::make_address(address, ec);
    if (ec) return core::error{"'" + address + "' is not an IP address"};
    tcp::endpoint ep(addr, port);
    acceptor_.open(ep.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(ep, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return core::error{"cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message()};
    auto bound = acceptor_.local_endpoint(ec);
    do_accept();
    return bound;
}

void http_server::do_accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec == asio::error::operation_aborted || stopping_) return;
            log(log_level::warn, "accept_failed", {{"error", ec.message()}});
            return do_accept();
        }
        auto session = std::make_shared<http_session>(std::move(socket), *this);
        if (open_ > limits_.max_connections) {
            ++stats_.connections_rejected;
            session->reject_busy();
        } else {
            ++stats_.connections_accepted;
            std::erase_if(sessions_, [](auto& w) { return w.expired(); });
            sessions_.push_back(session);
            session->run();
        }
        do_accept();
    });
}

void http_server::stop() {
    stopping_ = true;
    beast::error_code ec;
    acceptor_.close(ec);
    for (auto& w : sessions_)
        if (auto s = w.lock()) s->stop();
    sessions_.clear();
}

response http_server::json_error(unsigned status, std::string_view code, std::string_view message, unsigned version,
                                 bool keep_alive) {
    boost::json::object err{{"code", code}, {"message", message}};
    boost::json::object body{{"error", std::move(err)}};
    response res{static_cast<http::status>(status), version};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::server, "irqd");
    res.keep_alive(keep_alive);
    res.body() = boost::json::serialize(body);
    res.body() += '\n';
    return res;
}

}  // namespace irqd::service
