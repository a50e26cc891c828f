// Tests for the addresses irqctl (and the end-to-end tests) reach irqd at: http:// URLs with an
// optional port and path prefix, and unix:PATH for irqd --unix-socket. Connecting is tested end to end.
#define BOOST_TEST_MODULE http_client
#include <boost/test/unit_test.hpp>

#include "irqd/client/http_client.hpp"

using irqd::client::parse_base_url;

BOOST_AUTO_TEST_CASE(http_urls_with_host_port_and_prefix) {
    auto u = parse_base_url("http://10.0.0.1:9000/irq/");
    BOOST_TEST_REQUIRE(u.has_value());
    BOOST_TEST(u->host == "10.0.0.1");
    BOOST_TEST(u->port == "9000");
    BOOST_TEST(u->prefix == "/irq");
    BOOST_TEST(u->unix_socket.empty());
    BOOST_TEST(u->text() == "http://10.0.0.1:9000/irq");
    auto v6 = parse_base_url("[::1]:8081");
    BOOST_TEST_REQUIRE(v6.has_value());
    BOOST_TEST(v6->host == "::1");
    BOOST_TEST(v6->port == "8081");
    BOOST_TEST(v6->host_header() == "[::1]");   // RFC 9110 7.2: an IPv6 Host is in brackets
    BOOST_TEST(v6->text() == "http://[::1]:8081");
    BOOST_TEST(u->host_header() == "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(unix_urls_name_a_socket_file) {
    auto u = parse_base_url("unix:/run/irqd/irqd.sock");
    BOOST_TEST_REQUIRE(u.has_value());
    BOOST_TEST(u->unix_socket == "/run/irqd/irqd.sock");
    BOOST_TEST(u->host == "localhost");   // the Host header irqd gets
    BOOST_TEST(u->prefix.empty());
    BOOST_TEST(u->text() == "unix:/run/irqd/irqd.sock");
    auto relative = parse_base_url("unix:irqd.sock");
    BOOST_TEST_REQUIRE(relative.has_value());
    BOOST_TEST(relative->unix_socket == "irqd.sock");
}

BOOST_AUTO_TEST_CASE(bad_urls_are_one_sentence) {
    auto empty = parse_base_url("unix:");
    BOOST_TEST_REQUIRE(!empty.has_value());
    BOOST_TEST(empty.error_message() == "URL 'unix:' has no socket path (like unix:/run/irqd/irqd.sock)");
    auto long_path = parse_base_url("unix:/" + std::string(200, 'x'));
    BOOST_TEST_REQUIRE(!long_path.has_value());
    BOOST_TEST(long_path.error_message().ends_with("a Unix socket path has at most 107 bytes"));
    auto https = parse_base_url("https://h:1");
    BOOST_TEST_REQUIRE(!https.has_value());
    BOOST_TEST(https.error_message() == "only http:// and unix: URLs are supported, got 'https://h:1'");
    BOOST_TEST(!parse_base_url("http://h:port").has_value());
}

// irqctl is a static binary: numeric hosts and "localhost" must not need NSS or /etc (issue 13).
BOOST_AUTO_TEST_CASE(numeric_hosts_and_localhost_need_no_resolver) {
    using irqd::client::addresses_without_resolver;
    auto text = [](std::string_view host) {
        std::string out;
        if (auto a = addresses_without_resolver(host))
            for (const auto& address : *a) out += (out.empty() ? "" : " ") + address.to_string();
        return out;
    };
    BOOST_TEST(text("127.0.0.1") == "127.0.0.1");
    BOOST_TEST(text("10.1.2.3") == "10.1.2.3");
    BOOST_TEST(text("::1") == "::1");
    BOOST_TEST(text("fd00::2") == "fd00::2");
    BOOST_TEST(text("localhost") == "127.0.0.1 ::1");
    BOOST_TEST(text("LocalHost.") == "127.0.0.1 ::1");
    BOOST_TEST(!addresses_without_resolver("irqd.example").has_value());
    BOOST_TEST(!addresses_without_resolver("localhost.example").has_value());
    BOOST_TEST(!addresses_without_resolver("127.0.0.1.example").has_value());
    BOOST_TEST(!parse_base_url("http://127.0.0.1:65536").has_value());
    BOOST_TEST(parse_base_url("http://127.0.0.1:65535").has_value());
}
