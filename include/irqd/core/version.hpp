// The version every binary reports (--version, /api/v1/health, User-Agent).
#pragma once
#include <string_view>
namespace irqd::core {
std::string_view version();
}
