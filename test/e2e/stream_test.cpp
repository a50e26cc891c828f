// End-to-end tests of the WebSocket stream /api/v1/stream against `irqd --simulate`: snapshot then
// samples, subscriptions, errors that keep the connection, the subscriber limit, and a consumer that
// stops reading being coalesced and then closed while another keeps getting every sample. Upgrades
// with a bad key or from a foreign Origin are refused; frames sent with the handshake are kept.
#define BOOST_TEST_MODULE stream
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <tuple>

#include "daemon.hpp"
#include "raw_http.hpp"
#include "ws_client.hpp"

using namespace irqd::test;
namespace json = boost::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// A simulated machine with `cpus` CPUs and `irqs` queue IRQs, each with its own per-day rates.
fs::path rates_file(const temp_dir& t, unsigned cpus, unsigned irqs) {
    std::string text = "          ";
    for (unsigned c = 0; c < cpus; ++c) text += " CPU" + std::to_string(c) + "      ";
    text += "\n";
    for (unsigned i = 0; i < irqs; ++i) {
        text += std::to_string(100 + i) + ":";
        for (unsigned c = 0; c < cpus; ++c) text += " " + std::to_string(100000 + 977 * i + 13 * c);
        text += "  IR-PCI-MSI " + std::to_string(524288 + i) + "-edge      eth0-TxRx-" + std::to_string(i) + "\n";
    }
    auto p = t.path / "rates.txt";
    write(p, text);
    return p;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_snapshot_then_one_message_per_sample_with_the_chosen_rates) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    ws_client c(d);
    auto snap = c.read();
    BOOST_TEST(snap.at("type").as_string() == "snapshot");
    // By default: per-CPU rates only.
    auto s = c.read_type("sample");
    BOOST_TEST(s.at("cpus").as_array().size() == 2u);
    BOOST_TEST(!s.as_object().contains("irqs"));
    BOOST_TEST(s.at("total_rate").to_number<double>() > 0);

    // The three busiest IRQs, every second sample: the answer is a snapshot of just that.
    c.send(R"({"type":"subscribe","cpus":false,"top":3,"every":2})");
    auto sub = c.read_type("snapshot");
    BOOST_TEST(sub.at("irqs").as_array().size() == 3u);
    BOOST_TEST(!sub.as_object().contains("cpus"));
    auto first = c.read_type("sample");
    const auto& irqs = first.at("irqs").as_array();
    BOOST_TEST(irqs.size() == 3u);
    BOOST_TEST(irqs[0].at("rate").to_number<double>() >= irqs[1].at("rate").to_number<double>());
    BOOST_TEST(irqs[0].at("rates").as_array().size() == 2u);

    // A name pattern.
    c.send(R"({"type":"subscribe","irqs":"eth0-TxRx-1*"})");
    auto pattern = c.read_type("snapshot");
    BOOST_TEST(!pattern.at("irqs").as_array().empty());
    for (const auto& i : pattern.at("irqs").as_array())
        BOOST_TEST(std::string(i.at("name").as_string()).starts_with("eth0-TxRx-1"));

    // A list of IRQs by number.
    c.send(R"({"type":"subscribe","irqs":[136,140]})");
    auto listed = c.read_type("snapshot");
    BOOST_TEST(listed.at("irqs").as_array().size() == 2u);

    // The IRQs of one interface of the simulated machine (its sysfs): eth1's 32 queues, nothing of eth0.
    c.send(R"({"type":"subscribe","netdev":"eth1","driver":"ixgbe"})");
    auto eth1 = c.read_type("snapshot");
    BOOST_TEST(eth1.at("irqs").as_array().size() == 32u);
    for (const auto& i : eth1.at("irqs").as_array()) BOOST_TEST(std::string(i.at("name").as_string()).starts_with("eth1-"));
}

BOOST_AUTO_TEST_CASE(a_bad_message_gets_an_error_and_the_connection_stays) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    ws_client c(d);
    c.read();
    c.read_type("sample");   // rates exist from here on
    for (std::string bad : {"not json", "[]", R"({"type":"unsubscribe"})", R"({"type":"subscribe","top":-1})",
                            R"({"type":"subscribe","every":0})", R"({"type":"subscribe","colour":"red"})",
                            R"({"type":"subscribe","irqs":{"a":1}})", R"({"type":"subscribe","top":1,"top":2})",
                            R"({"type":"subscribe","netdev":7})"}) {
        BOOST_TEST_CONTEXT(bad) {
            c.send(bad);
            auto e = c.read_type("error");
            BOOST_TEST(e.at("message").as_string().size() > 5u);
        }
    }
    // Still subscribed and still served.
    c.send(R"({"type":"subscribe","top":1})");
    BOOST_TEST(c.read_type("snapshot").at("irqs").as_array().size() == 1u);
    BOOST_TEST(c.read_type("sample").at("irqs").as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(the_subscriber_limit_refuses_the_next_upgrade_with_503) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h", "--ws-max-subscribers", "2"});
    ws_client a(d), b(d);
    a.read();
    b.read();
    try {
        ws_client c(d);
        BOOST_FAIL("a third subscriber was accepted");
    } catch (const boost::system::system_error& e) {
        BOOST_TEST((e.code() == websocket::error::upgrade_declined), e.code().message());
    }
    BOOST_TEST(d.health().at("stream").at("rejected").to_number<int>() == 1);
    BOOST_TEST(d.health().at("stream").at("subscribers").to_number<int>() == 2);
}

