// Tests for irqctl's number formatting: exact and compact counts, rates and shares.
#define BOOST_TEST_MODULE number_format
#include <boost/test/unit_test.hpp>

#include "irqd/client/number_format.hpp"

using namespace irqd::client;

BOOST_AUTO_TEST_CASE(exact_counts_are_plain_digits) {
    BOOST_TEST(format_count(0, false) == "0");
    BOOST_TEST(format_count(18446744073709551615ull, false) == "18446744073709551615");
}

BOOST_AUTO_TEST_CASE(compact_counts_keep_three_significant_digits) {
    BOOST_TEST(format_count(999, true) == "999");
    BOOST_TEST(format_count(1000, true) == "1.00k");
    BOOST_TEST(format_count(1234, true) == "1.23k");
    BOOST_TEST(format_count(12345, true) == "12.3k");
    BOOST_TEST(format_count(123456, true) == "123k");
    BOOST_TEST(format_count(12345678, true) == "12.3M");
    BOOST_TEST(format_count(2684504094ull, true) == "2.68G");
    BOOST_TEST(format_count(18446744073709551615ull, true) == "18.4E");
}

BOOST_AUTO_TEST_CASE(compact_rounding_carries_into_the_next_suffix) {
    BOOST_TEST(format_count(999'499, true) == "999k");
    BOOST_TEST(format_count(999'500, true) == "1.00M");
    BOOST_TEST(format_count(9'995, true) == "10.0k");
    BOOST_TEST(format_count(99'950, true) == "100k");
}

BOOST_AUTO_TEST_CASE(rates_show_a_decimal_only_when_small) {
    BOOST_TEST(format_rate(0.5, false) == "0.5");
    BOOST_TEST(format_rate(12.34, false) == "12.3");
    BOOST_TEST(format_rate(2684504094.4, false) == "2684504094");
    BOOST_TEST(format_rate(2684504094.4, true) == "2.68G");
    BOOST_TEST(format_rate(999.6, true) == "1.00k");
    BOOST_TEST(format_rate(-3, false) == "0.0");
}

BOOST_AUTO_TEST_CASE(shares_are_percentages) {
    BOOST_TEST(format_share(0.4961) == "49.6%");
    BOOST_TEST(format_share(1.0) == "100.0%");
    BOOST_TEST(format_share(0) == "0.0%");
}
