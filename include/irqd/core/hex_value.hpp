// One hex digit's value, for the two places that read hex: CPU masks ("ff,00000001", cpu_set) and
// %-escapes in request targets (service/url).
#pragma once

namespace irqd::core {

// 0-15 for '0'-'9', 'a'-'f' and 'A'-'F'; -1 for any other character.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace irqd::core
