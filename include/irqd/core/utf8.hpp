// Text from the kernel is bytes: a driver may name its IRQ with any of them. What irqd passes on
// (JSON, WebSocket messages, Prometheus labels, the state file) must be valid UTF-8.
#pragma once

#include <string>
#include <string_view>

namespace irqd::core {

bool is_valid_utf8(std::string_view text);
// Replaces every byte that does not start or continue a valid UTF-8 sequence (a stray continuation
// byte, a truncated sequence, an overlong form, a surrogate, anything above U+10FFFF) with U+FFFD,
// one per byte. Valid text, the usual case, is left as it is without a copy.
void replace_invalid_utf8(std::string& text);

}  // namespace irqd::core
