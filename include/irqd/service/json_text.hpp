// JSON text for people as well as programs: like boost::json::serialize, but a double is written in
// its shortest round-trip form without an exponent where one is not needed ("54985.58", not
// "5.498558E4"), and non-finite values (which JSON cannot hold) as null.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/value.hpp>

namespace irqd::service {

void append_json(std::string& out, const boost::json::value& v);
std::string to_json_text(const boost::json::value& v);

// The first key that appears twice in one object of `text` (Boost.JSON keeps the last silently, so a
// body could say one thing to a reader and another to irqd); nothing when there is none or the text
// is not JSON (the parse that follows says why).
std::optional<std::string> duplicate_json_key(std::string_view text);

// Every request body that is JSON is parsed here: a code and a message for a 400 when it is not JSON
// ("bad_json") or names a key twice in one object ("duplicate_key", naming the key).
struct json_body_problem {
    std::string code;
    std::string message;
};
std::variant<boost::json::value, json_body_problem> parse_json_body(std::string_view body);

}  // namespace irqd::service
