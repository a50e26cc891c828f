// Scanning helpers for the small /proc parsers (see text_scan.hpp).
#include "text_scan.hpp"

#include "irqd/core/hex_value.hpp"

namespace irqd::core::scan {

bool next_line(std::string_view& text, std::string_view& line) {
    if (text.empty()) return false;
    const auto nl = text.find('\n');
    line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    return true;
}

std::string_view next_token(std::string_view& line) {
    std::size_t i = 0;
    while (i < line.size() && is_blank(line[i])) ++i;
    std::size_t e = i;
    while (e < line.size() && !is_blank(line[e])) ++e;
    const auto token = line.substr(i, e - i);
    line.remove_prefix(e);
    return token;
}

namespace {
std::optional<std::uint64_t> number(std::string_view s, unsigned base) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        const int d = hex_value(c);
        if (d < 0 || static_cast<unsigned>(d) >= base) return std::nullopt;
        if (__builtin_mul_overflow(v, std::uint64_t{base}, &v) || __builtin_add_overflow(v, std::uint64_t(d), &v))
            return std::nullopt;
    }
    return v;
}
}  // namespace

std::optional<std::uint64_t> decimal(std::string_view s) { return number(s, 10); }
std::optional<std::uint64_t> hex(std::string_view s) { return number(s, 16); }

bool cpu_header(std::string_view line, std::vector<unsigned>& cpus) {
    cpus.clear();
    for (auto token = next_token(line); !token.empty(); token = next_token(line)) {
        if (token.size() < 4 || token.substr(0, 3) != "CPU") return false;
        const auto cpu = decimal(token.substr(3));
        if (!cpu || *cpu > 0xffffffu || (!cpus.empty() && *cpu <= cpus.back())) return false;
        cpus.push_back(static_cast<unsigned>(*cpu));
    }
    return !cpus.empty();
}

std::string quoted(std::string_view s) {
    constexpr std::size_t max_len = 32;
    std::string r = "'";
    r.append(s.substr(0, max_len));
    if (s.size() > max_len) r += "...";
    r += '\'';
    return r;
}

}  // namespace irqd::core::scan
