// Durations and instants as clients type them: what parses to what, and what is refused with which message.
#define BOOST_TEST_MODULE time_parse
#include <boost/test/unit_test.hpp>

#include "clock_time_print.hpp"
#include "irqd/core/time_parse.hpp"

using namespace irqd::core;
using namespace std::chrono;
using namespace std::chrono_literals;

namespace {

milliseconds duration_of(std::string_view text) {
    auto r = parse_duration(text);
    BOOST_TEST_REQUIRE(r.has_value(), "parse_duration(\"" << text << "\"): " << (r ? std::string() : r.error_message()));
    return *r;
}

std::string duration_error(std::string_view text) {
    auto r = parse_duration(text);
    BOOST_TEST_REQUIRE(!r.has_value(), "parse_duration(\"" << text << "\") should fail");
    return r.error_message();
}

clock_time time_of(std::string_view text) {
    auto r = parse_time(text);
    BOOST_TEST_REQUIRE(r.has_value(), "parse_time(\"" << text << "\"): " << (r ? std::string() : r.error_message()));
    return *r;
}

std::string time_error(std::string_view text) {
    auto r = parse_time(text);
    BOOST_TEST_REQUIRE(!r.has_value(), "parse_time(\"" << text << "\") should fail");
    return r.error_message();
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

// 2026-11-23T19:32:56Z, built with calendar arithmetic rather than a literal epoch number.
const clock_time sample_instant = sys_days{2026y / November / 23} + 19h + 32min + 56s;

}  // namespace

BOOST_AUTO_TEST_CASE(durations_in_every_unit) {
    BOOST_TEST(duration_of("60s") == 60s);
    BOOST_TEST(duration_of("5m") == 5min);
    BOOST_TEST(duration_of("1h") == 1h);
    BOOST_TEST(duration_of("2d") == 48h);
    BOOST_TEST(duration_of("1h30m") == 90min);
    BOOST_TEST(duration_of("250ms") == 250ms);
    BOOST_TEST(duration_of("1d2h3m4s5ms") == 24h + 2h + 3min + 4s + 5ms);
    BOOST_TEST(duration_of("0s") == 0ms);
}

BOOST_AUTO_TEST_CASE(bare_numbers_are_seconds) {
    BOOST_TEST(duration_of("90") == 90s);
    BOOST_TEST(duration_of("0") == 0ms);
    BOOST_TEST(duration_of("1.5") == 1500ms);
}

BOOST_AUTO_TEST_CASE(fractions_down_to_the_millisecond) {
    BOOST_TEST(duration_of("1.5h") == 90min);
    BOOST_TEST(duration_of("0.25s") == 250ms);
    BOOST_TEST(duration_of(".5m") == 30s);
    BOOST_TEST(duration_of("1.5000000000s") == 1500ms);
    BOOST_TEST(contains(duration_error("1.0001s"), "finer than a millisecond"));
    BOOST_TEST(contains(duration_error("1.5ms"), "finer than a millisecond"));
}

BOOST_AUTO_TEST_CASE(bad_durations_say_why) {
    BOOST_TEST(contains(duration_error(""), "empty"));
    BOOST_TEST(contains(duration_error("-5s"), "negative"));
    BOOST_TEST(contains(duration_error("5x"), "unknown unit \"x\""));
    BOOST_TEST(contains(duration_error("99999999999d"), "too large"));
    BOOST_TEST(contains(duration_error("99999999999999999999999"), "too large"));
    BOOST_TEST(contains(duration_error("1h30"), "no unit"));
    BOOST_TEST(contains(duration_error("30m1h"), "largest to smallest"));
    BOOST_TEST(contains(duration_error("1m1m"), "largest to smallest"));
    BOOST_TEST(contains(duration_error("h"), "expected a number"));
    BOOST_TEST(contains(duration_error("5.s"), "no digits after"));
    BOOST_TEST(contains(duration_error(" 5s"), "expected a number"));
    BOOST_TEST(contains(duration_error("5s "), "expected a number"));
    BOOST_TEST(duration_of("106751d") == 106751 * 24h);
    BOOST_TEST(contains(duration_error("106752d"), "too large"));
}

BOOST_AUTO_TEST_CASE(durations_format_largest_unit_first) {
    BOOST_TEST(format_duration(90min) == "1h30m");
    BOOST_TEST(format_duration(60s) == "1m");
    BOOST_TEST(format_duration(59s) == "59s");
    BOOST_TEST(format_duration(250ms) == "250ms");
    BOOST_TEST(format_duration(0ms) == "0s");
    BOOST_TEST(format_duration(30 * 24h) == "30d");
    BOOST_TEST(format_duration(24h + 1h + 1min + 1s + 1ms) == "1d1h1m1s1ms");
    BOOST_TEST(format_duration(-5s) == "-5s");
}

BOOST_AUTO_TEST_CASE(formatted_durations_parse_back) {
    for (const milliseconds d : {0ms, 1ms, 999ms, 1000ms, 61'001ms, 3'600'000ms, 90'061'001ms}) {
        BOOST_TEST(duration_of(format_duration(d)) == d);
    }
}

BOOST_AUTO_TEST_CASE(rfc3339_in_utc) {
    BOOST_TEST(time_of("2026-11-23T19:32:56Z") == sample_instant);
    BOOST_TEST(time_of("2026-11-23t19:32:56z") == sample_instant);
    BOOST_TEST(time_of("2026-11-23 19:32:56Z") == sample_instant);
    BOOST_TEST(time_of("1970-01-01T00:00:00Z") == clock_time{});
}

BOOST_AUTO_TEST_CASE(rfc3339_fractional_seconds) {
    BOOST_TEST(time_of("2026-11-23T19:32:56.5Z") == sample_instant + 500ms);
    BOOST_TEST(time_of("2026-11-23T19:32:56.123Z") == sample_instant + 123ms);
    BOOST_TEST(time_of("2026-11-23T19:32:56.000001Z") == sample_instant + 1us);
    // Beyond nanoseconds the digits are dropped.
    BOOST_TEST(time_of("2026-11-23T19:32:56.1234567899Z") == sample_instant + 123'456'789ns);
}

BOOST_AUTO_TEST_CASE(rfc3339_offsets) {
    BOOST_TEST(time_of("2026-11-23T20:32:56+01:00") == sample_instant);
    BOOST_TEST(time_of("2026-11-23T14:02:56-05:30") == sample_instant);
    BOOST_TEST(time_of("2026-11-23T19:32:56-00:00") == sample_instant);
    // An offset that moves the instant to the previous day.
    BOOST_TEST(time_of("2026-11-24T01:32:56+06:00") == sample_instant);
}

BOOST_AUTO_TEST_CASE(calendar_edges) {
    BOOST_TEST(time_of("2024-02-29T00:00:00Z") == clock_time{sys_days{2024y / February / 29}});
    BOOST_TEST(contains(time_error("2023-02-29T00:00:00Z"), "no such date"));
    BOOST_TEST(contains(time_error("2026-13-01T00:00:00Z"), "no such date"));
    BOOST_TEST(contains(time_error("2026-11-23T24:00:00Z"), "hour out of range"));
    BOOST_TEST(contains(time_error("2026-11-23T23:60:00Z"), "minute out of range"));
    BOOST_TEST(contains(time_error("2026-11-23T23:59:60Z"), "leap seconds"));
    BOOST_TEST(time_of("1969-12-31T23:59:59Z") == clock_time{} - 1s);
}

BOOST_AUTO_TEST_CASE(bad_rfc3339_says_why) {
    BOOST_TEST(contains(time_error("2026-11-23T19:32:56"), "missing time zone"));
    BOOST_TEST(contains(time_error("2026-11-23"), "missing 'T'"));
    BOOST_TEST(contains(time_error("2026-11-23T19:32Z"), "bad minute"));
    BOOST_TEST(contains(time_error("2026-11-23T19:32:56+1:00"), "bad offset"));
    BOOST_TEST(contains(time_error("2026-11-23T19:32:56+24:00"), "offset out of range"));
    BOOST_TEST(contains(time_error("2026-11-23T19:32:56ZZ"), "trailing"));
    BOOST_TEST(contains(time_error("2026-11-23T19:32:56.Z"), "no digits after"));
    BOOST_TEST(contains(time_error("2026-1-23T19:32:56Z"), "bad month"));
    BOOST_TEST(contains(time_error("9999-12-31T23:59:59Z"), "out of range"));
    BOOST_TEST(contains(time_error("1600-01-01T00:00:00Z"), "out of range"));
}

BOOST_AUTO_TEST_CASE(unix_seconds) {
    BOOST_TEST(time_of("1790000000") == clock_time{} + 1'790'000'000s);
    BOOST_TEST(time_of("1790000000.5") == clock_time{} + 1'790'000'000s + 500ms);
    BOOST_TEST(time_of("0") == clock_time{});
    BOOST_TEST(time_of("1795462376") == sample_instant);
}

BOOST_AUTO_TEST_CASE(bad_unix_seconds_say_why) {
    BOOST_TEST(contains(time_error(""), "empty"));
    BOOST_TEST(contains(time_error("-1"), "before 1970"));
    BOOST_TEST(contains(time_error("1790000000."), "no digits after"));
    BOOST_TEST(contains(time_error("17900x"), "neither RFC 3339"));
    BOOST_TEST(contains(time_error("now"), "neither RFC 3339"));
    BOOST_TEST(contains(time_error("99999999999"), "out of range"));
    BOOST_TEST(contains(time_error("99999999999999999999999"), "out of range"));
}

BOOST_AUTO_TEST_CASE(format_rfc3339_utc_with_milliseconds_when_needed) {
    BOOST_TEST(format_rfc3339(sample_instant) == "2026-11-23T19:32:56Z");
    BOOST_TEST(format_rfc3339(sample_instant + 123ms) == "2026-11-23T19:32:56.123Z");
    BOOST_TEST(format_rfc3339(sample_instant + 5ms) == "2026-11-23T19:32:56.005Z");
    // Below a millisecond is truncated, and then it is a whole second again.
    BOOST_TEST(format_rfc3339(sample_instant + 999us) == "2026-11-23T19:32:56Z");
    BOOST_TEST(format_rfc3339(clock_time{} - 500ms) == "1969-12-31T23:59:59.500Z");
}

BOOST_AUTO_TEST_CASE(formatted_times_parse_back) {
    for (const clock_time t : {sample_instant, sample_instant + 1ms, clock_time{}, clock_time{} + 86'399'999ms}) {
        BOOST_TEST(time_of(format_rfc3339(t)) == t);
    }
}
