// The checks of a request's head, without a socket: HTTP/1.1 framing (Host, Transfer-Encoding,
// Expect), WebSocket keys, and the browser protections (Host, Origin, Content-Type).
#define BOOST_TEST_MODULE request_checks
#include <boost/test/unit_test.hpp>

#include <initializer_list>
#include <utility>

#include "irqd/service/request_checks.hpp"

using namespace irqd::service;
namespace http = boost::beast::http;

namespace {
request_head head(http::verb v, std::initializer_list<std::pair<std::string, std::string>> fields, unsigned version = 11) {
    request_head h;
    h.method(v);
    h.target("/api/v1/affinity");
    h.version(version);
    for (const auto& [k, val] : fields) h.insert(k, val);
    return h;
}
// The status a check refuses with, 0 when it lets the request through.
unsigned framing(const request_head& h) { auto r = check_framing(h); return r ? r->status : 0; }
unsigned browser(const request_head& h, const browser_policy& p = {}, bool unix_socket = false) {
    auto r = check_browser(h, p, unix_socket);
    return r ? r->status : 0;
}
}  // namespace

BOOST_AUTO_TEST_CASE(http_1_1_needs_exactly_one_host) {
    BOOST_TEST(framing(head(http::verb::get, {{"Host", "127.0.0.1:8080"}})) == 0u);
    BOOST_TEST(framing(head(http::verb::get, {})) == 400u);
    BOOST_TEST(framing(head(http::verb::get, {{"Host", "a"}, {"Host", "b"}})) == 400u);
    BOOST_TEST(check_framing(head(http::verb::get, {}))->code == "bad_host");
    BOOST_TEST(framing(head(http::verb::get, {}, 10)) == 0u);   // HTTP/1.0 may omit it
}

BOOST_AUTO_TEST_CASE(only_a_single_final_chunked_transfer_coding_is_taken) {
    auto te = [](std::initializer_list<std::pair<std::string, std::string>> f) {
        return framing(head(http::verb::post, f));
    };
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", "chunked"}}) == 0u);
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", " Chunked "}}) == 0u);
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", "gzip"}}) == 400u);            // length unknown
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", "identity"}}) == 400u);
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", "chunked, identity"}}) == 400u);
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", "gzip, chunked"}}) == 501u);    // a coding irqd does not decode
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}}) == 501u);
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}) == 400u);
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", ""}}) == 400u);
    BOOST_TEST(te({{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}}) == 400u);
    BOOST_TEST(framing(head(http::verb::post, {{"Transfer-Encoding", "chunked"}}, 10)) == 400u);
    BOOST_TEST(check_framing(head(http::verb::post, {{"Host", "h"}, {"Transfer-Encoding", "gzip, chunked"}}))->code ==
               "unsupported_transfer_encoding");
}

BOOST_AUTO_TEST_CASE(expect_is_met_only_for_100_continue) {
    auto h = head(http::verb::post, {{"Host", "h"}, {"Expect", "100-Continue"}});
    BOOST_TEST(framing(h) == 0u);
    BOOST_TEST(expects_continue(h));
    BOOST_TEST(!expects_continue(head(http::verb::post, {{"Host", "h"}})));
    BOOST_TEST(framing(head(http::verb::post, {{"Host", "h"}, {"Expect", "something-else"}})) == 417u);
}

