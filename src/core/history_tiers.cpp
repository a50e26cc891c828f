// The tier list of --history-tiers ("1s:1h,1m:1d,1h:30d"): the defaults, parsing with a message that
// names the tier at fault, and the text form.
#include <cstdint>

#include "irqd/core/history.hpp"

namespace irqd::core {
namespace {

using std::chrono::seconds;

// A tier of more frames than this is almost surely a typo ("1s:1000d"), and would not fit in memory.
constexpr std::uint64_t max_tier_frames = 1'000'000;

std::string tier_text(const tier_config& t) {
    return format_duration(t.resolution) + ":" + format_duration(t.retention);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

result<seconds> parse_tier_duration(std::string_view text, std::string_view item, std::string_view what) {
    auto d = parse_duration(text);
    if (!d) return error{"tier \"" + std::string(item) + "\": " + d.error_message()};
    if (d->count() % 1000 != 0) {
        return error{"tier \"" + std::string(item) + "\": " + std::string(what) + " must be whole seconds"};
    }
    if (d->count() == 0) return error{"tier \"" + std::string(item) + "\": " + std::string(what) + " must be at least 1s"};
    return std::chrono::duration_cast<seconds>(*d);
}

}  // namespace

std::vector<tier_config> default_tiers() {
    using namespace std::chrono_literals;
    return {{1s, 1h}, {1min, 24h}, {1h, 30 * 24h}};
}

result<std::vector<tier_config>> parse_tiers(std::string_view text) {
    if (trim(text).empty()) return error{"empty tier list (expected e.g. 1s:1h,1m:1d,1h:30d)"};
    std::vector<tier_config> tiers;
    while (true) {
        const std::size_t comma = text.find(',');
        const std::string_view item = trim(text.substr(0, comma));
        const std::size_t colon = item.find(':');
        if (colon == std::string_view::npos) {
            return error{"tier \"" + std::string(item) + "\": expected resolution:retention, e.g. 1m:1d"};
        }
        auto res = parse_tier_duration(trim(item.substr(0, colon)), item, "resolution");
        if (!res) return error{res.error_message()};
        auto ret = parse_tier_duration(trim(item.substr(colon + 1)), item, "retention");
        if (!ret) return error{ret.error_message()};
        const tier_config t{*res, *ret};
        const std::string name = "tier \"" + std::string(item) + "\": ";
        if (t.retention < t.resolution) {
            return error{name + "retention " + format_duration(t.retention) + " is shorter than the resolution " +
                         format_duration(t.resolution)};
        }
        if (t.retention % t.resolution != seconds::zero()) {
            return error{name + "retention " + format_duration(t.retention) + " is not a multiple of the resolution " +
                         format_duration(t.resolution)};
        }
        if (static_cast<std::uint64_t>(t.retention / t.resolution) > max_tier_frames) {
            return error{name + "keeps more than " + std::to_string(max_tier_frames) + " frames"};
        }
        if (!tiers.empty()) {
            const tier_config& finer = tiers.back();
            if (t.resolution <= finer.resolution) {
                return error{name + "resolutions must grow from tier to tier (" + tier_text(finer) + " comes before)"};
            }
            if (t.resolution % finer.resolution != seconds::zero()) {
                return error{name + "resolution " + format_duration(t.resolution) +
                             " is not a multiple of the finer resolution " + format_duration(finer.resolution)};
            }
            if (t.retention <= finer.retention) {
                return error{name + "keeps no longer than the finer tier " + tier_text(finer)};
            }
        }
        tiers.push_back(t);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return tiers;
}

std::string format_tiers(const std::vector<tier_config>& tiers) {
    std::string out;
    for (const auto& t : tiers) {
        if (!out.empty()) out += ',';
        out += tier_text(t);
    }
    return out;
}

}  // namespace irqd::core
