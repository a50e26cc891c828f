// WebSocket fan-out: N subscribers on one running irqd, each reading every message; prints how late
// messages arrive (receipt time minus the sample time the message carries) as p50/p99/max, and how
// many subscribers irqd closed; and how long GET /api/v1/health takes meanwhile (one request every
// 250 ms from a second thread). --ids=N subscribes each client to a list of IRQ ids 0..N less one
// (a different one per client, so no two share a message). Start irqd first (docs/benchmarks.md), then:
//   ws_fanout_bench [--port=8080] [--clients=1000] [--seconds=20] [--subscribe=JSON | --ids=N]
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
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

struct totals {
    std::vector<double> lag_ms;          // samples only (snapshots are answers, not pushes)
    std::size_t connected = 0, failed = 0, closed_by_server = 0, messages = 0;
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
            auto now = std::chrono::system_clock::now();
            ++self->totals_.messages;
            auto text = beast::buffers_to_string(self->buf_.data());
            self->buf_.consume(self->buf_.size());
            boost::system::error_code jec;
            auto v = boost::json::parse(text, jec);
            if (!jec && v.is_object() && v.as_object().contains("time") && v.at("type") == "sample")
                if (auto t = irqd::core::parse_time(std::string_view(v.at("time").as_string())))
                    self->totals_.lag_ms.push_back(std::chrono::duration<double, std::milli>(now - *t).count());
            self->read();
        });
    }

    websocket::stream<tcp::socket> ws_;
    beast::flat_buffer buf_;
    totals& totals_;
    std::string subscribe_;
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
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](std::string_view name) { return a.substr(name.size()); };
        if (a.starts_with("--port=")) port = static_cast<unsigned short>(std::stoi(value("--port=")));
        else if (a.starts_with("--clients=")) clients = std::stoul(value("--clients="));
        else if (a.starts_with("--seconds=")) seconds = std::stoi(value("--seconds="));
        else if (a.starts_with("--subscribe=")) subscribe = value("--subscribe=");
        else if (a.starts_with("--ids=")) ids = std::stoul(value("--ids="));
        else {
            std::cerr << "usage: ws_fanout_bench [--port=8080] [--clients=1000] [--seconds=20] [--subscribe=JSON | --ids=N]\n";
            return 2;
        }
    }
    asio::io_context io(1);
    totals t;
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    std::vector<std::shared_ptr<client>> all;
    for (std::size_t i = 0; i < clients; ++i) {
        all.push_back(std::make_shared<client>(io, t, ids ? id_subscription(ids, i % (ids + 1)) : subscribe));
        all.back()->start(ep, "127.0.0.1:" + std::to_string(port));
    }
    asio::steady_timer done(io, std::chrono::seconds(seconds));
    done.async_wait([&](beast::error_code) {
        for (auto& c : all) c->stop();
    });
    std::vector<double> health;
    std::thread prober([&] {
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (std::chrono::steady_clock::now() < end) {
            health.push_back(health_ms(ep));
            std::this_thread::sleep_for(std::chrono::milliseconds(250));
        }
    });
    io.run();
    prober.join();
    std::size_t health_failed = static_cast<std::size_t>(std::count_if(health.begin(), health.end(), [](double ms) { return ms < 0; }));
    std::erase_if(health, [](double ms) { return ms < 0; });
    auto lags = t.lag_ms;
    std::printf("clients %zu: connected %zu, failed %zu, closed by irqd %zu\n", clients, t.connected, t.failed,
                t.closed_by_server);
    std::printf("messages %zu (%zu samples timed over %d s)\n", t.messages, lags.size(), seconds);
    std::printf("lag after the sample: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(lags, 0.50),
                percentile(lags, 0.99), lags.empty() ? 0.0 : *std::max_element(lags.begin(), lags.end()));
    std::printf("GET /api/v1/health: %zu answered, %zu failed; p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", health.size(),
                health_failed, percentile(health, 0.50), percentile(health, 0.99),
                health.empty() ? 0.0 : *std::max_element(health.begin(), health.end()));
    return t.failed || t.closed_by_server ? 1 : 0;
}
