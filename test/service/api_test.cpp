// The router in-process: handle_request() over a fake procfs, its answer captured from the responder,
// no socket. The bad-input table (JSON, IRQ ids, CPUs, windows, parameters, paths and methods) must
// give a 4xx JSON error each and write nothing; and a few good requests give real values.
#define BOOST_TEST_MODULE api
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <optional>

#include "fake_kernel.hpp"
#include "irqd/service/api.hpp"
#include "irqd/service/metrics.hpp"

using namespace irqd;
using namespace irqd::service;
using irqd::test::fake_kernel;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

const std::string header4 = "           CPU0       CPU1       CPU2       CPU3";

std::string interrupts_text(unsigned eth0_cpu1) {
    return header4 + "\n" +
           " 30:        100 " + std::string(10 - std::to_string(eth0_cpu1).size(), ' ') + std::to_string(eth0_cpu1) +
           "          0          0   IR-PCI-MSI-edge      eth0\n"
           " 31:        100        200          0          0   IR-PCI-MSI-edge      eth1\n"
           "NMI:          1          1          0          0   Non-maskable interrupts\n";
}

// Four CPU columns, CPUs 0-1 online, IRQs 30 and 31 and NMI; two samples 1 s apart, the second `ago`
// before now, in which IRQ 30 fired 50 times on CPU 1.
struct router {
    fake_kernel k;
    boost::asio::io_context io{1};
    settings cfg;
    std::optional<sampler> samples;
    std::optional<procfs_affinity_port> port;
    std::optional<affinity_writer> writer;
    std::optional<api_context> ctx;

    core::clock_time last_sample;

    explicit router(std::chrono::seconds ago = std::chrono::seconds(0), std::chrono::seconds retention = std::chrono::hours(1)) {
        k.cpus("0-1");
        k.irq(30, "0-1");
        k.irq(31, "0-1");
        k.interrupts(interrupts_text(200));
        cfg.procfs = k.proc();
        cfg.sysfs = k.sys();
        cfg.history = {{std::chrono::seconds(1), retention}};
        cfg.history_given = true;
        samples.emplace(io, cfg);
        samples->refresh_topology();
        last_sample = std::chrono::system_clock::now() - ago;
        BOOST_REQUIRE(samples->sample_once(last_sample - std::chrono::seconds(1)));
        k.interrupts(interrupts_text(250));
        BOOST_REQUIRE(samples->sample_once(last_sample));
        port.emplace(cfg.procfs);
        writer.emplace(*port, false);
        writer->post = [this](std::function<void()> f) { boost::asio::post(io, std::move(f)); };
        ctx.emplace(api_context{.config = cfg, .samples = *samples, .writer = *writer});
    }

    // The answer, whether the route gives it at once or after slices on the io_context.
    response call(http::verb method, const std::string& target, const std::string& body = "") {
        request req{method, target, 11};
        req.body() = body;
        req.prepare_payload();
        std::optional<response> got;
        handle_request(std::move(req), [&](response r) { got = std::move(r); }, *ctx);
        io.restart();
        io.run_for(std::chrono::seconds(5));
        BOOST_REQUIRE_MESSAGE(got, "no answer to " << target);
        return std::move(*got);
    }
    response call(const std::string& method, const std::string& target, const std::string& body = "") {
        return call(http::string_to_verb(method), target, body);
    }
};

