// Durations and instants as the API and the config spell them, parsed by hand over std::chrono
// (GCC 12's libstdc++ has no chrono::parse) and formatted back the same way.
#include "irqd/core/time_parse.hpp"

#include <cstdint>
#include <cstdio>
#include <limits>

namespace irqd::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr std::uint64_t max_u64 = std::numeric_limits<std::uint64_t>::max();

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads a run of decimal digits at `pos` into `out`; false if there are none or they overflow.
bool read_digits(std::string_view text, std::size_t& pos, std::uint64_t& out, std::size_t& count) {
    out = 0;
    count = 0;
    while (pos < text.size() && is_digit(text[pos])) {
        const std::uint64_t digit = static_cast<std::uint64_t>(text[pos] - '0');
        if (out > (max_u64 - digit) / 10) return false;
        out = out * 10 + digit;
        ++pos;
        ++count;
    }
    return true;
}

// A fixed-width field of exactly `width` digits ("2026", "07").
bool read_fixed(std::string_view text, std::size_t& pos, std::size_t width, int& out) {
    if (pos + width > text.size()) return false;
    out = 0;
    for (std::size_t i = 0; i < width; ++i) {
        if (!is_digit(text[pos + i])) return false;
        out = out * 10 + (text[pos + i] - '0');
    }
    pos += width;
    return true;
}

// Digits after a decimal point as nanoseconds; digits past the ninth are dropped (truncation).
std::int64_t fraction_ns(std::string_view digits) {
    std::int64_t ns = 0;
    for (std::size_t i = 0; i < 9; ++i) ns = ns * 10 + (i < digits.size() ? digits[i] - '0' : 0);
    return ns;
}

struct unit {
    std::string_view name;
    std::uint64_t ms;
};
// Longest names first so "ms" is not read as "m" followed by junk.
constexpr unit duration_units[] = {
    {"ms", 1}, {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000},
};

// Largest first, the order parse_duration insists on and format_duration writes.
constexpr unit format_units[] = {
    {"d", 86'400'000}, {"h", 3'600'000}, {"m", 60'000}, {"s", 1'000}, {"ms", 1},
};

// The clock counts nanoseconds in 64 bits: about the years 1678 to 2262.
constexpr std::int64_t max_clock_seconds = std::numeric_limits<nanoseconds::rep>::max() / 1'000'000'000 - 1;

