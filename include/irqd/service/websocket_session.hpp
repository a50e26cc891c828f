// One WebSocket subscriber: owns its socket and a bounded outgoing queue. One async_write in flight;
// when the queue is full the newest state replaces the queued one (coalescing), and a subscriber that
// stays behind for too long is closed with a reason. Pings and timeouts keep dead peers from lingering.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <memory>

#include "irqd/service/access.hpp"
#include "irqd/service/http_server.hpp"
#include "irqd/service/settings.hpp"
#include "irqd/service/stream_hub.hpp"

namespace irqd::service {

class websocket_session : public subscriber, public std::enable_shared_from_this<websocket_session> {
public:
    websocket_session(server_stream&& stream, stream_hub& hub, const limits& lim);
    ~websocket_session() override;

    // Accepts the upgrade in `req` and starts reading client messages; `early` holds what the client
    // sent after the upgrade request before it was answered (its first frames), which is read first.
    void run(request req, boost::beast::flat_buffer early = {});
    void deliver(std::shared_ptr<const std::string> message) override;
    const subscription& wants() const override { return wants_; }
    void stop() override {
        close(boost::beast::websocket::close_code::going_away, "irqd is stopping", limits_.stop_grace);
    }

    // Answers an upgrade we will not take (wrong path, too many subscribers) with a JSON HTTP error.
    static void refuse(server_stream&& stream, const request& req, unsigned status, std::string_view code,
                       std::string_view message);

private:
    void on_accept(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec);
    void do_write();
    void close(boost::beast::websocket::close_code code, std::string_view reason,
               std::chrono::milliseconds deadline = std::chrono::seconds(5));
    void start_close();

    boost::beast::websocket::stream<server_stream> ws_;
    boost::beast::flat_buffer in_;
    stream_hub& hub_;
    const limits& limits_;
    subscription wants_;
    std::deque<std::shared_ptr<const std::string>> queue_;
    bool writing_ = false;
    bool joined_ = false;
    bool closing_ = false;
    std::size_t lag_ = 0;                  // consecutive coalesced samples
    boost::beast::websocket::close_reason close_reason_;
    boost::asio::steady_timer close_deadline_;   // a close that cannot be sent in time drops the socket
};

// What the HTTP server does with a WebSocket upgrade: the bearer check (when `access` says the stream
// needs a token), the one endpoint /api/v1/stream, the subscriber limit; then a session on `hub`
// that reads `early` (frames sent with the handshake) first.
void accept_stream_upgrade(server_stream&& stream, request&& req, boost::beast::flat_buffer&& early,
                           stream_hub& hub, const limits& lim, const access_guard* access);

}  // namespace irqd::service
