// WebSocket fan-out: N subscribers on one running irqd, each reading every message; prints how late
// messages arrive (receipt time minus the sample time the message carries) as p50/p99/max, and how
// many subscribers irqd closed; and how long GET /api/v1/health takes meanwhile (one request every
// 250 ms from a second thread). --ids=N subscribes each client to a list of IRQ ids 0..N less one
// (a different one per client, so no two share a message). Start irqd first (docs/benchmarks.md), then:
// --threads=N spreads the clients over N threads (each its own io_context).
//   ws_fanout_bench [--port=8080] [--clients=1000] [--seconds=20] [--subscribe=JSON | --ids=N] [--threads=1]
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "irqd/core/time_parse.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

struct totals {   // shared by the client threads
    std::atomic<std::size_t> connected = 0, failed = 0, closed_by_server = 0;
};

class client : public std::enable_shared_from_this<client> {
public:
    client(asio::io_context& io, totals& t, std::string subscribe) : ws_(io), totals_(t), subscribe_(std::move(subscribe)) {}

    void start(const tcp::endpoint& ep, const std::string& host) {
        ws_.next_layer().async_connect(ep, [self = shared_from_this(), host](beast::error_code ec) {
            if (ec) return self->fail();
            self->ws_.async_handshake(host, "/api/v1/stream", [self](beast::error_code ec2) {
                if (ec2) return self->fail();
                ++self->totals_.connected;
                if (!self->subscribe_.empty())
                    self->ws_.write(asio::buffer(self->subscribe_));
                self->read();
            });
        });
    }
    void stop() {
        beast::error_code ec;
        ws_.next_layer().close(ec);
    }

private:
    void fail() { ++totals_.failed; }
    void read() {
        ws_.async_read(buf_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                if (ec == websocket::error::closed) ++self->totals_.closed_by_server;
                return;
            }
            // Receipt time first, and only the sample's time kept (its text, parsed after the run): a
            // JSON parse per message here delayed the next client's receipt, adding the client's own
            // work to the lag of every client read after it.
            const auto now = std::chrono::system_clock::now();
            ++self->messages_;
            const auto text = sample_time_text(self->buf_);
            if (!text.empty()) self->received_.push_back({now, std::string(text)});
            self->buf_.consume(self->buf_.size());
            self->read();
        });
    }

    // The "time" of a {"type":"sample","time":"...",...} message (irqd writes these two keys first);
    // empty for any other message.
    static std::string_view sample_time_text(const beast::flat_buffer& b) {
        std::string_view m(static_cast<const char*>(b.data().data()), b.size());
        constexpr std::string_view head = R"({"type":"sample","time":")";
        if (!m.starts_with(head)) return {};
        m.remove_prefix(head.size());
        return m.substr(0, m.find('"'));
    }

    websocket::stream<tcp::socket> ws_;
    beast::flat_buffer buf_;
    totals& totals_;
    std::string subscribe_;

public:
    struct receipt {
        std::chrono::system_clock::time_point at;
        std::string sample_time;
    };
    std::vector<receipt> received_;
    std::size_t messages_ = 0;
};

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) return 0;
    std::size_t i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
    return v[i];
}

// {"type":"subscribe","irqs":[0, 1, ..., n]} without `skip`.
std::string id_subscription(std::size_t n, std::size_t skip) {
    std::string s = R"({"type":"subscribe","cpus":true,"irqs":[)";
    bool first = true;
    for (std::size_t id = 0; id <= n; ++id) {
        if (id == skip) continue;
        s += (first ? "" : ",") + std::to_string(id);
        first = false;
    }
    return s + "]}";
}