clock_time time_from(std::int64_t seconds, std::int64_t frac_ns) {
    return clock_time(std::chrono::duration_cast<clock_time::duration>(nanoseconds(seconds * 1'000'000'000 + frac_ns)));
}

result<clock_time> parse_unix_seconds(std::string_view text) {
    std::size_t pos = 0;
    std::uint64_t seconds = 0;
    std::size_t count = 0;
    if (!read_digits(text, pos, seconds, count)) return error{"Unix time " + quoted(text) + " is out of range"};
    std::int64_t frac = 0;
    if (pos < text.size() && text[pos] == '.') {
        const std::size_t start = ++pos;
        while (pos < text.size() && is_digit(text[pos])) ++pos;
        if (pos == start) return error{"Unix time " + quoted(text) + " has no digits after '.'"};
        frac = fraction_ns(text.substr(start, pos - start));
    }
    if (pos != text.size()) {
        return error{"time " + quoted(text) + " is neither RFC 3339 (2026-11-23T19:32:56Z) nor Unix seconds"};
    }
    if (seconds > static_cast<std::uint64_t>(max_clock_seconds)) {
        return error{"Unix time " + quoted(text) + " is out of range (after 2262)"};
    }
    return time_from(static_cast<std::int64_t>(seconds), frac);
}

// YYYY-MM-DD(T|t| )HH:MM:SS[.fraction](Z|z|+HH:MM|-HH:MM)
result<clock_time> parse_rfc3339(std::string_view text) {
    using namespace std::chrono;
    const auto bad = [&](std::string_view what) {
        return error{"time " + quoted(text) + ": " + std::string(what) + " (expected RFC 3339 like 2026-11-23T19:32:56Z)"};
    };
    const auto invalid = [&](std::string_view what) { return error{"time " + quoted(text) + ": " + std::string(what)}; };
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!read_fixed(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-') return bad("bad year");
    if (!read_fixed(text, pos, 2, mo) || pos >= text.size() || text[pos++] != '-') return bad("bad month");
    if (!read_fixed(text, pos, 2, d)) return bad("bad day");
    if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
        return bad("missing 'T' between date and time");
    }
    ++pos;
    if (!read_fixed(text, pos, 2, h) || pos >= text.size() || text[pos++] != ':') return bad("bad hour");
    if (!read_fixed(text, pos, 2, mi) || pos >= text.size() || text[pos++] != ':') return bad("bad minute");
    if (!read_fixed(text, pos, 2, s)) return bad("bad second");
    std::int64_t frac = 0;
    if (pos < text.size() && text[pos] == '.') {
        const std::size_t start = ++pos;
        while (pos < text.size() && is_digit(text[pos])) ++pos;
        if (pos == start) return bad("no digits after '.'");
        frac = fraction_ns(text.substr(start, pos - start));
    }
    if (pos >= text.size()) return bad("missing time zone ('Z' or an offset like +01:00)");
    int offset_minutes = 0;
    if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos++] == '-' ? -1 : 1;
        int oh = 0, om = 0;
        if (!read_fixed(text, pos, 2, oh) || pos >= text.size() || text[pos++] != ':' || !read_fixed(text, pos, 2, om)) {
            return bad("bad offset");
        }
        if (oh > 23 || om > 59) return invalid("offset out of range");
        offset_minutes = sign * (oh * 60 + om);
    } else {
        return bad("bad time zone");
    }
    if (pos != text.size()) return bad("trailing characters");

    const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok()) return invalid("no such date");
    if (h > 23) return invalid("hour out of range");
    if (mi > 59) return invalid("minute out of range");
    if (s > 59) return invalid("second out of range (leap seconds are not supported)");

    // Seconds fit easily in 64 bits for years 0000-9999; nanoseconds do not, hence the range check.
    const std::int64_t secs = sys_days{date}.time_since_epoch().count() * 86'400LL + h * 3'600LL + mi * 60LL + s -
                              offset_minutes * 60LL;
    if (secs > max_clock_seconds || secs < -max_clock_seconds) return invalid("out of range (years 1678 to 2262)");
    return time_from(secs, frac);
}

}  // namespace

