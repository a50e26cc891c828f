// JSON writer with readable doubles (see json_text.hpp); strings and keys are escaped by Boost.JSON.
#include "irqd/service/json_text.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <unordered_set>
#include <vector>

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

// A JSON string, escaped as boost::json::serialize does (" and \ with a backslash, \b \f \n \r \t,
// other bytes below 0x20 as \u00xx, everything else as is), without the temporary string serialize returns.
void append_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t plain = 0;   // the start of the run not yet copied
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + plain, i - plain);
        plain = i + 1;
        out += '\\';
        switch (c) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '\b': out += 'b'; break;
            case '\f': out += 'f'; break;
            case '\n': out += 'n'; break;
            case '\r': out += 'r'; break;
            case '\t': out += 't'; break;
            default:
                out += "u00";
                out += hex[c >> 4];
                out += hex[c & 15];
        }
    }
    out.append(s.data() + plain, s.size() - plain);
    out += '"';
}

}  // namespace

void append_json(std::string& out, const boost::json::value& v) {
    switch (v.kind()) {
        case boost::json::kind::null: out += "null"; break;
        case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
        case boost::json::kind::int64: append_number(out, v.get_int64()); break;
        case boost::json::kind::uint64: append_number(out, v.get_uint64()); break;
        case boost::json::kind::double_: append_double(out, v.get_double()); break;
        case boost::json::kind::string: append_string(out, v.get_string()); break;
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
                append_string(out, kv.key());
                out += ':';
                append_json(out, kv.value());
            }
            out += '}';
            break;
        }
    }
}

namespace {
// A basic_parser handler that only remembers the keys of each open object and stops at a repeat.
struct key_checker {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);
    using error_code = boost::system::error_code;
    using string_view = boost::json::string_view;

    std::vector<std::unordered_set<std::string>> open;   // keys of each object being read, innermost last
    std::string key;
    std::optional<std::string> duplicate;

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }
    bool on_object_begin(error_code&) {
        open.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t, error_code&) {
        open.pop_back();
        return true;
    }
    bool on_array_begin(error_code&) { return true; }
    bool on_array_end(std::size_t, error_code&) { return true; }
    bool on_key_part(string_view s, std::size_t, error_code&) {
        key.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code& ec) {
        key.append(s.data(), s.size());
        if (!open.back().insert(key).second) {
            duplicate = key;
            ec = boost::json::error::syntax;   // stops the parser; `duplicate` says why
            return false;
        }
        key.clear();
        return true;
    }
    bool on_string_part(string_view, std::size_t, error_code&) { return true; }
    bool on_string(string_view, std::size_t, error_code&) { return true; }
    bool on_number_part(string_view, error_code&) { return true; }
    bool on_int64(std::int64_t, string_view, error_code&) { return true; }
    bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
    bool on_double(double, string_view, error_code&) { return true; }
    bool on_bool(bool, error_code&) { return true; }
    bool on_null(error_code&) { return true; }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }
};
}  // namespace

std::optional<std::string> duplicate_json_key(std::string_view text) {
    boost::json::basic_parser<key_checker> p(boost::json::parse_options{});
    boost::system::error_code ec;
    p.write_some(false, text.data(), text.size(), ec);
    return p.handler().duplicate;
}

std::variant<boost::json::value, json_body_problem> parse_json_body(std::string_view body) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec) return json_body_problem{"bad_json", "request body is not valid JSON: " + ec.message()};
    if (auto key = duplicate_json_key(body))
        return json_body_problem{"duplicate_key", "request body names '" + *key + "' twice in one object"};
    return v;
}

std::string to_json_text(const boost::json::value& v) {
    std::string out;
    append_json(out, v);
    return out;
}

}  // namespace irqd::service