struct bad {
    std::string method, target, body;
    unsigned status;
    std::string code;
    std::string allow = {};   // the Allow header a 405 must carry
};

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::vector<bad> table() {
    const std::string put = "/api/v1/interrupts/30/affinity";
    return {
        // Unknown paths and API versions.
        {"GET", "/api", "", 404, "not_found"},
        {"GET", "/api/v1/nothing", "", 404, "not_found"},
        {"GET", "/api/v2/interrupts", "", 404, "not_found"},
        {"GET", "/api/v1/cpus/3", "", 404, "not_found"},
        {"PUT", "/api/v1/interrupts/30/affinity/extra", "{\"cpu\":1}", 404, "not_found"},
        {"GET", "/api/v1/interrupts%00", "", 400, "bad_target"},
        {"GET", "api/v1", "", 400, "bad_target"},
        {"GET", "/api/v1/interrupts?window=%zz", "", 400, "bad_target"},
        {"GET", "/api/v1/interrupts?window=60%", "", 400, "bad_target"},

        // Wrong methods: 405 with the allowed one.
        {"POST", "/api/v1/interrupts/30", "", 405, "method_not_allowed", "GET"},
        {"GET", put, "", 405, "method_not_allowed", "PUT"},
        {"POST", put, "{\"cpu\":1}", 405, "method_not_allowed", "PUT"},
        {"PUT", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpu\":1}]}", 405, "method_not_allowed", "POST"},
        {"GET", "/api/v1/affinity", "", 405, "method_not_allowed", "POST"},
        {"PATCH", "/api/v1/cpus", "", 405, "method_not_allowed", "GET"},
        {"POST", "/api/v1/raw", "", 405, "method_not_allowed", "GET"},
        {"PUT", "/api/v1/health", "{}", 405, "method_not_allowed", "GET"},
        {"POST", "/api/v1", "", 405, "method_not_allowed", "GET"},
        {"POST", "/api/v1/stream", "", 405, "method_not_allowed", "GET"},

        // IRQ ids: negative, huge, non-numeric, path-like (raw and %-encoded).
        {"GET", "/api/v1/interrupts/-1", "", 400, "bad_irq"},
        {"GET", "/api/v1/interrupts/..", "", 400, "bad_irq"},
        {"GET", "/api/v1/interrupts/%2e%2e", "", 400, "bad_irq"},
        {"GET", "/api/v1/interrupts/..%2F..%2Fetc", "", 400, "bad_irq"},
        {"GET", "/api/v1/interrupts/30%2F..%2F31", "", 400, "bad_irq"},
        {"GET", "/api/v1/interrupts/30/../31", "", 404, "not_found"},
        {"GET", "/api/v1/interrupts/77", "", 404, "irq_not_found"},
        {"GET", "/api/v1/interrupts/99999999999", "", 404, "irq_not_found"},
        {"GET", "/api/v1/interrupts/" + std::string(100, '9'), "", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/-1/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/99999999999/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/1048576/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/abc/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/0x1e/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/+30/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/%2030/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/../affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/%2e%2e/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/30%2F..%2F31/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/30/../31/affinity", "{\"cpu\":1}", 404, "not_found"},
        {"PUT", "/api/v1/interrupts/NMI/affinity", "{\"cpu\":1}", 400, "bad_irq"},
        {"PUT", "/api/v1/interrupts/77/affinity", "{\"cpu\":1}", 404, "irq_not_found"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":-1,\"cpu\":1}]}", 400, "bad_irq"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":99999999999,\"cpu\":1}]}", 400, "bad_irq"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":18446744073709551615,\"cpu\":1}]}", 400, "bad_irq"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":\"../30\",\"cpu\":1}]}", 400, "bad_irq"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":\"30 \",\"cpu\":1}]}", 400, "bad_irq"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30.5,\"cpu\":1}]}", 400, "bad_irq"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":null,\"cpu\":1}]}", 400, "bad_irq"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"cpu\":1}]}", 400, "bad_irq"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpu\":1},{\"irq\":77,\"cpu\":0}]}", 404, "irq_not_found"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpu\":1},{\"irq\":30,\"cpu\":0}]}", 400, "duplicate_irq"},

        // Malformed JSON and wrong JSON types.
        {"PUT", put, "{", 400, "bad_json"},
        {"PUT", put, "{\"cpu\":1", 400, "bad_json"},
        {"PUT", put, "cpu=1", 400, "bad_json"},
        {"PUT", put, "{\"cpu\":1}{\"cpu\":0}", 400, "bad_json"},
        // Duplicate keys: Boost.JSON would keep the last one silently.
        {"PUT", put, "{\"cpu\":0,\"cpu\":1}", 400, "duplicate_key"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpu\":1,\"cpu\":0}]}", 400, "duplicate_key"},
        {"POST", "/api/v1/affinity", "{\"changes\":[],\"changes\":[{\"irq\":30,\"cpu\":1}]}", 400, "duplicate_key"},
        {"PUT", put, "{\"cpu\":NaN}", 400, "bad_json"},
        {"PUT", put, nested(100000), 400, "bad_json"},
        {"PUT", put, "[1]", 400, "bad_json"},
        {"PUT", put, "null", 400, "bad_json"},
        {"PUT", put, "\"1\"", 400, "bad_json"},
        {"PUT", put, "{\"cpu\":\"1\"}", 400, "bad_cpu"},
        {"PUT", put, "{\"cpu\":1.5}", 400, "bad_cpu"},
        {"PUT", put, "{\"cpu\":true}", 400, "bad_cpu"},
        {"PUT", put, "{\"cpu\":null}", 400, "bad_cpu"},
        {"PUT", put, "{\"cpu\":[1]}", 400, "bad_cpu"},
        {"PUT", put, "{\"cpus\":3}", 400, "bad_cpus"},
        {"PUT", put, "{\"cpus\":[0,1]}", 400, "bad_cpus"},
        {"PUT", put, "{\"mask\":15}", 400, "bad_mask"},
        {"PUT", put, "{}", 400, "bad_affinity"},
        {"PUT", put, "{\"cpu\":1,\"mask\":\"1\"}", 400, "bad_affinity"},
        {"POST", "/api/v1/affinity", "", 400, "bad_json"},
        {"POST", "/api/v1/affinity", "{\"changes\":", 400, "bad_json"},
        {"POST", "/api/v1/affinity", "[]", 400, "bad_json"},
        {"POST", "/api/v1/affinity", "{}", 400, "bad_json"},
        {"POST", "/api/v1/affinity", "{\"changes\":{}}", 400, "bad_json"},
        {"POST", "/api/v1/affinity", "{\"changes\":\"30\"}", 400, "bad_json"},
        {"POST", "/api/v1/affinity", "{\"changes\":[]}", 400, "no_changes"},
        {"POST", "/api/v1/affinity", "{\"changes\":[1]}", 400, "bad_change"},
        {"POST", "/api/v1/affinity", "{\"changes\":[[30,1]]}", 400, "bad_change"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpus\":1}]}", 400, "bad_cpus"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30}]}", 400, "bad_affinity"},

        // Unknown fields and parameters.
        {"PUT", put, "{\"cpus\":\"1\",\"color\":\"red\"}", 400, "unknown_field"},
        {"PUT", put, "{\"CPU\":1}", 400, "unknown_field"},
        {"POST", "/api/v1/affinity", "{\"set\":[]}", 400, "unknown_field"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpu\":1}],\"dry_run\":true}", 400, "unknown_field"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpu\":1,\"force\":true}]}", 400, "unknown_field"},
        {"GET", "/api/v1/interrupts?bogus=1", "", 400, "unknown_parameter"},
        {"GET", "/api/v1/interrupts?Window=60s", "", 400, "unknown_parameter"},
        {"GET", "/api/v1/interrupts/30?top=1", "", 400, "unknown_parameter"},
        {"GET", "/api/v1/cpus?cpus=1", "", 400, "unknown_parameter"},
        {"GET", "/api/v1/raw?x", "", 400, "unknown_parameter"},
        {"GET", "/api/v1/health?verbose=1", "", 400, "unknown_parameter"},
        {"PUT", put + "?cpu=1", "{\"cpu\":1}", 400, "unknown_parameter"},
        {"POST", "/api/v1/affinity?apply=false", "{\"changes\":[{\"irq\":30,\"cpu\":1}]}", 400, "unknown_parameter"},

        // CPUs offline (4 columns, 0-1 online), out of range, and empty sets.
        {"PUT", put, "{\"cpu\":3}", 422, "cpus_offline"},
        {"PUT", put, "{\"cpus\":\"1-3\"}", 422, "cpus_offline"},
        {"PUT", put, "{\"mask\":\"c\"}", 422, "cpus_offline"},
        {"PUT", put, "{\"cpu\":64}", 422, "cpus_offline"},
        {"PUT", put, "{\"cpu\":8192}", 422, "bad_cpu"},
        {"PUT", put, "{\"cpu\":-1}", 422, "bad_cpu"},
        {"PUT", put, "{\"cpu\":99999999999}", 422, "bad_cpu"},
        {"PUT", put, "{\"cpu\":18446744073709551615}", 422, "bad_cpu"},
        {"PUT", put, "{\"cpus\":\"0-8192\"}", 400, "bad_cpus"},
        {"PUT", put, "{\"cpus\":\"99999999999999999999\"}", 400, "bad_cpus"},
        {"PUT", put, "{\"cpus\":\"3-1\"}", 400, "bad_cpus"},
        {"PUT", put, "{\"cpus\":\"0-15:2\"}", 400, "bad_cpus"},
        {"PUT", put, "{\"cpus\":\"zz\"}", 400, "bad_cpus"},
        {"PUT", put, "{\"cpus\":\"../1\"}", 400, "bad_cpus"},
        {"PUT", put, "{\"mask\":\"xyz\"}", 400, "bad_mask"},
        {"PUT", put, "{\"mask\":\"-1\"}", 400, "bad_mask"},
        {"PUT", put, "{\"mask\":\"1" + std::string(2100, '0') + "\"}", 400, "bad_mask"},
        {"PUT", put, "{\"mask\":\"0\"}", 422, "empty_cpu_set"},
        {"PUT", put, "{\"mask\":\"00000000,00000000\"}", 422, "empty_cpu_set"},
        {"PUT", put, "{\"cpus\":\"\"}", 400, "bad_cpus"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpu\":1},{\"irq\":31,\"mask\":\"0\"}]}", 422, "empty_cpu_set"},
        {"POST", "/api/v1/affinity", "{\"changes\":[{\"irq\":30,\"cpu\":1},{\"irq\":31,\"cpu\":2}]}", 422, "cpus_offline"},

        // Windows: reversed, negative, zero, absurd, garbage, on every endpoint that takes one.
        {"GET", "/api/v1/interrupts?window=-5s", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=0s", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=9999d", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=99999999999d", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=99999999999999999999s", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=1e9s", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=60x", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=abc", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=60s%2F..", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?window=60s&from=1", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=1000000060&to=1000000000", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=1000000000&to=1000000000", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=-5", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=yesterday", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=2026-13-45T99:00:00Z", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=99999999999999999999", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?to=4102444800", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=0&to=1790000000", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=1969-12-31T23:59:59Z", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?from=1700-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts?to=1677-09-22T00:00:00Z&window=400d", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts/30?window=-1s", "", 400, "bad_window"},
        {"GET", "/api/v1/interrupts/30?from=2&to=1", "", 400, "bad_window"},
        {"GET", "/api/v1/cpus?window=99999999999d", "", 400, "bad_window"},
        {"GET", "/api/v1/cpus?from=garbage", "", 400, "bad_window"},

        // Other query parameters.
        {"GET", "/api/v1/interrupts?top=0", "", 400, "bad_top"},
        {"GET", "/api/v1/interrupts?top=-1", "", 400, "bad_top"},
        {"GET", "/api/v1/interrupts?top=abc", "", 400, "bad_top"},
        {"GET", "/api/v1/interrupts?top=5x", "", 400, "bad_top"},
        {"GET", "/api/v1/interrupts?top=", "", 400, "bad_top"},
        {"GET", "/api/v1/interrupts?top=99999999999999999999999", "", 400, "bad_top"},
        {"GET", "/api/v1/interrupts?cpus=zz", "", 400, "bad_cpus"},
        {"GET", "/api/v1/interrupts?cpus=3-1", "", 400, "bad_cpus"},
        {"GET", "/api/v1/interrupts?cpus=-1", "", 400, "bad_cpus"},
        {"GET", "/api/v1/interrupts?cpus=0-99999", "", 400, "bad_cpus"},
        {"GET", "/api/v1/interrupts?irqs=zz", "", 400, "bad_irqs"},
        {"GET", "/api/v1/interrupts?irqs=../30", "", 400, "bad_irqs"},
        {"GET", "/api/v1/interrupts?irqs=2000000", "", 400, "bad_irqs"},
        {"GET", "/api/v1/series?wat=cpus", "", 400, "unknown_parameter"},
        {"GET", "/api/v1/series?what=devices", "", 400, "bad_what"},
        {"GET", "/api/v1/series?what=cpus&top=3", "", 400, "bad_what"},
        {"GET", "/api/v1/series?window=0s", "", 400, "bad_window"},
        {"GET", "/api/v1/series?window=1h&from=0", "", 400, "bad_window"},
        {"GET", "/api/v1/series?step=0s", "", 400, "bad_step"},
        {"GET", "/api/v1/series?step=fast", "", 400, "bad_step"},
        {"GET", "/api/v1/series?what=irqs&irqs=9999999", "", 400, "bad_irqs"},
        {"GET", "/api/v1/series?what=irqs&top=0", "", 400, "bad_top"},
        {"GET", "/api/v1/series?window=30d&step=1s", "", 422, "too_many_points"},
        {"POST", "/api/v1/series", "", 405, "method_not_allowed", "GET"},
        {"GET", "/api/v1/events?window=1x", "", 400, "bad_window"},
        {"GET", "/api/v1/events?top=1", "", 400, "unknown_parameter"},
    };
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_bad_request_is_a_4xx_json_error_and_writes_nothing) {
    router r;
    const auto before = r.k.irq_files();
    for (const auto& c : table()) {
        BOOST_TEST_CONTEXT(c.method << " " << c.target.substr(0, 80) << " " << c.body.substr(0, 60)) {
            auto res = r.call(c.method, c.target, c.body);
            BOOST_TEST(res.result_int() == c.status);
            BOOST_TEST(res[http::field::content_type] == "application/json");
            if (c.status == 405) BOOST_TEST(res[http::field::allow] == c.allow);
            boost::system::error_code ec;
            auto v = json::parse(res.body(), ec);
            BOOST_REQUIRE_MESSAGE(!ec, "body is not JSON: " << res.body().substr(0, 200));
            BOOST_TEST(v.at("error").at("code").as_string() == c.code);
            BOOST_TEST(!v.at("error").at("message").as_string().empty());
        }
    }
    BOOST_TEST((r.k.irq_files() == before));
    BOOST_TEST(r.writer->writes() == 0u);
}