result<milliseconds> parse_duration(std::string_view text) {
    if (text.empty()) return error{"empty duration (expected e.g. 60s, 5m, 1h30m, 250ms)"};
    if (text.front() == '-') return error{"duration " + quoted(text) + " is negative"};

    std::uint64_t total_ms = 0;
    std::size_t pos = 0;
    std::size_t last_unit = std::size(format_units);   // index into format_units of the previous unit
    bool first = true;
    while (pos < text.size()) {
        std::uint64_t whole = 0;
        std::size_t digits = 0;
        if (!read_digits(text, pos, whole, digits)) return error{"duration " + quoted(text) + " is too large"};
        std::string_view frac;
        if (pos < text.size() && text[pos] == '.') {
            const std::size_t start = ++pos;
            while (pos < text.size() && is_digit(text[pos])) ++pos;
            frac = text.substr(start, pos - start);
            if (frac.empty()) return error{"duration " + quoted(text) + " has no digits after '.'"};
        }
        if (digits == 0 && frac.empty()) {
            return error{"duration " + quoted(text) + ": expected a number at \"" + std::string(text.substr(pos)) + "\""};
        }

        std::uint64_t unit_ms = 1'000;   // a bare number is seconds
        std::size_t unit_index = 3;
        if (pos == text.size() && first) {
            // Bare number: seconds.
        } else {
            bool found = false;
            for (const auto& u : duration_units) {
                if (text.substr(pos, u.name.size()) == u.name) {
                    unit_ms = u.ms;
                    pos += u.name.size();
                    found = true;
                    break;
                }
            }
            if (!found && pos == text.size()) {
                return error{"duration " + quoted(text) + ": the last number has no unit (use d, h, m, s or ms)"};
            }
            if (!found) {
                return error{"duration " + quoted(text) + ": unknown unit \"" + std::string(text.substr(pos)) +
                             "\" (use d, h, m, s or ms)"};
            }
            unit_index = 0;
            while (format_units[unit_index].ms != unit_ms) ++unit_index;
            if (unit_index <= last_unit && !first) {
                return error{"duration " + quoted(text) + ": units must go from largest to smallest, each once (e.g. 1h30m)"};
            }
        }
        last_unit = unit_index;
        first = false;

        // whole * unit + frac * unit, exactly, refusing what overflows or is finer than a millisecond.
        if (whole > max_u64 / unit_ms) return error{"duration " + quoted(text) + " is too large"};
        std::uint64_t part = whole * unit_ms;
        if (!frac.empty()) {
            // A ninth decimal of a day is under a millisecond, so further digits may only be zeros;
            // keeping nine also keeps numerator * unit_ms below 2^64.
            if (frac.size() > 9) {
                if (frac.substr(9).find_first_not_of('0') != std::string_view::npos) {
                    return error{"duration " + quoted(text) + " is finer than a millisecond"};
                }
                frac = frac.substr(0, 9);
            }
            std::uint64_t numerator = 0, denominator = 1;
            for (char c : frac) {
                numerator = numerator * 10 + static_cast<std::uint64_t>(c - '0');
                denominator *= 10;
            }
            if ((numerator * unit_ms) % denominator != 0) {
                return error{"duration " + quoted(text) + " is finer than a millisecond"};
            }
            part += numerator * unit_ms / denominator;
        }
        if (part > max_u64 - total_ms) return error{"duration " + quoted(text) + " is too large"};
        total_ms += part;
    }
    // Callers add durations to clock times, which count nanoseconds in 64 bits (about 292 years).
    constexpr auto max_ms = static_cast<std::uint64_t>(std::numeric_limits<nanoseconds::rep>::max() / 1'000'000);
    if (total_ms > max_ms) return error{"duration " + quoted(text) + " is too large (at most 106751d)"};
    return milliseconds(static_cast<milliseconds::rep>(total_ms));
}

result<clock_time> parse_time(std::string_view text) {
    if (text.empty()) return error{"empty time (expected RFC 3339 like 2026-11-23T19:32:56Z, or Unix seconds)"};
    if (text.front() == '-') return error{"time " + quoted(text) + " is before 1970"};
    // RFC 3339 starts with a four-digit year and a dash; anything else must be Unix seconds.
    if (text.size() > 4 && text[4] == '-') return parse_rfc3339(text);
    return parse_unix_seconds(text);
}

std::string format_rfc3339(clock_time t) {
    using namespace std::chrono;
    const auto ms = floor<milliseconds>(t);
    const auto day_start = floor<days>(ms);
    const year_month_day date{day_start};
    const hh_mm_ss<milliseconds> tod{ms - day_start};
    char buf[48];
    const int y = static_cast<int>(date.year());
    const auto mo = static_cast<unsigned>(date.month());
    const auto d = static_cast<unsigned>(date.day());
    const auto h = static_cast<int>(tod.hours().count());
    const auto mi = static_cast<int>(tod.minutes().count());
    const auto s = static_cast<int>(tod.seconds().count());
    const auto frac = static_cast<int>(tod.subseconds().count());
    if (frac == 0) {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    } else {
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, frac);
    }
    return buf;
}

std::string format_duration(milliseconds d) {
    if (d == milliseconds::zero()) return "0s";
    std::string out;
    // Unsigned so that the most negative value still has a magnitude.
    auto left = static_cast<std::uint64_t>(d.count());
    if (d.count() < 0) {
        out = "-";
        left = ~left + 1;
    }
    for (const auto& u : format_units) {
        if (left >= u.ms) {
            out += std::to_string(left / u.ms);
            out += u.name;
            left %= u.ms;
        }
    }
    return out;
}

}  // namespace irqd::core
