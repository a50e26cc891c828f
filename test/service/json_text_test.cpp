// The JSON writer: numbers as people read them, everything else as Boost.JSON writes it.
#define BOOST_TEST_MODULE json_text
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <limits>

#include "irqd/service/json_text.hpp"

using irqd::service::duplicate_json_key;
using irqd::service::to_json_text;
namespace json = boost::json;

BOOST_AUTO_TEST_CASE(doubles_are_plain_and_round_trip) {
    BOOST_TEST(to_json_text(54985.582940293585) == "54985.582940293585");
    BOOST_TEST(to_json_text(10.003713166) == "10.003713166");
    BOOST_TEST(to_json_text(2.0) == "2.0");
    BOOST_TEST(to_json_text(0.0) == "0.0");
    BOOST_TEST(to_json_text(-0.25) == "-0.25");
    BOOST_TEST(to_json_text(1e-9) == "1e-09");
    BOOST_TEST(to_json_text(1e20) == "1e+20");
    BOOST_TEST(to_json_text(std::numeric_limits<double>::infinity()) == "null");
    BOOST_TEST(to_json_text(std::numeric_limits<double>::quiet_NaN()) == "null");
    for (double d : {54985.582940293585, 1.0 / 3.0, 123456789.125, 1e-7, 6.02e23})
        BOOST_TEST(json::parse(to_json_text(d)).as_double() == d);
}

BOOST_AUTO_TEST_CASE(everything_else_matches_boost_json) {
    json::value v = json::parse(R"({"a":[1,-2,18446744073709551615,true,false,null],"k\"ey":"t\u00e9xt\n\u0001","o":{}})");
    BOOST_TEST(to_json_text(v) == json::serialize(v));
    BOOST_TEST(json::parse(to_json_text(v)) == v);
}

BOOST_AUTO_TEST_CASE(every_byte_in_strings_and_keys_is_escaped_as_boost_json_does) {
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    json::value v = json::object{{all, all}, {"plain", "no escapes"}, {"", ""}};
    BOOST_TEST(to_json_text(v) == json::serialize(v));
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_found_at_any_depth) {
    BOOST_TEST(!duplicate_json_key(R"({"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]})"));   // same key, other objects
    BOOST_TEST(duplicate_json_key(R"({"cpu":0,"cpu":1})").value_or("") == "cpu");
    BOOST_TEST(duplicate_json_key(R"({"changes":[{"irq":30,"cpus":"1","cpus":"0"}]})").value_or("") == "cpus");
    BOOST_TEST(duplicate_json_key(R"({"a\u0062":1,"ab":2})").value_or("") == "ab");   // compared unescaped
    BOOST_TEST(!duplicate_json_key("{\"a\":1"));   // not JSON: the parse says so, not this
    BOOST_TEST(!duplicate_json_key("[]"));
    // A hash set per object: 100,000 distinct keys are read once, not compared pairwise.
    std::string many = "{";
    for (int i = 0; i < 100000; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
    BOOST_TEST(!duplicate_json_key(many + "}"));
    BOOST_TEST(duplicate_json_key(many + ",\"k7\":1}").value_or("") == "k7");
}
