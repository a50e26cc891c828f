// Who may change state: an optional bearer token, read once at start from a file only irqd's user
// can read, required on every request that is not a read. Compared in constant time; never logged.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "irqd/core/result.hpp"
#include "irqd/service/http_server.hpp"

namespace irqd::service {

class access_guard {
public:
    // Reads FILE: a regular file owned by the effective user, no group or other permission bits
    // (0600 or stricter), holding one token of at least 16 printable characters (a final newline is
    // dropped). Anything else is one sentence for the caller to print before exiting 2.
    static core::result<access_guard> from_file(const std::filesystem::path& file, bool required_for_reads);

    // Whether `req` must carry the token: every method but GET and HEAD, and those too when asked.
    bool needs_token(const request& req) const;
    bool authorized(const request& req) const;
    // The 401 for a request that needed the token and lacks it (or has another one).
    response unauthorized(const request& req) const;

private:
    std::string token_;
    bool reads_ = false;
};

// Equal strings, in a time that depends only on `expected`'s length, not on where they differ.
bool constant_time_equal(std::string_view given, std::string_view expected);

}  // namespace irqd::service
