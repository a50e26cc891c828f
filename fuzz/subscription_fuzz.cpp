// Fuzz target: the WebSocket subscribe message ({"type":"subscribe","cpus":..,"irqs":..,"top":..,
// "every":..}). Accepted subscriptions stay inside the documented bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "irqd/service/stream_hub.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto sub = irqd::service::parse_subscription(text);
    if (!sub) {
        if (sub.error_message().empty()) std::abort();
        return 0;
    }
    if (sub->every < 1 || sub->every > 3600 || sub->rows.top > 100000 || sub->rows.pattern.size() > 256) std::abort();
    if (sub->rows.ids.size() > irqd::core::max_selected_ids) std::abort();
    if (sub->key.empty()) std::abort();
    return 0;
}
