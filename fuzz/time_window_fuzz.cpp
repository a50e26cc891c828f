// Fuzz target: durations and instants (time_parse), and the window a request target asks for
// (window=, from=, to= after percent-decoding). Bad text is an error, never a crash or overflow.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "irqd/core/time_parse.hpp"
#include "irqd/service/api.hpp"
#include "irqd/service/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace std::chrono;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto d = irqd::core::parse_duration(text)) (void)irqd::core::format_duration(*d);
    if (auto t = irqd::core::parse_time(text)) (void)irqd::core::format_rfc3339(*t);

    // The same bytes as a query string: /api/v1/interrupts?<text>
    auto target = irqd::service::parse_target("/api/v1/interrupts?" + std::string(text));
    if (!target) return 0;
    const irqd::core::clock_time now{seconds(1'790'000'000)};
    auto w = irqd::service::window_from_query(*target, now, seconds(60));
    if (w) {
        if (!(w->first < w->second)) std::abort();
        if (w->second > now) std::abort();
        if (w->second - w->first > hours(24 * 400)) std::abort();
    }
    return 0;
}
