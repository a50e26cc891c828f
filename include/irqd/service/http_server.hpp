// The HTTP side of the daemon: a listener that accepts, one http_session per connection that reads
// requests with size limits and timeouts, and hands each to a handler that answers now or later.
// WebSocket upgrades are passed on with their socket. Graceful stop closes the acceptor and idle sessions.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "irqd/core/result.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::service {

namespace http = boost::beast::http;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

// Sends the response for one request; may be called later (e.g. when a balance plan is ready), once.
using responder = std::function<void(response)>;

struct http_stats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t connections_rejected = 0;          // over max_connections
    std::map<unsigned, std::uint64_t> responses;     // by status code
};

class http_session;

class http_server {
public:
    using handler = std::function<void(request&&, responder)>;
    using upgrade_handler = std::function<void(boost::beast::tcp_stream&&, request&&)>;

    http_server(boost::asio::io_context& io, const limits& lim, handler h, upgrade_handler u);
    ~http_server();

    // Binds and starts accepting; returns the bound endpoint (port 0 picks a free one).
    core::result<boost::asio::ip::tcp::endpoint> listen(const std::string& address, unsigned short port);
    void stop();

    std::size_t open_connections() const { return open_; }
    const http_stats& stats() const { return stats_; }

    // Builds a JSON error body {"error":{"code":..., "message":...}} with the given status.
    static response json_error(unsigned status, std::string_view code, std::string_view message, unsigned version = 11,
                               bool keep_alive = false);

private:
    friend class http_session;
    void do_accept();

    boost::asio::io_context& io_;
    const limits& limits_;
    handler handler_;
    upgrade_handler upgrade_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::size_t open_ = 0;
    http_stats stats_;
    std::vector<std::weak_ptr<http_session>> sessions_;
    bool stopping_ = false;
};

}  // namespace irqd::service
