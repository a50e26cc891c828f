// End-to-end tests of the HTTP session: a HEAD answer has the status and headers GET gets, its
// Content-Length the length of GET's body, and no body, on every kind of route; and a request being
// answered later knows when its client has left.
#define BOOST_TEST_MODULE http_server
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>

#include "daemon.hpp"
#include "irqd/service/http_server.hpp"
#include "raw_http.hpp"

using namespace irqd::test;

BOOST_AUTO_TEST_CASE(head_has_the_headers_and_length_of_get_and_no_body) {
    irqd_process d({"--simulate", "--interval", "100ms", "--history", "1s:1h"});
    const auto port = d.port();
    // The dashboard, one of its assets, JSON, a JSON error, text from the kernel: answers whose
    // length does not change between two requests.
    for (const std::string target : {"/", "/assets/app.js", "/api/v1", "/api/v1/openapi.json", "/api/v1/nope",
                                     "/api/v1/interrupts/99999"}) {
        auto get = raw_request(port, "GET", target);
        auto head = raw_request(port, "HEAD", target);
        BOOST_TEST_CONTEXT(target) {
            BOOST_TEST(head.status == get.status);
            BOOST_TEST(!get.body.empty());
            BOOST_TEST(head.header("content-length") == std::to_string(get.body.size()));
            BOOST_TEST(head.header("content-type") == get.header("content-type"));
            BOOST_TEST(head.body.empty());
        }
    }
    // The vendored chart library is served from the binary, under /assets/vendor/; its licence is not.
    auto uplot = raw_request(port, "GET", "/assets/vendor/uPlot.iife.min.js");
    BOOST_TEST(uplot.status == 200u);
    BOOST_TEST(uplot.header("content-type") == "text/javascript; charset=utf-8");
    BOOST_TEST(uplot.body.find("uPlot") != std::string::npos);
    BOOST_TEST(raw_request(port, "GET", "/assets/vendor/uPlot.min.css").status == 200u);
    BOOST_TEST(raw_request(port, "GET", "/assets/vendor/uPlot.LICENSE").status == 404u);
    BOOST_TEST(raw_request(port, "GET", "/assets/vendor/x/app.js").status == 404u);
    // /metrics changes with every request (it counts them); its HEAD still says how long it is.
    auto metrics = raw_request(port, "HEAD", "/metrics");
    BOOST_TEST(metrics.status == 200u);
    BOOST_TEST(std::stoul(metrics.header("content-length")) > 1000u);
    BOOST_TEST(metrics.body.empty());

    // A HEAD on a kept-alive connection leaves the next answer intact: nothing of a body in between.
    raw_socket s(port);
    s.send("HEAD /api/v1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /api/v1/nope HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    auto both = s.read_all();
    auto second = both.find("HTTP/1.1 404");
    BOOST_TEST_REQUIRE(second != std::string::npos, both);
    BOOST_TEST(both.substr(0, second).ends_with("\r\n\r\n"));
    BOOST_TEST(parse_response(both.substr(second)).body == raw_request(port, "GET", "/api/v1/nope").body);
}

BOOST_AUTO_TEST_CASE(a_request_answered_later_knows_when_its_client_left) {
    using namespace std::chrono_literals;
    namespace service = irqd::service;
    boost::asio::io_context io{1};
    service::limits lim;
    std::optional<service::responder> held;   // the answer a slow route (a long window) owes
    service::http_server server(io, lim, [&](service::request&&, service::responder r) { held = std::move(r); }, {});
    auto ep = server.listen("127.0.0.1", 0);
    BOOST_TEST_REQUIRE(ep.has_value());
    std::optional<raw_socket> client(std::in_place, ep->port());
    client->send("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    for (int i = 0; i < 500 && !held; ++i) io.run_for(10ms);
    BOOST_TEST_REQUIRE(held.has_value());
    BOOST_TEST(!held->client_gone());
    client.reset();   // closes its socket
    BOOST_TEST(eventually([&] { return held->client_gone(); }, 5s));
    held.reset();
    server.stop();
    io.run_for(100ms);
}
