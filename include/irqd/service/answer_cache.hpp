// Serialised GET answers kept until the data they show changes (the next sample, an affinity write):
// between two samples the same GET gets the same bytes, so a repeated poll costs a copy, not a rebuild.
// Bounded in entries and bytes (least recently used go first); ETag/If-None-Match answers 304.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "irqd/service/url.hpp"

namespace irqd::service {

class answer_cache {
public:
    struct entry {
        std::string content_type;
        std::string etag;        // quoted, as sent: "\"3f2a...\""
        std::shared_ptr<const std::string> body;
    };
    struct stats {
        std::uint64_t hits = 0, misses = 0, not_modified = 0, dropped = 0;
    };

    answer_cache(std::size_t max_entries, std::size_t max_bytes) : max_entries_(max_entries), max_bytes_(max_bytes) {}

    // The key of a request: its path and its query with one value per name (the last, as
    // target::param reads it), sorted by name, so `?b=1&a=2` and `?a=2&b=1` share an answer.
    static std::string key(const target& t);
    // A strong ETag of a body (a hash of its bytes).
    static std::string etag_of(std::string_view body);
    // True when an If-None-Match header value names `etag` (or is "*"); weak tags compare too.
    static bool matches(std::string_view if_none_match, std::string_view etag);

    // The entry for `key` when it was stored at the current generation; older ones are dropped.
    const entry* find(const std::string& key, std::uint64_t generation);
    // Keeps a copy of `body` (not when it alone is larger than the byte bound); returns its entry.
    entry store(const std::string& key, std::uint64_t generation, std::string_view content_type, std::string_view body);
    void clear();

    std::size_t size() const { return map_.size(); }
    std::size_t bytes() const { return bytes_; }
    const struct stats& counters() const { return stats_; }

private:
    struct slot {
        std::string key;
        entry value;
    };
    void drop(std::list<slot>::iterator it);

    std::size_t max_entries_, max_bytes_;
    std::size_t bytes_ = 0;
    std::uint64_t generation_ = 0;
    std::list<slot> order_;    // most recently used first
    std::unordered_map<std::string_view, std::list<slot>::iterator> map_;
    struct stats stats_;
};

}  // namespace irqd::service