BOOST_AUTO_TEST_CASE(the_index_lists_the_built_in_and_the_added_routes) {
    router r;
    r.ctx->extra_endpoints.push_back("GET /api/v1/extra");
    r.ctx->routes.push_back([](const request& req, const target& t, responder& send) {
        if (t.path != "/api/v1/extra") return false;
        send(json_response(req, 200, json::object{{"extra", true}}));
        return true;
    });
    auto index = json::parse(r.call(http::verb::get, "/api/v1").body());
    BOOST_TEST(index.at("name").as_string() == "irqd");
    const auto& endpoints = index.at("endpoints").as_array();
    BOOST_TEST(endpoints.size() == 11u);
    BOOST_TEST(endpoints.back().as_string() == "GET /api/v1/extra");
    BOOST_TEST(json::parse(r.call(http::verb::get, "/api/v1/extra").body()).at("extra").as_bool());
}

BOOST_AUTO_TEST_CASE(interrupts_selects_rows_and_sums_the_window) {
    router r;
    auto all = json::parse(r.call(http::verb::get, "/api/v1/interrupts?window=1s").body());
    BOOST_TEST(all.at("irqs").as_array().size() == 3u);
    BOOST_TEST(all.at("total").to_number<std::uint64_t>() == 50u);

    auto one = json::parse(r.call(http::verb::get, "/api/v1/interrupts?window=1s&irqs=30-31&top=1&cpus=1").body());
    const auto& irqs = one.at("irqs").as_array();
    BOOST_TEST_REQUIRE(irqs.size() == 1u);
    BOOST_TEST(irqs[0].at("irq").as_string() == "30");
    BOOST_TEST(irqs[0].at("name").as_string() == "eth0");
    BOOST_TEST(irqs[0].at("counts").as_array() == json::array{50});
    BOOST_TEST(one.at("cpus").as_array() == json::array{1});
    BOOST_TEST(one.at("cpu_totals").as_array()[0].at("count").to_number<std::uint64_t>() == 50u);

    auto by_name = json::parse(r.call(http::verb::get, "/api/v1/interrupts?window=1s&name=eth1").body());
    BOOST_TEST_REQUIRE(by_name.at("irqs").as_array().size() == 1u);
    BOOST_TEST(by_name.at("irqs").as_array()[0].at("irq").as_string() == "31");
    BOOST_TEST(by_name.at("total").to_number<std::uint64_t>() == 0u);
}

