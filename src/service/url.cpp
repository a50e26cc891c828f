// Request-target parsing for the API router.
#include "irqd/service/url.hpp"

#include <algorithm>

#include "irqd/core/hex_value.hpp"

namespace irqd::service {

const std::string* target::param(std::string_view key) const {
    const std::string* found = nullptr;
    for (const auto& [k, v] : query)
        if (k == key) found = &v;
    return found;
}

const std::string* target::unknown_param(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [k, v] : query)
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) return &k;
    return nullptr;
}

core::result<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return core::error{"truncated %-escape"};
            int hi = core::hex_value(text[i + 1]), lo = core::hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return core::error{"bad %-escape '" + std::string(text.substr(i, 3)) + "'"};
            char d = static_cast<char>(hi * 16 + lo);
            if (d == '\0') return core::error{"%00 is not allowed"};
            out += d;
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

core::result<target> parse_target(std::string_view text) {
    target t;
    if (text.empty() || text.front() != '/') return core::error{"request target must start with '/'"};
    auto q = text.find('?');
    auto raw_path = text.substr(0, q);
    // Segments are split before decoding, so an encoded '/' (%2F) cannot create a new segment.
    std::size_t start = 1;
    while (start <= raw_path.size()) {
        auto end = raw_path.find('/', start);
        if (end == std::string_view::npos) end = raw_path.size();
        auto seg = raw_path.substr(start, end - start);
        if (!seg.empty()) {
            auto d = percent_decode(seg, false);
            if (!d) return core::error{d.error_message()};
            t.segments.push_back(std::move(*d));
        }
        start = end + 1;
    }
    for (const auto& s : t.segments) t.path += "/" + s;
    if (t.path.empty()) t.path = "/";
    if (q != std::string_view::npos) {
        auto qs = text.substr(q + 1);
        std::size_t pos = 0;
        while (pos <= qs.size()) {
            auto amp = qs.find('&', pos);
            if (amp == std::string_view::npos) amp = qs.size();
            auto item = qs.substr(pos, amp - pos);
            if (!item.empty()) {
                auto eq = item.find('=');
                auto k = percent_decode(item.substr(0, eq), true);
                if (!k) return core::error{k.error_message()};
                std::string v;
                if (eq != std::string_view::npos) {
                    auto dv = percent_decode(item.substr(eq + 1), true);
                    if (!dv) return core::error{dv.error_message()};
                    v = std::move(*dv);
                }
                t.query.emplace_back(std::move(*k), std::move(v));
            }
            pos = amp + 1;
        }
    }
    return t;
}

}  // namespace irqd::service
