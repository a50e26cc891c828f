// Small scanning helpers shared by the parsers of /proc/stat, /proc/softirqs and softnet_stat:
// lines, blank-separated tokens, decimal and hex numbers without allocation or exceptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irqd::core::scan {

constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Splits off the next line (without its '\n'); false at the end of the text.
bool next_line(std::string_view& text, std::string_view& line);
// The next blank-separated token of `line`, consumed; empty at the end.
std::string_view next_token(std::string_view& line);
// Whole-token numbers; nullopt for empty text, other characters, or a value above 2^64-1.
std::optional<std::uint64_t> decimal(std::string_view s);
std::optional<std::uint64_t> hex(std::string_view s);
// "CPU0 CPU1 CPU4": CPU numbers in ascending order; false for anything else.
bool cpu_header(std::string_view line, std::vector<unsigned>& cpus);
// A piece of a bad line for an issue reason, cut short so garbage cannot bloat the report.
std::string quoted(std::string_view s);

}  // namespace irqd::core::scan
