// Tests for hex_value: every digit of either case, and the characters next to the digit ranges.
#define BOOST_TEST_MODULE hex_value
#include <boost/test/unit_test.hpp>

#include "irqd/core/hex_value.hpp"

using irqd::core::hex_value;

static_assert(hex_value('f') == 15);   // usable in constant expressions

BOOST_AUTO_TEST_CASE(digits_of_either_case) {
    const std::string_view lower = "0123456789abcdef", upper = "0123456789ABCDEF";
    for (int i = 0; i < 16; ++i) {
        BOOST_TEST(hex_value(lower[static_cast<std::size_t>(i)]) == i);
        BOOST_TEST(hex_value(upper[static_cast<std::size_t>(i)]) == i);
    }
}

BOOST_AUTO_TEST_CASE(anything_else_is_minus_one) {
    for (char c : std::string_view("/:@G`gxX %-\n\0", 13)) BOOST_TEST(hex_value(c) == -1, int(c));
    for (int c = 128; c < 256; ++c) BOOST_TEST(hex_value(static_cast<char>(c)) == -1, c);
}
