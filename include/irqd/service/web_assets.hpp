// The files under web/ (dashboard HTML, JS, CSS, openapi.json), compiled into the binary by
// cmake/embed_assets.cmake, so irqd serves them with nothing installed beside it.
#pragma once

#include <span>
#include <string_view>

namespace irqd::service {

struct web_asset {
    std::string_view name;           // file name under web/ ("index.html")
    std::string_view content_type;
    std::string_view body;
};

std::span<const web_asset> web_assets();
const web_asset* find_web_asset(std::string_view name);   // null when there is none

}  // namespace irqd::service
