// Tests for `irqctl set`'s plans: text and JSON plan files, the PUT/POST they become, and how the
// daemon's answers and errors read.
#define BOOST_TEST_MODULE affinity_plan
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include "irqd/client/affinity_plan.hpp"

using namespace irqd::client;
namespace json = boost::json;

namespace {
std::vector<planned_change> plan(std::string_view text, bool masks = false) {
    auto r = parse_plan(text, masks);
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error_message()));
    return *r;
}
std::string plan_error(std::string_view text) {
    auto r = parse_plan(text, false);
    BOOST_TEST_REQUIRE(!r.has_value());
    return r.error_message();
}
}  // namespace

BOOST_AUTO_TEST_CASE(text_plans_have_one_change_per_line) {
    auto p = plan("# from the balancer\n132 1\n\n  133\t0-3,8   # queue 1\r\n");
    BOOST_TEST((p == std::vector<planned_change>{{132, "1", false}, {133, "0-3,8", false}}));
    BOOST_TEST((plan("132 f\n", true) == std::vector<planned_change>{{132, "f", true}}));
}

BOOST_AUTO_TEST_CASE(text_plan_errors_name_the_line) {
    BOOST_TEST(plan_error("132 1\n133\n") == "line 2: expected 'IRQ CPUS', got '133'");
    BOOST_TEST(plan_error("132 1 2\n") == "line 1: expected 'IRQ CPUS', got '132 1 2'");
    BOOST_TEST(plan_error("132 1\n132 0\n") == "line 2: IRQ 132 appears twice");
    BOOST_TEST(plan_error("# nothing\n") == "the plan has no changes");
    BOOST_TEST(plan_error("x 1\n") == "line 1: IRQ must be a number, not 'x'");
    BOOST_TEST(plan_error("1048576 1\n") == "line 1: IRQ 1048576 is out of range (IRQ numbers are below 1048576)");
}

BOOST_AUTO_TEST_CASE(json_changes_take_cpu_cpus_or_mask) {
    auto p = plan(R"({"changes":[{"irq":132,"cpu":1},{"irq":"133","cpus":"0-1"},{"irq":134,"mask":"3"}]})");
    BOOST_TEST((p == std::vector<planned_change>{{132, "1", false}, {133, "0-1", false}, {134, "3", true}}));
    BOOST_TEST(plan_error(R"({"changes":[{"irq":132,"cpu":1,"cpus":"1"}]})") ==
               "changes[0]: give exactly one of 'cpu', 'cpus' or 'mask'");
    BOOST_TEST(plan_error(R"({"changes":[{"cpu":1}]})") == "changes[0]: 'irq' must be an IRQ number");
    BOOST_TEST(plan_error(R"({"changes":[)").starts_with("plan is not valid JSON"));
}

BOOST_AUTO_TEST_CASE(balance_json_is_a_plan) {
    auto p = plan(R"({"cpus":[0,1],"assignments":[{"irq":"132","name":"eth0-TxRx-0","load":5,"cpu":1},
                     {"irq":"133","name":"eth0-TxRx-1","load":4,"cpu":0}],"metric":{}})");
    BOOST_TEST((p == std::vector<planned_change>{{132, "1", false}, {133, "0", false}}));
}

BOOST_AUTO_TEST_CASE(one_change_is_a_put_several_a_post) {
    auto one = make_affinity_request({{132, "1", false}});
    BOOST_TEST((one.verb == boost::beast::http::verb::put));
    BOOST_TEST(one.target == "/api/v1/interrupts/132/affinity");
    BOOST_TEST(one.body == R"({"cpus":"1"})");
    auto many = make_affinity_request({{132, "1", false}, {133, "f", true}});
    BOOST_TEST((many.verb == boost::beast::http::verb::post));
    BOOST_TEST(many.target == "/api/v1/affinity");
    BOOST_TEST(json::parse(many.body) ==
               json::parse(R"({"changes":[{"cpus":"1","irq":132},{"mask":"f","irq":133}]})"));
}

BOOST_AUTO_TEST_CASE(outcomes_read_before_and_after) {
    auto put = json::parse(R"({"irq":"132","changed":true,"before":"0-1","requested":"1","affinity":"1","mask":"2","effective":"1"})");
    BOOST_TEST(render_affinity_result(put, {}) ==
               "IRQ  BEFORE  AFTER  EFFECTIVE\n"
               "132  0-1     1      1\n"
               "1 of 1 IRQ changed\n");
    auto post = json::parse(R"({"applied":[
        {"irq":"132","changed":false,"before":"1","affinity":"1","effective":"1"},
        {"irq":"133","changed":true,"before":"0-1","affinity":"0","effective":null}],"changed":1})");
    BOOST_TEST(render_affinity_result(post, {}) ==
               "IRQ  BEFORE  AFTER  EFFECTIVE\n"
               "132  1       1      1          unchanged\n"
               "133  0-1     0      -\n"
               "1 of 2 IRQs changed\n");
}

BOOST_AUTO_TEST_CASE(errors_say_what_was_rolled_back) {
    auto rb = json::parse(R"({"error":{"code":"write_failed","message":"writing the affinity of IRQ 140 failed: I/O error",
                             "irq":"140","rolled_back":["132","133"],"rollback_failed":[]}})");
    BOOST_TEST(describe_affinity_error(rb, "") ==
               "writing the affinity of IRQ 140 failed: I/O error (rolled back: 132, 133)");
    auto none = json::parse(R"({"error":{"message":"IRQ 9999 does not exist","rolled_back":[],"rollback_failed":[]}})");
    BOOST_TEST(describe_affinity_error(none, "") == "IRQ 9999 does not exist (nothing was changed)");
    auto bad = json::parse(R"({"error":{"message":"m","rolled_back":["1"],"rollback_failed":["2"]}})");
    BOOST_TEST(describe_affinity_error(bad, "") == "m (rolled back: 1); NOT restored, check by hand: 2");
    auto put = json::parse(R"({"error":{"code":"bad_cpu","message":"CPU 7 is not online"}})");
    BOOST_TEST(describe_affinity_error(put, "") == "CPU 7 is not online");
    BOOST_TEST(describe_affinity_error(json::value(nullptr), "HTTP 502") == "HTTP 502");
}