// One IRQ's window over two layouts (IRQ 32 appeared inside it) is the whole table's row: such a window
// cannot be summed by rows, so it is summed whole (in slices when big) and the row read from that.
BOOST_AUTO_TEST_CASE(one_irq_over_a_layout_change_is_its_row_of_the_whole_window) {
    router r(std::chrono::seconds(5));   // the third sample, a second later, is still in the past
    r.k.irq(32, "0-1");
    r.k.interrupts(interrupts_text(257) + " 32:          5          0          0          0   IR-PCI-MSI-edge      eth2\n");
    BOOST_TEST_REQUIRE(r.samples->sample_once(r.last_sample + std::chrono::seconds(1)));
    auto all = json::parse(r.call(http::verb::get, "/api/v1/interrupts?window=3s&irqs=30").body());
    BOOST_TEST_REQUIRE(all.at("irqs").as_array().size() == 1u);
    const auto& row = all.at("irqs").as_array()[0].at("counts").as_array();
    auto one = json::parse(r.call(http::verb::get, "/api/v1/interrupts/30?window=3s").body());
    BOOST_TEST(one.at("window_total").to_number<std::uint64_t>() == 57u);
    const auto& counts = one.at("window_counts").as_array();
    BOOST_TEST_REQUIRE(counts.size() == row.size());
    for (std::size_t c = 0; c < counts.size(); ++c) BOOST_TEST(counts[c].at("count") == row[c]);
    auto gone = r.call(http::verb::get, "/api/v1/interrupts/33?window=3s");
    BOOST_TEST(gone.result_int() == 404u);
}

