// Test helper: a blocking WebSocket client of a test irqd's /api/v1/stream, bounded by a read timeout.
#pragma once

#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

#include "daemon.hpp"

namespace irqd::test {

// A blocking WebSocket client whose reads give up after `timeout` (SO_RCVTIMEO), so a test that
// waits for a message that never comes fails instead of hanging.
class ws_client {
public:
    explicit ws_client(const irqd_process& d, std::chrono::seconds timeout = std::chrono::seconds(10)) : ws_(io_) {
        boost::asio::ip::tcp::resolver resolver(io_);
        boost::asio::connect(ws_.next_layer(), resolver.resolve(d.url().host, d.url().port));
        timeval tv{static_cast<time_t>(timeout.count()), 0};
        ::setsockopt(ws_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ws_.handshake(d.url().host + ":" + d.url().port, "/api/v1/stream");
    }
    boost::json::value read() {
        buffer_.consume(buffer_.size());
        ws_.read(buffer_);
        return boost::json::parse(boost::beast::buffers_to_string(buffer_.data()));
    }
    // Reads until a message of `type` arrives (bounded).
    boost::json::value read_type(std::string_view type) {
        for (int i = 0; i < 50; ++i) {
            auto v = read();
            if (v.at("type").as_string() == type) return v;
        }
        throw std::runtime_error("no '" + std::string(type) + "' message in 50");
    }
    void send(const std::string& text) { ws_.write(boost::asio::buffer(text)); }
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket>& stream() { return ws_; }

private:
    boost::asio::io_context io_;
    boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
    boost::beast::flat_buffer buffer_;
};

}  // namespace irqd::test