// One GET /api/v1/health on a fresh connection; its round trip in ms (negative on failure).
double health_ms(const tcp::endpoint& ep) {
    auto t0 = std::chrono::steady_clock::now();
    try {
        asio::io_context io;
        beast::tcp_stream s(io);
        s.connect(ep);
        beast::http::request<beast::http::empty_body> req{beast::http::verb::get, "/api/v1/health", 11};
        req.set(beast::http::field::host, "127.0.0.1");
        beast::http::write(s, req);
        beast::flat_buffer b;
        beast::http::response<beast::http::string_body> res;
        beast::http::read(s, b, res);
        if (res.result_int() != 200) return -1;
    } catch (const std::exception&) {
        return -1;
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 8080;
    std::size_t clients = 1000;
    int seconds = 20;
    std::string subscribe;
    std::size_t ids = 0;
    unsigned threads = 1;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](std::string_view name) { return a.substr(name.size()); };
        if (a.starts_with("--port=")) port = static_cast<unsigned short>(std::stoi(value("--port=")));
        else if (a.starts_with("--clients=")) clients = std::stoul(value("--clients="));
        else if (a.starts_with("--seconds=")) seconds = std::stoi(value("--seconds="));
        else if (a.starts_with("--subscribe=")) subscribe = value("--subscribe=");
        else if (a.starts_with("--ids=")) ids = std::stoul(value("--ids="));
        else if (a.starts_with("--threads=")) threads = static_cast<unsigned>(std::stoul(value("--threads=")));
        else {
            std::cerr << "usage: ws_fanout_bench [--port=8080] [--clients=1000] [--seconds=20] [--subscribe=JSON | --ids=N] [--threads=1]\n";
            return 2;
        }
    }
    // One io_context per thread, each with its own clients (a client's socket is used by one thread).
    std::vector<std::unique_ptr<asio::io_context>> ios;
    for (unsigned i = 0; i < std::max(1u, threads); ++i) ios.push_back(std::make_unique<asio::io_context>(1));
    totals t;
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    std::vector<std::vector<std::shared_ptr<client>>> all(ios.size());
    for (std::size_t i = 0; i < clients; ++i) {
        auto& io = *ios[i % ios.size()];
        all[i % ios.size()].push_back(std::make_shared<client>(io, t, ids ? id_subscription(ids, i % (ids + 1)) : subscribe));
        all[i % ios.size()].back()->start(ep, "127.0.0.1:" + std::to_string(port));
    }
    std::vector<std::unique_ptr<asio::steady_timer>> done;
    for (std::size_t i = 0; i < ios.size(); ++i) {
        done.push_back(std::make_unique<asio::steady_timer>(*ios[i], std::chrono::seconds(seconds)));
        done.back()->async_wait([&mine = all[i]](beast::error_code) {
            for (auto& c : mine) c->stop();
        });
    }
    std::vector<double> health;
    std::thread prober([&] {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (std::chrono::steady_clock::now() < end) {
            health.push_back(health_ms(ep));
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    });
    std::vector<std::thread> runners;
    for (std::size_t i = 1; i < ios.size(); ++i) runners.emplace_back([&io = *ios[i]] { io.run(); });
    ios[0]->run();
    for (auto& r : runners) r.join();
    prober.join();
    std::size_t health_failed = static_cast<std::size_t>(std::count_if(health.begin(), health.end(), [](double ms) { return ms < 0; }));
    std::erase_if(health, [](double ms) { return ms < 0; });

    // Lag of every receipt, and per sample of its first and last receipt (the fan-out's spread as the
    // clients saw it: last minus first is irqd's loop over the sockets plus the clients' own delays).
    std::vector<double> lags, firsts, lasts;
    std::map<std::string, std::pair<double, double>> per_sample;
    std::size_t messages = 0;
    for (const auto& mine : all)
        for (const auto& c : mine) {
            messages += c->messages_;
            for (const auto& r : c->received_) {
                auto sampled = irqd::core::parse_time(r.sample_time);
                if (!sampled) continue;
                const double ms = std::chrono::duration<double, std::milli>(r.at - *sampled).count();
                lags.push_back(ms);
                auto [it, fresh] = per_sample.try_emplace(r.sample_time, ms, ms);
                if (!fresh) it->second = {std::min(it->second.first, ms), std::max(it->second.second, ms)};
            }
        }
    for (const auto& [time, fl] : per_sample) {
        firsts.push_back(fl.first);
        lasts.push_back(fl.second);
    }
    std::printf("clients %zu on %zu thread(s): connected %zu, failed %zu, closed by irqd %zu\n", clients, ios.size(),
                t.connected.load(), t.failed.load(), t.closed_by_server.load());
    std::printf("messages %zu (%zu samples timed over %d s, %zu distinct samples)\n", messages, lags.size(), seconds,
                per_sample.size());
    std::printf("lag after the sample: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(lags, 0.50),
                percentile(lags, 0.99), lags.empty() ? 0.0 : *std::max_element(lags.begin(), lags.end()));
    std::printf("per sample, first receipt: p50 %.2f ms, max %.2f ms; last receipt: p50 %.2f ms, max %.2f ms\n",
                percentile(firsts, 0.50), firsts.empty() ? 0.0 : *std::max_element(firsts.begin(), firsts.end()),
                percentile(lasts, 0.50), lasts.empty() ? 0.0 : *std::max_element(lasts.begin(), lasts.end()));
    std::printf("GET /api/v1/health: %zu answered, %zu failed; p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", health.size(),
                health_failed, percentile(health, 0.50), percentile(health, 0.99),
                health.empty() ? 0.0 : *std::max_element(health.begin(), health.end()));
    return t.failed || t.closed_by_server ? 1 : 0;
}
