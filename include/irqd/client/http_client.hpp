// A small blocking Beast client for irqctl and the end-to-end tests: one HTTP request with a timeout,
// and a WebSocket connection to the live stream, over TCP or a Unix socket. Errors are sentences,
// never exceptions.
#pragma once

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/basic_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irqd/core/result.hpp"

namespace irqd::client {

// TCP or a Unix socket: the address family is a run-time property of the socket, so one stream
// type (and one instantiation of Beast's templates) serves both.
using client_stream = boost::beast::basic_stream<boost::asio::generic::stream_protocol>;

struct base_url {
    std::string host = "127.0.0.1";         // "localhost" (the Host header) for a Unix socket
    std::string port = "8080";
    std::string prefix;                     // path before /api/v1, usually empty
    std::string unix_socket;                // "unix:PATH": connect to this socket instead of host:port
    std::string bearer_token;               // sent as "Authorization: Bearer ..." when not empty
    std::string text() const;               // "http://127.0.0.1:8080", "unix:/run/irqd/irqd.sock"
    std::string host_header() const;        // host as the Host header wants it: an IPv6 address in brackets
};
// "http://h:p", "h:p", "http://h:p/prefix", or "unix:PATH" (irqd --unix-socket PATH).
core::result<base_url> parse_base_url(std::string_view text);

// The addresses of a host that need no resolver: a numeric IPv4 or IPv6 address (brackets already
// removed), or "localhost" as 127.0.0.1 then ::1. std::nullopt for any other name, which irqctl
// asks getaddrinfo for. irqctl is a static binary: these work with no NSS module and no /etc.
std::optional<std::vector<boost::asio::ip::address>> addresses_without_resolver(std::string_view host);

struct http_reply {
    unsigned status = 0;
    std::string body;
    std::string content_type;
};

core::result<http_reply> http_call(const base_url& url, boost::beast::http::verb verb, std::string_view target,
                                   std::string body = {}, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The message of a JSON error body {"error":{"message":...}}, or the raw body when it is not one.
std::string error_text(const http_reply& reply);

class ws_connection {
public:
    static core::result<std::unique_ptr<ws_connection>> open(const base_url& url, std::string_view target,
                                                              std::chrono::milliseconds timeout);
    core::result<bool> send(std::string_view text);
    // The next message; an error when the timeout passes or the server closes (with its reason).
    core::result<std::string> read(std::chrono::milliseconds timeout);
    void close();
    boost::asio::io_context& io() { return io_; }
    boost::beast::websocket::stream<client_stream>& stream() { return ws_; }

private:
    ws_connection() : ws_(io_) {}
    boost::asio::io_context io_;
    boost::beast::websocket::stream<client_stream> ws_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace irqd::client