BOOST_AUTO_TEST_CASE(a_consumer_that_stops_reading_is_coalesced_then_closed_while_others_keep_up) {
    temp_dir t;
    // Messages of ~200 KB (400 IRQs x 32 CPUs of rates) fill socket buffers within a few samples.
    auto rates = rates_file(t, 32, 400);
    irqd_process d({"--simulate", rates.string(), "--interval", "100ms", "--history", "1s:1h", "--ws-queue",
                    "2", "--ws-max-lag", "5"});
    ws_client slow(d);
    slow.read();
    slow.send(R"({"type":"subscribe","top":100000})");
    ws_client fast(d);
    fast.read();

    // The fast one reads every sample while the slow one reads nothing, until irqd gives up on it.
    bool closed = false;
    for (int i = 0; i < 600 && !closed; ++i) {
        fast.read_type("sample");
        auto st = d.health().at("stream");
        closed = st.at("closed_slow").to_number<int>() >= 1;
        if (closed) BOOST_TEST(st.at("coalesced").to_number<int>() >= 5);
    }
    BOOST_REQUIRE(closed);
    BOOST_TEST_MESSAGE("closed after " << d.health().at("samples").to_number<int>() << " samples");
    BOOST_TEST(d.health().at("stream").at("subscribers").to_number<int>() == 1);

    // The slow one, reading again within irqd's grace for the close, finds what was in flight, then
    // a close frame saying why.
    beast::flat_buffer buf;
    beast::error_code ec;
    for (int i = 0; i < 100 && !ec; ++i) {
        buf.consume(buf.size());
        slow.stream().read(buf, ec);
    }
    BOOST_TEST((ec == websocket::error::closed), ec.message());
    BOOST_TEST((slow.stream().reason().code == websocket::close_code::policy_error));
    BOOST_TEST(std::string(slow.stream().reason().reason.data(), slow.stream().reason().reason.size()).find("too slow") != std::string::npos);
    // And the fast one is still served.
    BOOST_TEST(fast.read_type("sample").at("cpus").as_array().size() == 32u);
}

BOOST_AUTO_TEST_CASE(names_that_are_not_utf8_arrive_with_replacement_characters) {
    temp_dir t;
    auto rates = t.path / "rates.txt";
    write(rates, "           CPU0       CPU1\n"
                 " 30:     100000     200000   IR-PCI-MSI 524288-edge      eth\xFF-q\xC3\n");
    irqd_process d({"--simulate", rates.string(), "--interval", "100ms", "--history", "1s:1h"});
    ws_client c(d);
    c.read();
    c.read_type("sample");   // rates exist from here on
    c.send(R"({"type":"subscribe","top":1})");
    // read() parses with Boost.JSON, which refuses invalid UTF-8.
    auto snap = c.read_type("snapshot");
    BOOST_REQUIRE(snap.at("irqs").as_array().size() == 1u);
    BOOST_TEST(snap.at("irqs").as_array()[0].at("name").as_string() == "eth\xEF\xBF\xBD-q\xEF\xBF\xBD");
}

