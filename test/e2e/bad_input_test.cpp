// The bad-input cases that need a real irqd on a fake kernel: huge bodies, the routes only the daemon
// wires (dashboard, /metrics, openapi.json), every listed endpoint's wrong method, malformed HTTP.
// Each answer must be a 4xx JSON error, and nothing may be written to the kernel's files. The rest of
// the table (JSON, IRQ ids, CPUs, windows, parameters) runs in-process in test/service/api_test.cpp.
#define BOOST_TEST_MODULE bad_input
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>

#include "daemon.hpp"
#include "raw_http.hpp"

using namespace irqd::test;
namespace json = boost::json;

namespace {
const std::string header4 = "           CPU0       CPU1       CPU2       CPU3";

struct bad {
    std::string method, target, body;
    unsigned status;
    std::string code;
    std::string allow = {};   // the Allow header a 405 must carry
};

std::vector<bad> table() {
    const std::string put = "/api/v1/interrupts/30/affinity";
    const std::string big(2 * 1024 * 1024, ' ');
    // The cases that need the HTTP server (body limits) or every route of the daemon; the rest of
    // the table is test/service/api_test.cpp, in-process.
    return {
        // Unknown paths and API versions.
        {"GET", "/nothing", "", 404, "not_found"},

        // Wrong methods: 405 with the allowed one.
        {"DELETE", "/api/v1/interrupts", "", 405, "method_not_allowed", "GET"},
        {"POST", "/", "", 405, "method_not_allowed", "GET"},
        {"DELETE", "/assets/app.js", "", 405, "method_not_allowed", "GET"},
        {"POST", "/metrics", "", 405, "method_not_allowed", "GET"},
        {"PUT", "/api/v1/openapi.json", "{}", 405, "method_not_allowed", "GET"},

        // Malformed JSON and wrong JSON types.
        {"PUT", put, "", 400, "bad_json"},

        // Huge bodies, on every endpoint that reads one and on one that does not.
        {"PUT", put, big, 413, "body_too_large"},
        {"POST", "/api/v1/affinity", big, 413, "body_too_large"},
        {"GET", "/api/v1/interrupts", big, 413, "body_too_large"},
    };
}

struct fixture {
    fake_kernel k;
    std::unique_ptr<irqd_process> d;
    unsigned short port = 0;
    fixture() {
        k.cpus("0-1");
        k.irq(30, "0-1");
        k.irq(31, "0-1");
        k.interrupts(header4 + "\n" +
                     " 30:        100        200          0          0   IR-PCI-MSI-edge      eth0\n"
                     " 31:        100        200          0          0   IR-PCI-MSI-edge      eth1\n"
                     "NMI:          1          1          0          0   Non-maskable interrupts\n");
        d = std::make_unique<irqd_process>(std::vector<std::string>{
            "--procfs", k.proc().string(), "--sysfs", k.sys().string(), "--interval", "100ms", "--history", "1s:1h"});
        port = d->port();
        BOOST_REQUIRE(eventually([&] { return d->samples() > 0; }));
    }
    std::uint64_t writes() const {
        return d->health().at("affinity_writes").to_number<std::uint64_t>();
    }
};

void check_error(const raw_response& r, unsigned status, const std::string& code) {
    BOOST_TEST(r.status == status);
    BOOST_TEST(r.header("content-type") == "application/json");
    boost::system::error_code ec;
    auto v = json::parse(r.body, ec);
    BOOST_REQUIRE_MESSAGE(!ec, "body is not JSON: " << r.body.substr(0, 200));
    BOOST_TEST(v.at("error").at("code").as_string() == code);
    BOOST_TEST(!v.at("error").at("message").as_string().empty());
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_bad_request_is_a_4xx_json_error_and_writes_nothing) {
    fixture f;
    auto before = f.k.irq_files();
    for (const auto& c : table()) {
        BOOST_TEST_CONTEXT(c.method << " " << c.target.substr(0, 80) << " " << c.body.substr(0, 60)) {
            auto r = raw_request(f.port, c.method, c.target, c.body);
            check_error(r, c.status, c.code);
            if (c.status == 405) BOOST_TEST(r.header("allow") == c.allow);
        }
    }
    BOOST_TEST((f.k.irq_files() == before));
    BOOST_TEST(f.writes() == 0u);
    // The daemon is still well after all that.
    BOOST_TEST(f.d->health().at("status").as_string() == "ok");
}

// Endpoints added later (listed by GET /api/v1) get the same treatment for wrong methods.
BOOST_AUTO_TEST_CASE(every_listed_endpoint_answers_a_wrong_method_with_405_and_allow) {
    fixture f;
    auto before = f.k.irq_files();
    auto index = json::parse(f.d->get("/api/v1").body);
    std::size_t checked = 0;
    for (const auto& e : index.at("endpoints").as_array()) {
        std::string line(e.as_string());
        auto sp = line.find(' ');
        std::string method = line.substr(0, sp);
        std::string path = line.substr(sp + 1, line.find_first_of(" ?[", sp + 1) - sp - 1);
        if (auto at = path.find("{irq}"); at != std::string::npos) path.replace(at, 5, "30");
        BOOST_TEST_CONTEXT(line) {
            auto r = raw_request(f.port, "DELETE", path);
            if (path.find('{') != std::string::npos) {
                // A placeholder this test cannot fill ({file}, ...): a 404 is as good as a 405.
                BOOST_TEST((r.status == 404u || r.status == 405u));
                BOOST_TEST(r.header("content-type") == "application/json");
            } else {
                check_error(r, 405, "method_not_allowed");
                BOOST_TEST(r.header("allow").find(method) != std::string::npos);
            }
        }
        ++checked;
    }
    BOOST_TEST(checked >= 7u);
    BOOST_TEST((f.k.irq_files() == before));
    BOOST_TEST(f.writes() == 0u);
}

// Requests that are not HTTP at all, or break its rules, are a 400 and cost the connection.
BOOST_AUTO_TEST_CASE(malformed_http_is_a_400_json_error) {
    fixture f;
    for (std::string req : {std::string("GARBAGE\r\n\r\n"), std::string("GET /api/v1 HTTP/9.9\r\n\r\n"),
                            std::string("GET /api/v1 HTTP/1.1\r\nContent-Length: -1\r\n\r\n"),
                            std::string("GET /api/v1 HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
                            std::string("GET /api/v1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
        BOOST_TEST_CONTEXT(req.substr(0, 60)) {
            raw_socket s(f.port);
            s.send(req);
            auto r = parse_response(s.read_all());
            BOOST_TEST(r.status == 400u);
            BOOST_TEST(r.header("content-type") == "application/json");
            BOOST_TEST(s.closed());
        }
    }
    BOOST_TEST(f.writes() == 0u);
}

// Request smuggling (RFC 9112 6.1, 6.3): a body whose framing irqd cannot trust is refused before a
// byte of it is read, and the connection closes, so a request hidden in it is never run.
BOOST_AUTO_TEST_CASE(a_transfer_encoding_other_than_one_final_chunked_is_refused_and_closes) {
    fixture f;
    auto before = f.k.irq_files();
    const std::string hidden =
        "PUT /api/v1/interrupts/30/affinity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 9\r\n\r\n{\"cpu\":1}";
    struct smuggle {
        std::string fields;
        unsigned status;
        std::string code;
    };
    const std::string length = "Content-Length: " + std::to_string(hidden.size()) + "\r\n";
    for (const auto& c : std::vector<smuggle>{
             {"Transfer-Encoding: gzip\r\n", 400, "bad_transfer_encoding"},
             {"Transfer-Encoding: identity\r\n", 400, "bad_transfer_encoding"},
             {"Transfer-Encoding: chunked, identity\r\n", 400, "bad_transfer_encoding"},
             {"Transfer-Encoding: gzip, chunked\r\n", 501, "unsupported_transfer_encoding"},
             {"Transfer-Encoding: gzip\r\n" + length, 400, "bad_transfer_encoding"},
             {length + "Transfer-Encoding: chunked\r\n", 400, "bad_http"},   // Beast's own check
             {"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", 400, "bad_http"},
         }) {
        BOOST_TEST_CONTEXT(c.fields) {
            raw_socket s(f.port);
            s.send("POST /api/v1/affinity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + c.fields +
                   "\r\n" + hidden);
            auto text = s.read_all();
            check_error(parse_response(text), c.status, c.code);
            BOOST_TEST(text.find("HTTP/1.1", 1) == std::string::npos);   // one answer: the hidden PUT got none
            BOOST_TEST(s.closed());
        }
    }
    BOOST_TEST((f.k.irq_files() == before));
    BOOST_TEST(f.writes() == 0u);
}

BOOST_AUTO_TEST_CASE(http_1_1_without_exactly_one_host_is_a_400) {
    fixture f;
    for (const std::string req : {"GET /api/v1/health HTTP/1.1\r\n\r\n",
                                  "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: localhost\r\n\r\n"}) {
        BOOST_TEST_CONTEXT(req) {
            raw_socket s(f.port);
            s.send(req);
            check_error(parse_response(s.read_all()), 400, "bad_host");
            BOOST_TEST(s.closed());
        }
    }
    raw_socket old(f.port);   // HTTP/1.0 has no Host to require
    old.send("GET /api/v1/health HTTP/1.0\r\n\r\n");
    BOOST_TEST(parse_response(old.read_all()).status == 200u);
}

// A client that asks "Expect: 100-continue" waits for it before it sends the body (curl waits 1 s).
BOOST_AUTO_TEST_CASE(expect_100_continue_is_answered_and_other_expectations_get_417) {
    fixture f;
    const std::string head = "PUT /api/v1/interrupts/30/affinity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 9\r\n";
    raw_socket s(f.port);
    s.send(head + "Content-Type: application/json\r\nExpect: 100-continue\r\n\r\n");
    auto interim = s.read_all(std::chrono::milliseconds(1000));
    BOOST_TEST(interim.rfind("HTTP/1.1 100 Continue\r\n\r\n", 0) == 0u, interim);
    s.send("{\"cpu\":1}");
    auto r = parse_response(s.read_all(std::chrono::milliseconds(1000)));
    BOOST_TEST(r.status == 200u);
    BOOST_TEST(f.writes() == 1u);
    // A request refused on its head gets the refusal instead of the 100, and its body is not read.
    raw_socket refused(f.port);
    refused.send(head + "Content-Type: text/plain\r\nExpect: 100-continue\r\n\r\n");
    check_error(parse_response(refused.read_all()), 415, "unsupported_media_type");
    raw_socket other(f.port);
    other.send(head + "Content-Type: application/json\r\nExpect: the-impossible\r\n\r\n{\"cpu\":0}");
    check_error(parse_response(other.read_all()), 417, "expectation_failed");
    BOOST_TEST(f.writes() == 1u);
}
