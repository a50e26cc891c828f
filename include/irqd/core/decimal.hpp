// Unsigned integers as decimal text, for the places that write millions of them per answer (the
// /metrics exposition: one number per IRQ x CPU cell). The same characters as std::to_chars, faster
// for the 32-bit counters the kernel prints: no digit count first, two digits per table look-up, and
// divisions by constants only.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>

namespace irqd::core {

namespace decimal_detail {
inline constexpr char pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline char* two(char* p, std::uint32_t v) {   // v < 100, always two digits
    std::memcpy(p, pairs + 2 * v, 2);
    return p + 2;
}
inline char* four(char* p, std::uint32_t v) {   // v < 10000, always four digits
    return two(two(p, v / 100), v % 100);
}
inline char* up_to_four(char* p, std::uint32_t v) {   // v < 10000, no leading zeros
    if (v < 10) {
        *p = static_cast<char>('0' + v);
        return p + 1;
    }
    if (v < 100) return two(p, v);
    if (v < 1000) {
        *p = static_cast<char>('0' + v / 100);
        return two(p + 1, v % 100);
    }
    return four(p, v);
}
}  // namespace decimal_detail

// Writes v at p (at most 20 characters, no terminator) and returns the end.
inline char* write_decimal(char* p, std::uint64_t v) {
    using namespace decimal_detail;
    if (v >= 10'000'000'000ull) return std::to_chars(p, p + 20, v).ptr;
    if (v < 10'000) return up_to_four(p, static_cast<std::uint32_t>(v));
    if (v < 100'000'000) {
        const auto x = static_cast<std::uint32_t>(v);
        return four(up_to_four(p, x / 10'000), x % 10'000);
    }
    const std::uint64_t hi = v / 100'000'000;   // 1 or 2 digits
    const auto lo = static_cast<std::uint32_t>(v % 100'000'000);
    p = up_to_four(p, static_cast<std::uint32_t>(hi));
    return four(four(p, lo / 10'000), lo % 10'000);
}

}  // namespace irqd::core