namespace {
std::string upgrade_request(const irqd_process& d, const std::string& key, const std::string& extra = {}) {
    return "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(d.port()) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
           key + "\r\n" + extra + "\r\n";
}

// A client's text frame: FIN, opcode 1, masked (RFC 6455 5.2), a payload under 126 bytes.
std::string masked_text_frame(const std::string& payload) {
    const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
    std::string f{char(0x81), char(0x80 | payload.size())};
    f.append(reinterpret_cast<const char*>(mask), 4);
    for (std::size_t i = 0; i < payload.size(); ++i) f += char(payload[i] ^ mask[i % 4]);
    return f;
}

// The text payloads of the server's (unmasked) frames in `bytes`, as far as they are complete.
std::vector<std::string> text_frames(std::string_view bytes) {
    std::vector<std::string> out;
    while (bytes.size() >= 2) {
        std::size_t len = static_cast<unsigned char>(bytes[1]) & 0x7f, at = 2;
        if (len == 126) {
            if (bytes.size() < 4) break;
            len = (std::size_t(static_cast<unsigned char>(bytes[2])) << 8) | static_cast<unsigned char>(bytes[3]);
            at = 4;
        } else if (len == 127) {
            if (bytes.size() < 10) break;
            len = 0;
            for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(bytes[i]);
            at = 10;
        }
        if (bytes.size() < at + len) break;
        if ((bytes[0] & 0x0f) == 1) out.emplace_back(bytes.substr(at, len));
        bytes.remove_prefix(at + len);
    }
    return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(an_upgrade_with_a_bad_key_or_a_foreign_origin_is_refused) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    for (const auto& [key, extra, status] : std::vector<std::tuple<std::string, std::string, unsigned>>{
             {"abc", "", 400u},
             {"dGhlIHNhbXBsZSBub25jZQ=", "", 400u},
             {"dGhlIHNhbXBsZSBub25jZQ==", "Origin: http://evil.example\r\n", 403u},   // cross-site WebSocket hijacking
             {"dGhlIHNhbXBsZSBub25jZQ==", "Origin: http://127.0.0.1:" + std::to_string(d.port()) + "\r\n", 101u}}) {
        BOOST_TEST_CONTEXT(key << " " << extra) {
            raw_socket s(d.port());
            s.send(upgrade_request(d, key, extra));
            auto text = s.read_all(std::chrono::milliseconds(status == 101 ? 300 : 10000));
            auto r = parse_response(text);
            BOOST_TEST(r.status == status);
            if (status != 101) {
                BOOST_TEST(r.header("content-type") == "application/json");
                BOOST_TEST(json::parse(r.body).at("error").at("code").as_string() ==
                           (status == 400 ? "bad_websocket_key" : "origin_not_allowed"));
            }
        }
    }
    BOOST_TEST(d.health().at("stream").at("subscribers").to_number<int>() <= 1);
}

// A client may send its first frame right after the upgrade request, in the same packet; that
// frame is read, not dropped with the HTTP session's buffer.
BOOST_AUTO_TEST_CASE(a_frame_sent_with_the_handshake_is_answered) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    raw_socket s(d.port());
    s.send(upgrade_request(d, "dGhlIHNhbXBsZSBub25jZQ==") + masked_text_frame(R"({"type":"nonsense"})"));
    std::string got;
    bool answered = false;
    for (int i = 0; i < 30 && !answered; ++i) {
        got += s.read_all(std::chrono::milliseconds(100));
        auto head_end = got.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        for (const auto& t : text_frames(std::string_view(got).substr(head_end + 4)))
            answered = answered || json::parse(t).at("type").as_string() == "error";
    }
    BOOST_TEST(parse_response(got).status == 101u);
    BOOST_TEST(answered, "no error message for the frame sent with the handshake");
}

BOOST_AUTO_TEST_CASE(cpus_carry_the_load_of_the_last_sample) {
    fake_kernel k;
    k.cpus("0-1");
    k.irq(30, "0-1");
    k.interrupts("           CPU0       CPU1\n 30:   1   2   IR-PCI-MSI 524288-edge   eth0-TxRx-0\n");
    const std::string idle = "00000000 00000000 00000000 0 0 0 0 0 0 0 0 0 00000000\n";
    auto softnet = [&](const std::string& cpu1) {
        write(k.proc() / "net/softnet_stat.new", idle + cpu1);
        fs::rename(k.proc() / "net/softnet_stat.new", k.proc() / "net/softnet_stat");
    };
    softnet("00000010 00000001 00000000 0 0 0 0 0 0 0 0 0 00000001\n");
    irqd_process d({"--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms"});
    ws_client c(d);
    c.read_type("sample");
    softnet("00000020 00000004 00000000 0 0 0 0 0 0 0 0 0 00000001\n");   // 3 drops on CPU 1
    bool seen = false;
    for (int i = 0; i < 30 && !seen; ++i) {
        auto s = c.read_type("sample");
        const auto& cpu1 = s.at("cpus").at(1);
        BOOST_TEST(cpu1.at("cpu").to_number<int>() == 1);
        if (cpu1.at("softnet").at("dropped").at("count").to_number<int>() == 0) continue;
        seen = true;
        BOOST_TEST(cpu1.at("softnet").at("dropped").at("count").to_number<int>() == 3);
        BOOST_TEST(cpu1.at("softnet").at("processed").at("count").to_number<int>() == 16);
        BOOST_TEST(cpu1.at("overloaded").as_bool());
        BOOST_TEST(json::serialize(cpu1.at("overload_reasons")) == R"(["drops"])");
        BOOST_TEST(s.at("cpus").at(0).at("overloaded").as_bool() == false);
    }
    BOOST_TEST(seen);
}
