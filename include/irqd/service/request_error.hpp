// A refused request as the API answers it: an HTTP status, a stable code and a sentence for people.
// What the request parsers (affinity, balance options, ...) return instead of a value, and the one
// place the {"error": {"code", "message"}} body is built.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace irqd::service {

struct request_error {
    unsigned status = 400;
    std::string code;
    std::string message;
};

// {"error": {"code": code, "message": message}}; callers may add keys to the inner object.
inline boost::json::object error_json(std::string_view code, std::string_view message) {
    return boost::json::object{{"error", boost::json::object{{"code", code}, {"message", message}}}};
}

}  // namespace irqd::service