BOOST_AUTO_TEST_CASE(series_gives_rates_per_step_and_a_put_is_an_event) {
    router r;
    auto s = json::parse(r.call(http::verb::get, "/api/v1/series?what=irqs&window=2s&step=1s&top=1").body());
    BOOST_TEST(s.at("what").as_string() == "irqs");
    BOOST_TEST(s.at("step_s").as_double() == 1.0);
    BOOST_TEST(s.at("resolution_s").as_double() == 1.0);
    const auto& series = s.at("series").as_array();
    BOOST_TEST_REQUIRE(series.size() == 1u);
    BOOST_TEST(series[0].at("irq").as_string() == "30");
    BOOST_TEST(series[0].at("name").as_string() == "eth0");
    // The one frame (50 on CPU 1 in 1 s) is in one step; the other steps have no sample.
    double sum = 0;
    std::size_t nulls = 0;
    for (const auto& v : series[0].at("rates").as_array()) v.is_null() ? void(++nulls) : void(sum += v.as_double());
    BOOST_TEST(sum == 50.0);
    BOOST_TEST(nulls == s.at("times").as_array().size() - 1);

    event_log events;
    r.ctx->events = &events;
    r.writer->add_applied_observer([&](const std::vector<affinity_outcome>& outs) {
        events.applied(outs, std::chrono::system_clock::now());
    });
    BOOST_TEST(r.call(http::verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":0})").result_int() == 200u);
    auto e = json::parse(r.call(http::verb::get, "/api/v1/events?window=1m").body());
    const auto& list = e.at("events").as_array();
    BOOST_TEST_REQUIRE(list.size() == 1u);
    BOOST_TEST(list[0].at("type").as_string() == "affinity");
    BOOST_TEST(list[0].at("source").as_string() == "api");
    BOOST_TEST(list[0].at("irqs").to_number<int>() == 1);
    BOOST_TEST(list[0].at("summary").as_string() == "IRQ 30 set to CPUs 0 (api)");
    BOOST_TEST(list[0].at("plan_id").is_null());
}

