// The watch loop (after Beast's async examples: do_x() starts a step, on_x() handles it).
#include "irqd/client/watch_session.hpp"

#include <unistd.h>

#include <csignal>
#include <optional>
#include <ostream>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>

#include "irqd/client/http_client.hpp"
#include "irqd/client/terminal.hpp"
#include "irqd/client/watch_view.hpp"

namespace irqd::client {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

class watch_session {
public:
    watch_session(ws_connection& ws, const global_options& global, const watch_options& options,
                  const terminal_facts& terminal, std::ostream& out, std::ostream& err)
        : ws_(ws.stream()), io_(ws.io()), signals_(ws.io()), global_(global), options_(options), terminal_(terminal),
          out_(out), err_(err), full_screen_(terminal.stdout_is_terminal && !global.json) {}

    ~watch_session() { leave_screen(); }

    int run() {
        // A dead daemon shows up as missing pongs within the idle timeout; a close must not hang either.
        websocket::stream_base::timeout t{};
        t.handshake_timeout = std::chrono::seconds(5);
        t.idle_timeout = std::chrono::seconds(20);
        t.keep_alive_pings = true;
        ws_.set_option(t);

        signals_.add(SIGINT);
        signals_.add(SIGTERM);
        signals_.add(SIGHUP);
        if (full_screen_) {
            signals_.add(SIGWINCH);
            if (terminal_.stdin_is_terminal) {
                raw_.emplace(STDIN_FILENO);
                int fd = ::dup(STDIN_FILENO);   // the descriptor object closes its fd; keep stdin open
                if (fd >= 0) keys_.emplace(io_, fd);
            }
            out_ << ansi::alternate_screen_on << ansi::hide_cursor << ansi::home << ansi::clear_below << std::flush;
            on_screen_ = true;
        }
        do_signal();
        do_key();
        do_read();
        io_.restart();
        io_.run();
        leave_screen();
        if (!message_.empty()) err_ << "irqctl: " << printable(message_) << "\n";
        return exit_code_;
    }

private:
    void do_read() {
        ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) { on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec) {
            if (finishing_) return;
            if (ec == websocket::error::closed) {
                std::string reason(ws_.reason().reason.c_str());
                return finish(1, "irqd closed the stream" + (reason.empty() ? std::string() : ": " + reason));
            }
            return finish(1, "the stream from irqd failed: " + ec.message());
        }
        auto text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        auto m = parse_stream_message(text);
        if (!m) return finish(1, m.error_message());
        if (m->type == "error") return finish(1, "irqd refused the subscription: " + m->error);
        // The first snapshot answers the connection, the second our subscribe message: only what comes
        // from then on has the IRQs we asked for.
        if (m->type == "snapshot") subscribed_ = ++snapshots_ >= 2;
        bool counted = subscribed_ && m->type == "sample";
        if (counted) ++samples_;
        if (full_screen_) {
            last_ = std::move(*m);
            draw();
        } else if (counted) {
            out_ << (global_.json ? text : plain_line(*m)) << "\n" << std::flush;
        }
        if (counted && options_.count && samples_ >= options_.count) return finish(0);
        do_read();
    }

    void do_key() {
        if (!keys_) return;
        keys_->async_read_some(asio::buffer(&key_, 1), [this](beast::error_code ec, std::size_t) {
            if (ec || finishing_) return;
            if (key_ == 'q' || key_ == 'Q' || key_ == '\x03' || key_ == '\x04') return finish(0);
            if (key_ == 'r' || key_ == 'R' || key_ == '\x0c') draw();   // r or Ctrl-L redraws
            do_key();
        });
    }

    void do_signal() {
        signals_.async_wait([this](beast::error_code ec, int sig) {
            if (ec || finishing_) return;
            if (sig == SIGWINCH) {
                auto t = probe_terminal();
                terminal_.columns = t.columns;
                terminal_.rows = t.rows;
                draw();
                return do_signal();
            }
            finish(0);
        });
    }

    void draw() {
        if (!on_screen_) return;
        screen_layout layout{terminal_.columns.value_or(80), terminal_.rows.value_or(24), !terminal_.no_color,
                             global_.url.text(), options_.top, samples_};
        auto lines = screen_lines(last_, layout);
        std::string frame(ansi::home);
        for (std::size_t i = 0; i < lines.size(); ++i) {
            frame += lines[i];
            frame += ansi::clear_to_eol;
            if (i + 1 < lines.size()) frame += "\n";
        }
        frame += ansi::clear_below;
        out_ << frame << std::flush;
    }

    void finish(int code, std::string message = {}) {
        if (finishing_) return;
        finishing_ = true;
        exit_code_ = code;
        message_ = std::move(message);
        beast::error_code ignored;
        signals_.cancel(ignored);
        if (keys_) keys_->close(ignored);
        leave_screen();
        if (ws_.is_open()) ws_.async_close(websocket::close_code::normal, [](beast::error_code) {});
    }

    void leave_screen() {
        if (on_screen_) {
            out_ << ansi::show_cursor << ansi::alternate_screen_off << std::flush;
            on_screen_ = false;
        }
        if (raw_) raw_->restore();
    }

    websocket::stream<client_stream>& ws_;
    asio::io_context& io_;
    asio::signal_set signals_;
    std::optional<asio::posix::stream_descriptor> keys_;
    std::optional<raw_terminal> raw_;
    beast::flat_buffer buffer_;
    const global_options& global_;
    const watch_options& options_;
    terminal_facts terminal_;
    std::ostream& out_;
    std::ostream& err_;
    bool full_screen_;
    bool on_screen_ = false;
    bool finishing_ = false;
    bool subscribed_ = false;
    unsigned snapshots_ = 0;
    std::size_t samples_ = 0;
    stream_message last_;
    char key_ = 0;
    int exit_code_ = 0;
    std::string message_;
};

}  // namespace

int run_watch(const global_options& global, const watch_options& options, const terminal_facts& terminal,
              std::ostream& out, std::ostream& err) {
    auto ws = ws_connection::open(global.url, "/api/v1/stream", global.timeout);
    if (!ws) {
        err << "irqctl: " << ws.error_message() << "\n";
        return 1;
    }
    if (auto sent = (*ws)->send(subscribe_message(options.top, options.every, options.name)); !sent) {
        err << "irqctl: " << sent.error_message() << "\n";
        return 1;
    }
    watch_session session(**ws, global, options, terminal, out, err);
    return session.run();
}

}  // namespace irqd::client
