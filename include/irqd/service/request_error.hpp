// A refused request as the API answers it: an HTTP status, a stable code and a sentence for people.
// What the request parsers (affinity, balance options, ...) return instead of a value.
#pragma once

#include <string>

namespace irqd::service {

struct request_error {
    unsigned status = 400;
    std::string code;
    std::string message;
};

}  // namespace irqd::service