BOOST_AUTO_TEST_CASE(websocket_keys_are_base64_of_16_bytes) {
    BOOST_TEST(valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ=="));   // RFC 6455's example
    BOOST_TEST(valid_websocket_key(" AAAAAAAAAAAAAAAAAAAAAA== "));
    BOOST_TEST(!valid_websocket_key("abc"));
    BOOST_TEST(!valid_websocket_key(""));
    BOOST_TEST(!valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ="));    // 23 characters
    BOOST_TEST(!valid_websocket_key("dGhlIHNhbXBsZSBub25jZQ!="));
    BOOST_TEST(!valid_websocket_key("dGhlIHNhbXBsZSBub25jZR=="));   // bits past the 16th byte
    BOOST_TEST(!valid_websocket_key("dGhlIHNh*XBsZSBub25jZQ=="));
}

BOOST_AUTO_TEST_CASE(the_host_must_be_an_address_localhost_or_allowed) {
    for (auto* ok : {"127.0.0.1:8080", "127.0.0.1", "[::1]:8080", "localhost:8080", "LocalHost", "10.1.2.3:9000",
                     "[fe80::1]", "::1"})
        BOOST_TEST(browser(head(http::verb::get, {{"Host", ok}})) == 0u, ok);
    for (auto* bad : {"evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io:8080", "", "[nonsense]"})
        BOOST_TEST(browser(head(http::verb::get, {{"Host", bad}})) == 421u, bad);
    auto r = check_browser(head(http::verb::get, {{"Host", "evil.example:8080"}}), {}, false);
    BOOST_TEST(r->code == "host_not_allowed");
    BOOST_TEST(r->message.find("--allowed-host evil.example") != std::string::npos, r->message);
    browser_policy p{{"irqd.example"}, {}};
    BOOST_TEST(browser(head(http::verb::get, {{"Host", "IRQD.example:8080"}}), p) == 0u);
    BOOST_TEST(browser(head(http::verb::get, {{"Host", "other.example"}}), p) == 421u);
    BOOST_TEST(browser(head(http::verb::get, {{"Host", "other.example"}}), {{"*"}, {}}) == 0u);
    BOOST_TEST(browser(head(http::verb::get, {}, 10)) == 0u);   // HTTP/1.0 without a Host: no name to rebind
    // On the Unix socket the Host names nothing.
    BOOST_TEST(browser(head(http::verb::get, {{"Host", "whatever"}}), {}, true) == 0u);
}

BOOST_AUTO_TEST_CASE(an_origin_must_be_the_hosts_own_or_allowed) {
    auto origin = [](const std::string& o, const browser_policy& p = {}) {
        return browser(head(http::verb::get, {{"Host", "127.0.0.1:8080"}, {"Origin", o}}), p);
    };
    BOOST_TEST(origin("http://127.0.0.1:8080") == 0u);
    BOOST_TEST(origin("HTTP://127.0.0.1:8080") == 0u);
    BOOST_TEST(origin("https://127.0.0.1:8080") == 0u);   // behind a TLS proxy
    BOOST_TEST(origin("http://evil.example") == 403u);
    BOOST_TEST(origin("http://127.0.0.1:9090") == 403u);
    BOOST_TEST(origin("null") == 403u);
    BOOST_TEST(origin("https://grafana.example:3000", {{}, {"https://grafana.example:3000"}}) == 0u);
    BOOST_TEST(origin("http://evil.example", {{}, {"*"}}) == 0u);
    BOOST_TEST(check_browser(head(http::verb::get, {{"Host", "h"}, {"Origin", "null"}}), {}, true)->code ==
               "origin_not_allowed");
}

BOOST_AUTO_TEST_CASE(a_mutation_with_a_body_must_say_it_is_json) {
    auto post = [](std::initializer_list<std::pair<std::string, std::string>> f) {
        auto h = head(http::verb::post, {{"Host", "127.0.0.1"}});
        for (const auto& [k, v] : f) h.insert(k, v);
        return browser(h);
    };
    BOOST_TEST(post({{"Content-Type", "application/json"}, {"Content-Length", "9"}}) == 0u);
    BOOST_TEST(post({{"Content-Type", "Application/JSON; charset=utf-8"}, {"Content-Length", "9"}}) == 0u);
    BOOST_TEST(post({{"Content-Type", "text/plain"}, {"Content-Length", "9"}}) == 415u);   // a CORS simple request
    BOOST_TEST(post({{"Content-Type", "application/x-www-form-urlencoded"}, {"Content-Length", "9"}}) == 415u);
    BOOST_TEST(post({{"Content-Type", "text/plain"}}) == 415u);        // even without a body
    BOOST_TEST(post({{"Content-Length", "9"}}) == 415u);               // a body of no stated type
    BOOST_TEST(post({{"Transfer-Encoding", "chunked"}}) == 415u);
    BOOST_TEST(post({}) == 0u);                                        // nothing to misread: POST /balance/revert
    BOOST_TEST(post({{"Content-Length", "0"}}) == 0u);
    BOOST_TEST(browser(head(http::verb::get, {{"Host", "127.0.0.1"}, {"Content-Type", "text/plain"}})) == 0u);
    auto h = head(http::verb::put, {{"Host", "h"}, {"Content-Type", "text/plain"}, {"Content-Length", "3"}});
    BOOST_TEST(check_browser(h, {}, true)->code == "unsupported_media_type");   // the Unix socket too
}