BOOST_AUTO_TEST_CASE(a_put_writes_the_fake_kernel_and_answers_the_outcome) {
    router r;
    auto res = r.call(http::verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":1})");
    BOOST_TEST(res.result_int() == 200);
    auto v = json::parse(res.body());
    BOOST_TEST(v.at("changed").as_bool());
    BOOST_TEST(v.at("before").as_string() == "0-1");
    BOOST_TEST(v.at("requested").as_string() == "1");
    BOOST_TEST(test::read_text(r.k.proc() / "irq/30/smp_affinity_list") == "1\n");
    BOOST_TEST(r.writer->writes() == 1u);
}

BOOST_AUTO_TEST_CASE(a_window_covering_less_than_asked_has_a_note) {
    using namespace std::chrono_literals;
    const core::clock_time t0 = core::clock_time{} + 1'790'000'040s;
    core::window_counts w;
    w.from = t0;
    w.to = t0 + 1s;
    w.resolution = 1s;
    w.frames = 1;
    auto short_end = window_json(w, t0 - 1s, t0 + 1s);   // 2 s asked, the newest sample ends at t0 + 1 s
    BOOST_TEST(short_end.at("note").as_string() ==
               "covers 1s of the 2s asked (the history tier that answered has 1s resolution, or samples are missing)");
    auto after = window_json(w, t0, t0 + 2s);
    BOOST_TEST(after.at("note").as_string() == "covers 1s of the 2s asked (the newest sample is at 2026-09-21T14:14:01Z)");
    BOOST_TEST(!window_json(w, t0, t0 + 1s + 400ms).contains("note"));   // sample jitter is no note
}

