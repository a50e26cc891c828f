// Structured logging to stderr. Values with spaces or quotes are quoted so lines stay machine-readable.
#include "irqd/service/log.hpp"

#include <chrono>
#include <cstdio>

#include "irqd/core/time_parse.hpp"

namespace irqd::service {
namespace {
log_level threshold = log_level::info;

void append_value(std::string& line, std::string_view v) {
    bool plain = !v.empty();
    for (char c : v)
        if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) plain = false;
    if (plain) {
        line += v;
        return;
    }
    line += '"';
    for (char c : v) {
        if (c == '"' || c == '\\') line += '\\';
        if (c == '\n') { line += "\\n"; continue; }
        line += c;
    }
    line += '"';
}
}  // namespace

const char* log_level_name(log_level l) {
    switch (l) {
        case log_level::debug: return "debug";
        case log_level::info: return "info";
        case log_level::warn: return "warn";
        case log_level::error: return "error";
    }
    return "info";
}

void set_log_level(log_level level) { threshold = level; }
bool log_enabled(log_level level) { return level >= threshold; }

void log(log_level level, std::string_view event, std::initializer_list<log_field> fields) {
    if (!log_enabled(level)) return;
    std::string line = core::format_rfc3339(std::chrono::system_clock::now());
    line += " level=";
    line += log_level_name(level);
    line += " event=";
    append_value(line, event);
    for (const auto& [k, v] : fields) {
        line += ' ';
        line += k;
        line += '=';
        append_value(line, v);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace irqd::service
