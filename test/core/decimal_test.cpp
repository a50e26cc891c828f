// Tests for write_decimal: the same text as std::to_chars at every digit-count boundary, for
// pseudo-random values of every magnitude, and at the 32- and 64-bit ends.
#define BOOST_TEST_MODULE decimal
#include <boost/test/unit_test.hpp>

#include <charconv>
#include <cstdint>
#include <random>
#include <string>

#include "irqd/core/decimal.hpp"

namespace {
std::string ours(std::uint64_t v) {
    char buf[24];
    return std::string(buf, irqd::core::write_decimal(buf, v));
}
std::string theirs(std::uint64_t v) {
    char buf[24];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_digit_count_boundary) {
    std::uint64_t p = 1;
    for (int digits = 1; digits <= 19; ++digits, p *= 10)
        for (std::uint64_t v : {p - 1, p, p + 1, p * 2 - 1, p * 5})
            BOOST_TEST(ours(v) == theirs(v), v);
    for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{UINT32_MAX}, std::uint64_t{UINT32_MAX} + 1,
                            std::uint64_t{9'999'999'999}, std::uint64_t{10'000'000'000}, UINT64_MAX, UINT64_MAX - 1})
        BOOST_TEST(ours(v) == theirs(v), v);
}

BOOST_AUTO_TEST_CASE(random_values_of_every_magnitude) {
    std::mt19937_64 rng(16);
    for (int shift = 0; shift < 64; ++shift)
        for (int i = 0; i < 2000; ++i) {
            const std::uint64_t v = rng() >> shift;
            BOOST_TEST_REQUIRE(ours(v) == theirs(v), v);
        }
}