// Health's body is kept while nothing it shows moves: the same answer but a fresh uptime_s, and a
// write, a sample or a section's value is in the next answer.
BOOST_AUTO_TEST_CASE(health_is_current_whether_kept_or_built) {
    router r;
    std::uint64_t shown = 1;
    r.ctx->health_sections.push_back({.add = [&](json::object& o) { o["section"] = shown; },
                                      .key = [&](health_key& k) { k.push_back(shown); }});
    auto get = [&] {
        auto res = r.call(http::verb::get, "/api/v1/health");
        BOOST_TEST(res.result_int() == 200);
        BOOST_TEST(res[http::field::content_type] == "application/json");
        BOOST_TEST(res.body().ends_with("}\n"));
        return json::parse(res.body()).as_object();
    };
    auto first = get();
    auto second = get();
    BOOST_TEST(second.at("uptime_s").as_double() > first.at("uptime_s").as_double());
    BOOST_TEST(second.at("uptime_s").as_double() < 60.0);
    // A section without a key: built whole, as before health was kept. The same answer.
    r.ctx->health_sections.push_back({.add = [](json::object&) {}});
    auto built = get();
    r.ctx->health_sections.pop_back();
    for (auto* o : {&first, &second, &built}) o->erase("uptime_s");
    BOOST_TEST(first == second);
    BOOST_TEST(built == second);
    BOOST_TEST(first.at("samples").to_number<std::uint64_t>() == 2u);
    BOOST_TEST(first.at("section").to_number<std::uint64_t>() == 1u);

    shown = 7;
    BOOST_TEST(get().at("section").to_number<std::uint64_t>() == 7u);
    r.call(http::verb::put, "/api/v1/interrupts/30/affinity", R"({"cpu":1})");
    BOOST_TEST(get().at("affinity_writes").to_number<std::uint64_t>() == 1u);
    r.k.interrupts(interrupts_text(300));
    BOOST_REQUIRE(r.samples->sample_once(std::chrono::system_clock::now()));
    auto after_sample = get();
    BOOST_TEST(after_sample.at("samples").to_number<std::uint64_t>() == 3u);
    BOOST_TEST(after_sample.at("last_sample").as_string() == core::format_rfc3339(r.samples->latest_time()));
}

// A section without a key is built on every request: what it shows is never old.
BOOST_AUTO_TEST_CASE(health_with_a_section_without_key_is_built_every_time) {
    router r;
    std::uint64_t calls = 0;
    r.ctx->health_sections.push_back({.add = [&](json::object& o) { o["calls"] = ++calls; }});
    for (std::uint64_t i = 1; i <= 3; ++i) {
        auto v = json::parse(r.call(http::verb::get, "/api/v1/health").body());
        BOOST_TEST(v.at("calls").to_number<std::uint64_t>() == i);
    }
}

