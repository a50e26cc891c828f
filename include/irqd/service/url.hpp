// Request targets: path and percent-decoded query parameters, with errors for malformed escapes.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "irqd/core/result.hpp"

namespace irqd::service {

struct target {
    std::string path;                                          // decoded, without the query
    std::vector<std::string> segments;                         // path split on '/', empty ones dropped
    std::vector<std::pair<std::string, std::string>> query;

    const std::string* param(std::string_view key) const;      // the last value of key, or null
    // The first parameter not in `allowed`, if any (so typos get a clear 400, not silent defaults).
    const std::string* unknown_param(std::initializer_list<std::string_view> allowed) const;
};

core::result<std::string> percent_decode(std::string_view text, bool plus_is_space);
core::result<target> parse_target(std::string_view text);

}  // namespace irqd::service
