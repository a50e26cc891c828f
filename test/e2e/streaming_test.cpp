// Big answers are streamed in slices: while a 256 CPU x 4096 IRQ table and a gzip /metrics are being
// written, GET /api/v1/health is still answered within 100 ms (a loose bound for a shared CI machine;
// the tight goal is measured in bench/big_answers.sh). And the streamed bodies are whole and right.
#define BOOST_TEST_MODULE streaming
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <thread>

#include "daemon.hpp"
#include "raw_http.hpp"

using namespace irqd::test;
namespace json = boost::json;

namespace {
// Under AddressSanitizer every step of a sample and of a slice runs several times slower, and the
// slowest health answer there was 74-204 ms before and after the session of 3 December (the 100 ms
// check failed 1 run in 3 with 441adc3's irqd): the bound for that build is looser. The 100 ms bound
// holds for the normal build, which CI's first stage runs; the tight goal lives in the benchmark.
#if defined(__SANITIZE_ADDRESS__)
constexpr long health_bound_ms = 400;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr long health_bound_ms = 400;
#else
constexpr long health_bound_ms = 100;
#endif
#else
constexpr long health_bound_ms = 100;
#endif

// /proc/interrupts of a big machine, in the kernel's layout (as ../shared/tools/gen_interrupts.py).
std::string big_table(unsigned cpus, unsigned irqs) {
    std::string t(11, ' ');
    for (unsigned c = 0; c < cpus; ++c) {
        auto col = "CPU" + std::to_string(c);
        t += col + std::string(col.size() < 11 ? 11 - col.size() : 1, ' ');
    }
    t += "\n";
    for (unsigned i = 0; i < irqs; ++i) {
        auto id = std::to_string(24 + i);
        t += std::string(id.size() < 4 ? 4 - id.size() : 0, ' ') + id + ":";
        for (unsigned c = 0; c < cpus; ++c) {
            auto v = std::to_string((i * 7919u + c * 104729u) % 1000000007u);
            t += std::string(v.size() < 10 ? 11 - v.size() : 1, ' ') + v;
        }
        t += "   IR-PCI-MSI " + std::to_string(524288 + i) + "-edge      eth" + std::to_string(i / 64) + "-TxRx-" +
             std::to_string(i % 64) + "\n";
    }
    t += " ERR:          0\n";
    return t;
}
}  // namespace

BOOST_AUTO_TEST_CASE(health_is_answered_while_big_answers_stream) {
    constexpr unsigned cpus = 256, irqs = 4096;
    fake_kernel k;
    k.cpus("0-255");
    k.interrupts(big_table(cpus, irqs));
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--read-only", "--interval", "5s",
                    "--history", "5s:1m"});
    // The second sample makes the first frame; the next one is 5 s away, so the parse of 12 MB (tens of
    // ms, not sliced) seldom falls into the measurement.
    BOOST_REQUIRE(d.wait_samples(1));

    std::atomic<int> running{2};
    std::string table_body, metrics_body;
    const auto start = std::chrono::steady_clock::now();
    auto since_start = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    };
    std::atomic<long> table_ms{0}, metrics_ms{0};
    std::thread table([&] {
        table_body = dechunk(raw_request(d.port(), "GET", "/api/v1/interrupts?window=1m").body);
        table_ms = since_start();
        --running;
    });
    std::thread metrics([&] {
        metrics_body = dechunk(raw_request(d.port(), "GET", "/metrics", {}, {{"Accept-Encoding", "gzip"}}).body);
        metrics_ms = since_start();
        --running;
    });
    std::chrono::milliseconds worst{0};
    int asked = 0;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (running > 0 && std::chrono::steady_clock::now() < end) {
        const auto t0 = std::chrono::steady_clock::now();
        auto h = raw_request(d.port(), "GET", "/api/v1/health");
        const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        BOOST_TEST(h.status == 200u);
        worst = std::max(worst, took);
        ++asked;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    table.join();
    metrics.join();
    BOOST_TEST_MESSAGE("health asked " << asked << " times while the big answers ran (the table took " << table_ms
                                       << " ms, gzip /metrics " << metrics_ms << " ms); slowest " << worst.count() << " ms");
    BOOST_TEST(asked >= 3);
    BOOST_TEST(worst.count() < health_bound_ms);

    auto v = json::parse(table_body);
    BOOST_TEST(v.at("irqs").as_array().size() == std::size_t{irqs});
    BOOST_TEST(v.at("cpus").as_array().size() == std::size_t{cpus});
    BOOST_TEST(v.at("irqs").at(0).at("counts").as_array().size() == std::size_t{cpus});
    BOOST_TEST(v.at("cpu_totals").as_array().size() == std::size_t{cpus});
    // A gzip member: magic, and the trailer's length of the text is the whole exposition (above 90 MB).
    BOOST_REQUIRE(metrics_body.size() > 18u);
    BOOST_TEST(static_cast<unsigned char>(metrics_body[0]) == 0x1fu);
    BOOST_TEST(static_cast<unsigned char>(metrics_body[1]) == 0x8bu);
    std::uint32_t text_size = 0;
    for (int i = 3; i >= 0; --i)
        text_size = (text_size << 8) | static_cast<unsigned char>(metrics_body[metrics_body.size() - 4 + static_cast<std::size_t>(i)]);
    BOOST_TEST(text_size > 256u * 4096u * 80u);
}

// A streamed answer ends with the last chunk and the connection goes on to the next request; an
// HTTP/1.0 client (no chunks) gets the body up to the close.
BOOST_AUTO_TEST_CASE(a_streamed_answer_keeps_the_connection_and_http10_gets_it_plain) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    raw_socket s(d.port());
    s.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
           "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    auto both = s.read_all();
    auto first = parse_response(both);
    BOOST_TEST(first.status == 200u);
    BOOST_TEST(first.header("transfer-encoding") == "chunked");
    auto end = both.find("\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n");
    BOOST_TEST_REQUIRE(end != std::string::npos);
    auto metrics = dechunk(first.body.substr(0, first.body.find("HTTP/1.1 200 OK")));
    BOOST_TEST(metrics.find("\nirqd_build_info{version=") != std::string::npos);
    BOOST_TEST(json::parse(parse_response(both.substr(end + 7)).body).at("status").as_string() == "ok");

    raw_socket old(d.port());
    old.send("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    auto plain = parse_response(old.read_all());
    BOOST_TEST(plain.status == 200u);
    BOOST_TEST(plain.header("transfer-encoding").empty());
    BOOST_TEST(old.closed());
    BOOST_TEST(plain.body.find("\nirqd_build_info{version=") != std::string::npos);
    BOOST_TEST(plain.body.ends_with("\n"));
}
