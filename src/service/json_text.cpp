// JSON writer with readable doubles (see json_text.hpp); strings and keys are escaped by Boost.JSON.
#include "irqd/service/json_text.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

namespace irqd::service {
namespace {

template <class T>
void append_number(std::string& out, T n) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, n);
    out.append(buf, r.ptr);
}

void append_double(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out += "null";
        return;
    }
    char buf[32];
    // Plain notation for the magnitudes irqd produces (rates, seconds, shares); the shortest
    // round-trip form otherwise.
    auto r = std::fabs(d) < 1e15 && (d == 0 || std::fabs(d) >= 1e-6)
                 ? std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed)
                 : std::to_chars(buf, buf + sizeof buf, d);
    if (r.ec != std::errc{}) r = std::to_chars(buf, buf + sizeof buf, d);
    std::string_view text(buf, static_cast<std::size_t>(r.ptr - buf));
    out += text;
    // A whole double still reads as a number with a fraction, as JSON readers expect of a double.
    if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

}  // namespace

void append_json(std::string& out, const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null: out += "null"; break;
        case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
        case boost::json::kind::int64: append_number(out, v.get_int64()); break;
        case boost::json::kind::uint64: append_number(out, v.get_uint64()); break;
        case boost::json::kind::double_: append_double(out, v.get_double()); break;
        case boost::json::kind::string: out += boost::json::serialize(v.get_string()); break;
        case boost::json::kind::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) out += ',';
                first = false;
                append_json(out, e);
            }
            out += ']';
            break;
        }
        case boost::json::kind::object: {
            out += '{';
            bool first = true;
            for (const auto& kv : v.get_object()) {
                if (!first) out += ',';
                first = false;
                out += boost::json::serialize(boost::json::string_view(kv.key()));
                out += ':';
                append_json(out, kv.value());
            }
            out += '}';
            break;
        }
    }
}

std::string to_json_text(const boost::json::value& v) {
    std::string out;
    append_json(out, v);
    return out;
}

}  // namespace irqd::service
