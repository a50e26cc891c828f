// The per-sample answer cache: an LRU list of serialised bodies, emptied whenever the generation (the
// sample and affinity-write counts the owner passes in) moves on.
#include "irqd/service/answer_cache.hpp"

#include <functional>
#include <map>

namespace irqd::service {

std::string answer_cache::key(const target& t) {
    std::map<std::string_view, std::string_view> last;
    for (const auto& [k, v] : t.query) last[k] = v;
    std::string out = t.path;
    // Length-prefixed, so no byte a decoded name or value may hold can make two queries collide.
    for (const auto& [k, v] : last) {
        out += '\n';
        out += std::to_string(k.size());
        out += ':';
        out += k;
        out += std::to_string(v.size());
        out += ':';
        out += v;
    }
    return out;
}

std::string answer_cache::etag_of(std::string_view body) {
    // The library's hash of the bytes (several GB/s) and the length: enough to tell apart two answers
    // to one query, and the same bytes get the same tag for as long as this daemon runs.
    const std::uint64_t h = std::hash<std::string_view>{}(body) ^ (std::uint64_t{body.size()} * 0x9e3779b97f4a7c15ull);
    static constexpr char hex[] = "0123456789abcdef";
    std::string tag = "\"";
    for (int shift = 60; shift >= 0; shift -= 4) tag += hex[(h >> shift) & 0xf];
    tag += '"';
    return tag;
}

bool answer_cache::matches(std::string_view header, std::string_view etag) {
    while (!header.empty()) {
        auto comma = header.find(',');
        auto item = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
        if (item == "*") return true;
        if (item.starts_with("W/")) item.remove_prefix(2);   // If-None-Match compares weakly (RFC 9110 13.1.2)
        if (item == etag) return true;
    }
    return false;
}

void answer_cache::drop(std::list<slot>::iterator it) {
    bytes_ -= it->value.body->size();
    map_.erase(it->key);
    order_.erase(it);
    ++stats_.dropped;
}

void answer_cache::clear() {
    stats_.dropped += order_.size();
    map_.clear();
    order_.clear();
    bytes_ = 0;
}

const answer_cache::entry* answer_cache::find(const std::string& key, std::uint64_t generation) {
    if (generation != generation_) {
        clear();
        generation_ = generation;
    }
    auto it = map_.find(key);
    if (it == map_.end()) {
        ++stats_.misses;
        return nullptr;
    }
    ++stats_.hits;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->value;
}

answer_cache::entry answer_cache::store(const std::string& key, std::uint64_t generation, std::string_view content_type,
                                        std::string_view body) {
    entry e{std::string(content_type), etag_of(body), std::make_shared<const std::string>(body)};
    if (generation != generation_) {
        clear();
        generation_ = generation;
    }
    if (max_entries_ == 0 || body.size() > max_bytes_) return e;
    if (auto it = map_.find(key); it != map_.end()) drop(it->second);
    while (!order_.empty() && (order_.size() >= max_entries_ || bytes_ + body.size() > max_bytes_))
        drop(std::prev(order_.end()));
    order_.push_front(slot{key, e});
    map_.emplace(order_.front().key, order_.begin());
    bytes_ += body.size();
    return e;
}

}  // namespace irqd::service