namespace {

// A request answered after slices on the io_context, with `between` run after the first slice.
response sliced(router& r, const std::string& target, const std::function<void()>& between) {
    std::optional<response> got;
    handle_request(request{http::verb::get, target, 11}, [&](response res) { got = std::move(res); }, *r.ctx);
    BOOST_TEST(!got.has_value());   // not answered at once
    r.io.restart();
    BOOST_TEST(r.io.run_one() == 1u);
    BOOST_TEST(!got.has_value());
    between();
    r.io.restart();
    r.io.run_for(std::chrono::seconds(5));
    BOOST_REQUIRE_MESSAGE(got, "no answer to " << target);
    return std::move(*got);
}

// The restarts and one-piece sums of sliced windows, as health shows them (answered at once: a job
// waiting on the io_context stays where it is); /metrics must agree.
std::string restarts_shown(router& r) {
    std::optional<response> health;
    handle_request(request{http::verb::get, "/api/v1/health", 11}, [&](response res) { health = std::move(res); }, *r.ctx);
    BOOST_REQUIRE(health);
    auto sums = json::parse(health->body()).at("sliced_sums");
    const auto restarts = std::to_string(sums.at("restarts").to_number<std::uint64_t>());
    const auto one_piece = std::to_string(sums.at("one_piece").to_number<std::uint64_t>());
    std::string text;
    metrics_renderer(metrics_sources{*r.samples, *r.writer}).render(text);
    BOOST_TEST(text.find("\nirqd_sliced_sum_restarts_total " + restarts + "\n") != std::string::npos);
    BOOST_TEST(text.find("\nirqd_sliced_sum_one_piece_total " + one_piece + "\n") != std::string::npos);
    return restarts + " restarts, " + one_piece + " in one piece";
}

void slice_by_rows(router& r) {
    r.ctx->io = &r.io;
    r.cfg.limit.query_slice_cells = 1;   // a row per slice
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_big_window_is_summed_in_slices_to_the_answer_of_one_piece) {
    using namespace std::chrono_literals;
    router r(10s);
    answer_cache answers(16, 1 << 20);
    r.ctx->answers = &answers;
    const std::string all = "/api/v1/interrupts?window=1m", cpus = "/api/v1/cpus?window=1m";
    const auto whole_all = r.call(http::verb::get, all).body();   // no io_context: one piece
    const auto whole_cpus = r.call(http::verb::get, cpus).body();
    const auto whole_one = r.call(http::verb::get, "/api/v1/interrupts/30?window=1m").body();
    answers.clear();
    slice_by_rows(r);

    BOOST_TEST(sliced(r, all, [] {}).body() == whole_all);
    auto first = sliced(r, cpus, [] {});
    BOOST_TEST(first.body() == whole_cpus);
    // A small answer summed in slices is kept like one made at once: the next poll is a copy.
    BOOST_TEST(answers.size() == 2u);
    BOOST_TEST(r.call(http::verb::get, cpus)[http::field::etag] == first[http::field::etag]);
    BOOST_TEST(answers.counters().hits == 1u);
    // One IRQ's window sums that row alone, at once.
    BOOST_TEST(r.call(http::verb::get, "/api/v1/interrupts/30?window=1m").body() == whole_one);

    // A sample between two slices drops none of the frames summed: the answer is the one the history
    // had when the request came, and it is not kept (the data moved since).
    answers.clear();
    auto during = sliced(r, all, [&] {
        r.k.interrupts(interrupts_text(300));
        BOOST_REQUIRE(r.samples->sample_once(r.last_sample + 1s));
    });
    BOOST_TEST(during.body() == whole_all);
    BOOST_TEST(answers.size() == 0u);
    r.ctx->answers = nullptr;

    // A client gone before the sum is done gets nothing, and the job ends.
    bool answered = false, gone = false;
    handle_request(request{http::verb::get, all, 11},
                   responder([&](response) { answered = true; }, {}, [&] { return gone; }), *r.ctx);
    r.io.restart();
    BOOST_TEST(r.io.run_one() == 1u);
    gone = true;
    r.io.restart();
    r.io.run_for(1s);
    BOOST_TEST(!answered);
    BOOST_TEST(r.io.stopped());   // nothing left to run
}

BOOST_AUTO_TEST_CASE(a_sample_that_drops_a_frame_being_summed_starts_the_sum_again_on_the_new_history) {
    using namespace std::chrono_literals;
    router r(10s, 1s);   // the history keeps one frame: the next sample drops it
    const std::string all = "/api/v1/interrupts?window=1m";
    const auto old_answer = r.call(http::verb::get, all).body();
    slice_by_rows(r);
    auto moved = sliced(r, all, [&] {
        r.k.interrupts(interrupts_text(320));
        BOOST_REQUIRE(r.samples->sample_once(r.last_sample + 1s));
        BOOST_TEST(restarts_shown(r) == "0 restarts, 0 in one piece");   // health keeps this body ...
    });
    auto v = json::parse(moved.body());
    BOOST_TEST(v.at("total").to_number<std::uint64_t>() == 70u);   // the new frame alone
    BOOST_TEST(v.at("window").at("frames").to_number<int>() == 1);
    BOOST_TEST(restarts_shown(r) == "1 restarts, 0 in one piece");   // ... until the restart moves its key
    r.ctx->io = nullptr;
    BOOST_TEST(moved.body() == r.call(http::verb::get, all).body());
    BOOST_TEST(moved.body() != old_answer);

    // A sample after every slice: two restarts, then the third sum is made in one piece.
    r.ctx->io = &r.io;
    std::optional<response> got;
    handle_request(request{http::verb::get, all, 11}, [&](response res) { got = std::move(res); }, *r.ctx);
    for (int k = 2; !got; ++k) {
        BOOST_TEST_REQUIRE(k < 10);
        r.io.restart();
        BOOST_TEST(r.io.run_one() == 1u);
        r.k.interrupts(interrupts_text(320 + 10 * static_cast<unsigned>(k)));
        BOOST_REQUIRE(r.samples->sample_once(r.last_sample + std::chrono::seconds(k)));
    }
    BOOST_TEST(restarts_shown(r) == "4 restarts, 1 in one piece");
    BOOST_TEST(json::parse(got->body()).at("window").at("frames").to_number<int>() == 1);
}
