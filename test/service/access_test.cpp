// The bearer token's comparison, without a daemon (the token over HTTP: test/e2e/access_test.cpp).
#define BOOST_TEST_MODULE access
#include <boost/test/unit_test.hpp>

#include "irqd/service/access.hpp"

using namespace irqd::service;

BOOST_AUTO_TEST_CASE(token_comparison) {
    BOOST_TEST(constant_time_equal("abcdefghijklmnop", "abcdefghijklmnop"));
    BOOST_TEST(!constant_time_equal("abcdefghijklmnoq", "abcdefghijklmnop"));
    BOOST_TEST(!constant_time_equal("abcdefghijklmno", "abcdefghijklmnop"));
    BOOST_TEST(!constant_time_equal("abcdefghijklmnopq", "abcdefghijklmnop"));
    BOOST_TEST(!constant_time_equal("", "abcdefghijklmnop"));
}
