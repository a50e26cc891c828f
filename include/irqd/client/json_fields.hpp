// Tolerant readers for the fields of the daemon's JSON: a missing or mistyped field reads as a
// default, so a newer daemon's additions or an older one's omissions never crash a table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

inline const boost::json::value* field(const boost::json::value& v, std::string_view key) {
    const auto* o = v.if_object();
    return o ? o->if_contains(key) : nullptr;
}

inline double number_field(const boost::json::value& v, std::string_view key, double def = 0) {
    const auto* f = field(v, key);
    if (!f) return def;
    if (f->is_double()) return f->as_double();
    if (f->is_int64()) return static_cast<double>(f->as_int64());
    if (f->is_uint64()) return static_cast<double>(f->as_uint64());
    return def;
}

inline std::uint64_t count_value(const boost::json::value& v) {
    if (v.is_uint64()) return v.as_uint64();
    if (v.is_int64()) return v.as_int64() < 0 ? 0 : static_cast<std::uint64_t>(v.as_int64());
    if (v.is_double()) return v.as_double() < 0 ? 0 : static_cast<std::uint64_t>(v.as_double());
    return 0;
}

inline std::uint64_t count_field(const boost::json::value& v, std::string_view key) {
    const auto* f = field(v, key);
    return f ? count_value(*f) : 0;
}

// Printable: these strings go to a terminal (terminal.hpp).
inline std::string string_field(const boost::json::value& v, std::string_view key, std::string_view def = "") {
    const auto* f = field(v, key);
    return f && f->is_string() ? printable(f->as_string()) : std::string(def);
}

inline bool bool_field(const boost::json::value& v, std::string_view key, bool def = false) {
    const auto* f = field(v, key);
    return f && f->is_bool() ? f->as_bool() : def;
}

inline const boost::json::array& array_field(const boost::json::value& v, std::string_view key) {
    static const boost::json::array empty;
    const auto* f = field(v, key);
    return f && f->is_array() ? f->as_array() : empty;
}

}  // namespace irqd::client
