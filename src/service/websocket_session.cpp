// A WebSocket subscriber session (after Beast's chat-multi example).
#include "irqd/service/websocket_session.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/json.hpp>

#include <sstream>

#include "irqd/service/log.hpp"
#include "irqd/service/url.hpp"

namespace irqd::service {
namespace beast = boost::beast;
namespace websocket = beast::websocket;

websocket_session::websocket_session(server_stream&& stream, stream_hub& hub, const limits& lim)
    : ws_(std::move(stream)), hub_(hub), limits_(lim), close_deadline_(ws_.get_executor()) {}

websocket_session::~websocket_session() {
    if (joined_) hub_.leave(this);
}

void websocket_session::refuse(server_stream&& stream, const request& req, unsigned status, std::string_view code,
                               std::string_view message) {
    auto s = std::make_shared<server_stream>(std::move(stream));
    auto res = std::make_shared<response>(http_server::json_error(status, code, message, req.version(), false));
    res->prepare_payload();
    s->expires_after(std::chrono::seconds(5));
    http::async_write(*s, *res, [s, res](beast::error_code, std::size_t) {
        beast::error_code ec;
        s->socket().shutdown(boost::asio::socket_base::shutdown_both, ec);
    });
}

void websocket_session::run(request req, beast::flat_buffer early) {
    // Beast's server defaults, but a peer that answers nothing (no data, no pong) for a minute is gone.
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = std::chrono::seconds(60);
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "irqd"); }));
    ws_.read_message_max(limits_.ws_message_limit);
    if (early.size() == 0)
        return ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
    // Frames that came with the handshake: Beast's accept keeps what follows the request in the
    // stream's own buffer only when it reads the request from bytes, so it gets the request again.
    std::ostringstream text;
    text << req.base() << beast::buffers_to_string(early.data());
    auto bytes = std::make_shared<std::string>(std::move(text).str());
    ws_.async_accept(boost::asio::buffer(*bytes),
                     [self = shared_from_this(), bytes](beast::error_code ec) { self->on_accept(ec); });
}

void websocket_session::on_accept(beast::error_code ec) {
    if (ec) return;
    if (hub_.stopped()) return stop();   // its handshake was under way at SIGTERM
    if (!hub_.join(this)) return close(websocket::close_code::try_again_later, "too many subscribers");
    joined_ = true;
    deliver(hub_.snapshot_for(wants_));
    do_read();
}

void websocket_session::do_read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
}

void websocket_session::on_read(beast::error_code ec) {
    if (ec == websocket::error::message_too_big) return close(websocket::close_code::too_big, "message too big");
    if (ec) {
        if (joined_) {
            hub_.leave(this);
            joined_ = false;
        }
        return;
    }
    auto text = beast::buffers_to_string(in_.data());
    in_.consume(in_.size());
    auto sub = parse_subscription(text);
    if (!sub) {
        boost::json::object err{{"type", "error"}, {"message", std::string_view(sub.error_message())}};
        deliver(std::make_shared<const std::string>(boost::json::serialize(err)));
    } else {
        wants_ = std::move(*sub);
        deliver(hub_.snapshot_for(wants_));
    }
    do_read();
}

void websocket_session::deliver(std::shared_ptr<const std::string> message) {
    if (closing_) return;
    // Keep at most ws_queue_limit messages waiting; beyond that, the newest state replaces the
    // newest queued one (the one in flight, at the front, is never touched).
    std::size_t waiting = queue_.size() - (writing_ ? 1 : 0);
    if (waiting >= limits_.ws_queue_limit) {
        queue_.back() = std::move(message);
        ++hub_.stats().coalesced;
        if (++lag_ > limits_.ws_max_lag) {
            ++hub_.stats().closed_slow;
            log(log_level::info, "ws_closed_slow", {{"lag", std::to_string(lag_)}});
            return close(websocket::close_code::policy_error, "too slow: fell more than " +
                                                                  std::to_string(limits_.ws_max_lag) + " samples behind");
        }
        return;
    }
    queue_.push_back(std::move(message));
    if (!writing_) do_write();
}

void websocket_session::do_write() {
    if (queue_.empty()) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(*queue_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        self->queue_.pop_front();
                        if (ec) return self->queue_.clear();
                        if (self->closing_) return self->start_close();
                        if (self->queue_.empty()) self->lag_ = 0;
                        self->do_write();
                    });
}

void websocket_session::close(websocket::close_code code, std::string_view reason, std::chrono::milliseconds deadline) {
    if (closing_) return;
    closing_ = true;
    close_reason_ = websocket::close_reason(code, std::string(reason));
    if (joined_) {
        hub_.leave(this);
        joined_ = false;
    }
    // One write at a time: a close waits for the write in flight, and nothing queued is sent after it.
    queue_.erase(queue_.begin() + (writing_ ? 1 : 0), queue_.end());
    // A consumer that reads nothing never lets the write in flight finish, so the close frame could
    // wait for ever: give it a few seconds (at a stop, the stop grace), then drop the connection.
    close_deadline_.expires_after(deadline);
    close_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (ec) return;
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
    if (!writing_) start_close();
}

void websocket_session::start_close() {
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) { self->close_deadline_.cancel(); });
}

void accept_stream_upgrade(server_stream&& stream, request&& req, boost::beast::flat_buffer&& early,
                           stream_hub& hub, const limits& lim, const access_guard* access) {
    if (access && access->needs_token(req) && !access->authorized(req))
        return websocket_session::refuse(std::move(stream), req, 401, "unauthorized",
                                         "the stream needs 'Authorization: Bearer TOKEN' (--token-required-for-reads)");
    auto t = parse_target(req.target());
    if (!t || t->path != "/api/v1/stream")
        return websocket_session::refuse(std::move(stream), req, 404, "not_found", "WebSocket endpoint is /api/v1/stream");
    if (hub.full()) {
        ++hub.stats().rejected;
        return websocket_session::refuse(std::move(stream), req, 503, "too_many_subscribers",
                                         "irqd is at its WebSocket subscriber limit");
    }
    std::make_shared<websocket_session>(std::move(stream), hub, lim)->run(std::move(req), std::move(early));
}

}  // namespace irqd::service
