// Interrupt history in fixed memory: per-sample deltas of every IRQ x CPU counter, kept in tiers of
// decreasing resolution (e.g. 1 s for an hour, 1 min for a day, 1 h for a month), so any window is
// answered from memory. Pure: times are passed in, nothing here reads a clock or a file.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "irqd/core/interrupts.hpp"
#include "irqd/core/result.hpp"
#include "irqd/core/time_parse.hpp"

namespace irqd::core {

// The rows and CPU columns a frame's counts refer to. Shared between frames while it does not change.
struct layout {
    std::vector<std::string> row_ids;     // irq_row::id, per_cpu rows only
    std::vector<unsigned> cpus;
    bool operator==(const layout&) const = default;
};
using layout_ptr = std::shared_ptr<const layout>;

// The delta between two readings of one 32- or 64-bit kernel counter: right across a 2^32 wrap,
// and a reset (a smaller value that is not a wrap) counts as `cur` interrupts since the reset.
std::uint64_t counter_delta(std::uint64_t prev, std::uint64_t cur);

// Counts that fired between two samples, row-major over `shape`.
struct delta_frame {
    layout_ptr shape;
    std::vector<std::uint64_t> counts;
};

// Keeps the previous snapshot and turns each new one into a delta_frame aligned to the new layout.
// Rows or CPUs that appear count 0 in their first frame (their past is unknown); ones that vanish
// simply stop. The first snapshot gives no frame.
class delta_tracker {
public:
    std::optional<delta_frame> next(const snapshot& cur);
    void reset();

private:
    layout_ptr shape_;
    std::vector<std::uint64_t> prev_;     // counts of the previous snapshot, aligned to shape_
};

struct tier_config {
    std::chrono::seconds resolution;
    std::chrono::seconds retention;
};
std::vector<tier_config> default_tiers();                    // 1s:1h, 1m:1d, 1h:30d
result<std::vector<tier_config>> parse_tiers(std::string_view text);   // "1s:1h,1m:1d,1h:30d"
std::string format_tiers(const std::vector<tier_config>& tiers);

struct window_counts {
    clock_time from;                      // the window actually used, snapped to sample boundaries
    clock_time to;
    std::chrono::seconds resolution{0};   // of the tier that answered
    bool complete = true;                 // false when history does not reach back to the asked `from`
    layout_ptr shape;                     // rows/CPUs of the counts (union over the window)
    std::vector<std::uint64_t> counts;    // row-major over shape
};

class history {
public:
    explicit history(std::vector<tier_config> tiers = default_tiers());

    // Records the counts that fired in (from, to]: `from` is the previous sample's time.
    void add(clock_time from, clock_time to, const delta_frame& frame);

    // Sums what fired in [from, to], from the finest tier that covers it.
    window_counts query(clock_time from, clock_time to) const;

    bool empty() const;
    clock_time oldest() const;            // start of the oldest frame kept
    clock_time newest() const;            // end of the newest frame
    std::size_t memory_bytes() const;     // bytes held by frames (counts and layouts)
    const std::vector<tier_config>& tiers() const { return tiers_; }

private:
    struct frame {
        clock_time from, to;
        layout_ptr shape;
        std::vector<std::uint32_t> counts;   // saturating at 2^32-1 (see docs/history.md)
    };
    struct tier {
        tier_config config;
        std::size_t capacity = 0;
        std::deque<frame> frames;
        frame open;                       // the bucket being filled (coarser tiers)
        bool has_open = false;
    };
    std::vector<tier_config> tiers_;
    std::vector<tier> store_;
};

}  // namespace irqd::core
