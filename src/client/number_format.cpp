// Number formatting for irqctl's tables.
#include "irqd/client/number_format.hpp"

#include <cmath>
#include <cstdio>

namespace irqd::client {

namespace {
std::string printf_string(const char* format, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, value);
    return buf;
}

// Three significant digits with a suffix, for values of 1000 and up.
std::string compact_text(double value) {
    static constexpr const char* suffixes[] = {"k", "M", "G", "T", "P", "E"};
    std::size_t s = 0;
    double v = value / 1000.0;
    while (true) {
        // Round first, so 999.95k becomes "1.00M" rather than "1000k".
        double shown = v < 9.995 ? std::round(v * 100) / 100 : v < 99.95 ? std::round(v * 10) / 10 : std::round(v);
        if (shown < 1000 || s + 1 == std::size(suffixes)) {
            const char* f = shown < 10 ? "%.2f" : shown < 100 ? "%.1f" : "%.0f";
            return printf_string(f, shown) + suffixes[s];
        }
        v /= 1000.0;
        ++s;
    }
}
}  // namespace

std::string format_count(std::uint64_t value, bool compact) {
    if (!compact || value < 1000) return std::to_string(value);
    return compact_text(static_cast<double>(value));
}

std::string format_rate(double per_second, bool compact) {
    if (!(per_second >= 0)) per_second = 0;   // NaN or negative: nothing measured
    if (compact && std::round(per_second) >= 1000) return compact_text(per_second);
    if (per_second >= 99.95) return printf_string("%.0f", per_second);
    return printf_string("%.1f", per_second);
}

std::string format_share(double share) {
    if (!(share >= 0)) share = 0;
    return printf_string("%.1f", share * 100) + "%";
}

}  // namespace irqd::client
