// Interrupt history in fixed memory: per-sample deltas of every IRQ x CPU counter, kept in tiers of
// decreasing resolution (e.g. 1 s for an hour, 1 min for a day, 1 h for a month), so any window is
// answered from memory. Pure: times are passed in, nothing here reads a clock or a file.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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
// Exactly: cur >= prev gives cur - prev. Otherwise, if both fit in 32 bits and the wrapped delta
// 2^32 - prev + cur is below 2^31 (prev was in the upper part of the range, as a counter about to
// wrap is), it is a wrap and gives that. Anything else (a 64-bit counter going down, or a 32-bit one
// falling far) is a reset (driver reload, counters cleared) and gives cur. Never negative; when the
// counter went down the result is either below 2^31 (a wrap) or cur (a reset).
std::uint64_t counter_delta(std::uint64_t prev, std::uint64_t cur);

// Counts that fired between two samples, row-major over `shape`.
struct delta_frame {
    layout_ptr shape;
    big_vector<std::uint64_t> counts;
};

// Keeps the previous snapshot and turns each new one into a delta_frame aligned to the new layout.
// Rows or CPUs that appear count 0 in their first frame (their past is unknown); ones that vanish
// simply stop. A CPU that went offline and came back is new again: it counts 0 in the frame where it
// reappears, whatever its counters did meanwhile. Rows are matched by id, CPUs by number. While the
// layout does not change every frame carries the same `shape` pointer. The first snapshot gives no frame.
class delta_tracker {
public:
    std::optional<delta_frame> next(const snapshot& cur);
    // The same, into `out`, whose buffer is reused; false for the first snapshot.
    bool next(const snapshot& cur, delta_frame& out);
    // The same for a caller that keeps the previous snapshot anyway (the sampler's hot path): `prev`
    // is the `cur` of the last call, unchanged since, and the tracker keeps no copy of its counts.
    // After this form, the one-argument forms start again (their next snapshot gives no frame).
    bool next(const snapshot& prev, const snapshot& cur, delta_frame& out);
    // The sampler's fused form: the deltas from prev to cur (as next(prev, cur, out) makes them) are
    // added to `sum`, cells of shape(), and no frame is written. Only when cur's layout is shape(): for
    // a changed layout (or a null sum) it returns false and changes nothing, and the caller goes on
    // with next(prev, cur, out). last_deltas() makes the frame afterwards for a caller that wants it.
    bool sum_next(const snapshot& prev, const snapshot& cur, std::uint64_t* sum);
    // The frame of the last call when that was a sum_next that summed, made again from its prev and
    // cur (both unchanged since); false otherwise.
    bool last_deltas(const snapshot& prev, const snapshot& cur, delta_frame& out) const;
    // The layout of the last snapshot (null before the first).
    const layout_ptr& shape() const { return shape_; }
    void reset();

private:
    bool step(const snapshot* prev, const snapshot& cur, delta_frame* out, std::uint64_t* sum);
    template <class Before>
    void realign(const snapshot& cur, layout_ptr shape, delta_frame& out, bool keep, Before before);

    layout_ptr shape_;
    big_vector<std::uint64_t> prev_;      // counts of the previous snapshot, aligned to shape_ (one-argument forms)
    bool borrowed_ = false;               // the previous counts are the caller's `prev` (two-argument form)
    std::vector<std::size_t> prev_rows_;  // snapshot row of each layout row in the previous snapshot
    std::vector<std::size_t> src_rows_;   // the same in the current one (scratch, kept for its buffer)
    std::vector<std::size_t> summed_from_;   // prev_rows_ before the last sum_next (its prev's rows)
    bool summed_ = false;                 // the last call was a sum_next that summed
};

struct tier_config {
    std::chrono::seconds resolution;
    std::chrono::seconds retention;
};
std::vector<tier_config> default_tiers();                    // 1s:1h, 1m:1d, 1h:30d
result<std::vector<tier_config>> parse_tiers(std::string_view text);   // "1s:1h,1m:1d,1h:30d"
std::string format_tiers(const std::vector<tier_config>& tiers);

// Bytes a history with these tiers holds once every tier is full, for frames of `cells` IRQ x CPU
// cells: 4 bytes per cell per retained frame, plus 8 per cell for the open bucket of each tier that
// sums samples (each tier whose resolution is more than twice the sample interval).
// Layouts and the rare exact values above 2^32-1 come on top (see docs/history.md).
std::size_t history_memory_estimate(const std::vector<tier_config>& tiers, std::size_t cells,
                                    std::chrono::milliseconds sample_interval = std::chrono::seconds(1));

struct window_counts {
    clock_time from;                      // the window actually used, snapped to sample boundaries
    clock_time to;
    std::chrono::seconds resolution{0};   // of the tier that answered
    bool complete = true;                 // false when history does not reach back to the asked `from`
    layout_ptr shape;                     // rows/CPUs of the counts (union over the window)
    std::vector<std::uint64_t> counts;    // row-major over shape
    std::size_t frames = 0;               // frames summed; 0 means nothing fell inside the window
};

// Each tier keeps at most retention/resolution frames and drops the oldest. A frame at least half a
// tier's resolution long is kept as it is (the finest tier, fed one frame per 1 s sample); shorter
// ones accumulate in an open bucket aligned to multiples of the resolution since the epoch, a frame
// going to the bucket that contains its `to`. The bucket closes when a frame falls into the next
// one, or early when the layout changes. Open buckets are queried like closed frames, so recent
// windows are answered by every tier. Counts are exact: 4 bytes per cell, with the rare value above
// 2^32-1 kept whole on the side (docs/history.md), so nothing saturates in any tier.
// A frame is summed only into the finest open bucket that takes it: a coarser bucket whose
// resolution is a multiple of the finer one's receives the finer bucket's sum when that closes, and
// until then its counts are its own plus the finer open buckets' (frame_view::more64).
class history {
public:
    // A query that would sum more frames than this from the finest covering tier goes to a coarser
    // tier that also covers the window, when there is one.
    static constexpr std::size_t max_query_frames = 3600;

    // Empty `tiers` means default_tiers(); they are expected valid (as parse_tiers returns them).
    explicit history(std::vector<tier_config> tiers = default_tiers());

    // Records the counts that fired in (from, to]: `from` is the previous sample's time. Frames are
    // expected in time order; one that starts before newest() (the wall clock stepped back) is shifted
    // to start at newest(), keeping its length, so the history stays ordered. A frame whose counts do
    // not match its shape is ignored.
    void add(clock_time from, clock_time to, const delta_frame& frame);
    // add() in two steps, for a caller that can sum the deltas while making them (the sampler, through
    // delta_tracker::sum_next): the buffer add() would sum a frame of `shape` in (from, to] into, when
    // that is the finest open bucket alone (no bucket closes, no tier keeps the frame as it is, the
    // coarser ones are fed by it), else null. add_summed() is add() for a frame of `shape` once summed
    // into that buffer (nothing else may change the history in between).
    std::uint64_t* summing_bucket(clock_time from, clock_time to, const layout_ptr& shape);
    void add_summed(clock_time from, clock_time to, const layout_ptr& shape);

    // Sums what fired in [from, to]. The tier: the finest whose oldest frame starts no later than
    // from + half its resolution (unless that means more than max_query_frames frames and a coarser
    // tier also covers); if none does, the one reaching furthest back, with complete = false. The
    // frames: those whose midpoint lies in [from, to], so the window snaps to frame boundaries and
    // the result's from/to are the first frame's start and the last frame's end. Nothing inside (or
    // to < from): frames = 0, from = to = the asked `from` clamped to [oldest(), newest()], and
    // zero counts over the newest layout (no shape at all when the history is empty).
    window_counts query(clock_time from, clock_time to) const;

    // query() in parts, for a window too big to sum in one go (the service sums a slice per turn of
    // its event loop, api_window.cpp). plan_query() picks the frames as query() does and gives its
    // answer with the counts still 0; sum_some() adds about `cells` more additions into it, a slice of
    // rows at a time: first of the open bucket, if the window has it, then of the closed frames in
    // chunks, oldest chunk first. When it says done, the counts are query()'s at the plan's
    // generation. An add() meanwhile (generation() moved) is for follow(): closed frames never change,
    // so the plan goes on as long as those it has still to read are kept (they go from the front of a
    // tier: oldest first reads the ones at risk first); an open bucket not yet summed whole changes in
    // place, and then, or when a frame still needed was dropped, the plan must start again. A window
    // over several layouts (by_rows false) is summed in parts too: its answer is over the union of
    // the layouts from the start, and a chunk never spans a layout change, each frame's rows going to
    // where they are in the union; only sum_rows() needs one layout.
    struct query_plan {
        window_counts answer;             // query()'s, counts 0 until summed
        std::size_t rows = 0;             // rows of answer.shape (0 when nothing falls inside)
        bool by_rows = true;              // one layout: answer's rows are each frame's rows
        std::uint64_t generation = 0;     // generation() when planned, then when last followed
        // Cell additions of the whole sum: the cells times the frames (of the union: at most that).
        std::size_t work() const { return answer.counts.size() * answer.frames; }

    private:
        friend class history;
        std::size_t tier_ = 0, first_ = 0, last_ = 0;   // the picked frames, as pick_frames() gives them
        std::size_t closed_end_ = 0;      // end of the picked closed frames; the open bucket may follow
        bool open_pending_ = false;       // the open bucket is picked and not summed yet
        std::size_t chunk_first_ = 0, chunk_last_ = 0;  // the closed frames being summed, rows below row_ done
        std::size_t row_ = 0;
        clock_time needed_from_{}, needed_to_{};   // start of chunk_first_, end of closed_end_ - 1: follow() looks for them
        // Several layouts: the one last summed, and where its rows and CPUs are in answer.shape.
        layout_ptr mapped_;
        std::vector<std::size_t> into_rows_, into_cols_;
    };
    query_plan plan_query(clock_time from, clock_time to) const;
    // Adds about `cells` cell additions of the plan (at least a row of a frame); true once complete.
    bool sum_some(query_plan& plan, std::size_t cells) const;
    // After generation() moved: true, with the plan moved to where its frames are now, when every
    // frame it has still to read is kept unchanged; false when it must start again.
    bool follow(query_plan& plan) const;
    // Adds rows [begin, end) of every frame of the plan (a row or a few: one IRQ's window).
    void sum_rows(query_plan& plan, std::size_t begin, std::size_t end) const;
    // Moves on with every change to what a query reads (add, clear, frames dropped for the budget).
    std::uint64_t generation() const { return generation_; }

    bool empty() const;
    clock_time oldest() const;            // start of the oldest frame kept
    clock_time newest() const;            // end of the newest frame
    std::size_t memory_bytes() const;     // bytes held by frames (counts and layouts)
    // A cap on memory_bytes() for the history's whole life (0: none). Tiers are sized in frames, so
    // when the IRQ x CPU table grows after start (a NIC coming up) a full history would outgrow the
    // memory it was fitted into; instead, after each add the oldest frames go, each time from the
    // tier furthest above its share of the budget (shares in proportion to the tiers' full-retention
    // sizes), until memory_bytes() fits. Open buckets are never dropped.
    void set_budget(std::size_t bytes);
    std::size_t budget() const { return budget_; }
    std::uint64_t frames_dropped_for_budget() const { return budget_drops_; }
    const std::vector<tier_config>& tiers() const { return tiers_; }
    void clear();                         // forget everything (e.g. after a large clock jump)

    // Frame by frame, for time series (core/series.hpp): a tier's frames are read as views, valid
    // until the next add().
    struct big_count {
        std::uint32_t cell;
        std::uint64_t value;              // the exact count; counts[cell] holds 2^32-1
    };
    // The big counts of cells [first, last) in a frame's list (which is in cell order).
    static std::span<const big_count> big_between(const std::vector<big_count>& big, std::size_t first, std::size_t last);
    // A closed frame (32-bit counts and the big ones) or an open bucket (64-bit: counts64 plus, cell
    // by cell, each of more64, the finer open buckets not summed into it yet).
    struct frame_view {
        clock_time from, to;
        const layout_ptr* shape;
        const std::uint32_t* counts32 = nullptr;
        const std::uint64_t* counts64 = nullptr;
        const std::vector<big_count>* big = nullptr;
        std::span<const std::uint64_t* const> more64{};
        std::uint64_t count(std::size_t cell) const {
            if (counts64) {
                std::uint64_t sum = counts64[cell];
                for (const std::uint64_t* part : more64) sum += part[cell];
                return sum;
            }
            if (counts32[cell] != UINT32_MAX || !big) return counts32[cell];
            // By binary search: a counter wrap can make most cells big.
            const auto b = big_between(*big, cell, cell + 1);
            return b.empty() ? counts32[cell] : b.front().value;
        }
    };
    struct tier_pick {
        std::size_t tier = 0;
        bool complete = false;            // the tier reaches back to the asked `from`
    };
    // The tier a series over [from, ...] in steps of `step` reads: among the tiers that cover `from`
    // (or, when none does, the ones reaching furthest back), the coarsest whose resolution is at most
    // `step` (with `dividing`: divides `step`), else the finest of them. Expects a non-empty history.
    tier_pick pick_tier(clock_time from, std::chrono::nanoseconds step, bool dividing) const;
    // The frames of tier `tier` whose midpoint lies in [from, to], oldest first.
    std::vector<frame_view> frames_in(std::size_t tier, clock_time from, clock_time to) const;

private:
    // Leaves new elements uninitialized: a frame's counts are all written when it is stored, and
    // zero-filling 4 MiB first (256 x 4096) was a tenth of a sample while the history fills.
    template <class T>
    struct uninitialized_allocator : std::allocator<T> {
        template <class U>
        struct rebind {
            using other = uninitialized_allocator<U>;
        };
        uninitialized_allocator() noexcept = default;
        template <class U>
        uninitialized_allocator(const uninitialized_allocator<U>&) noexcept {}
        template <class U>
        void construct(U* p) noexcept { ::new (static_cast<void*>(p)) U; }
        template <class U, class... Args>
        void construct(U* p, Args&&... args) { ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...); }
    };
    struct frame {
        clock_time from, to;
        layout_ptr shape;
        std::vector<std::uint32_t, uninitialized_allocator<std::uint32_t>> counts;   // min(count, 2^32-1) ...
        std::vector<big_count> big;          // ... and the exact value of the cells above that
    };
    struct bucket {
        clock_time from, to;
        layout_ptr shape;
        std::int64_t index = 0;           // k: the bucket covers (k * resolution, (k + 1) * resolution]
        big_vector<std::uint64_t> counts;
    };
    struct tier {
        tier_config config;
        std::size_t capacity = 0;
        std::deque<frame> frames;
        bucket open;                      // the bucket being filled (kept for its buffer when closed)
        bool has_open = false;
        bool nests = false;               // its resolution is a multiple of the finer tier's
        // The finer tier's open bucket belongs to this one's and is summed into it when it closes
        // (fold); until then open.counts lacks it.
        bool fed = false;
    };
    using view = frame_view;
    // The steps of query(): which tier and which of its frames answer [from, to], what they hold,
    // and their sum (cells of one layout, or over the union of several).
    struct span {
        std::size_t tier = 0;
        std::size_t first = 0, last = 0;  // [first, last) of the tier's frames, the open bucket last
        bool complete = false;
    };
    // counts: the frame's cells, or null when they were summed already (add_summed).
    void add(clock_time from, clock_time to, const layout_ptr& shape, const std::uint64_t* counts);
    void ordered(clock_time& from, clock_time& to) const;   // shifts a frame that starts before newest_
    span pick_frames(clock_time from, clock_time to) const;
    std::vector<view> views_of(const span& s) const;
    static void add_cells(const std::vector<view>& views, std::size_t begin, std::size_t end, std::uint64_t* acc);
    // Rows [begin, end) of `views` (frames of one layout) into the plan's answer, over the union when
    // the plan has several layouts.
    static void add_rows(query_plan& plan, const std::vector<view>& views, std::size_t begin, std::size_t end);
    // The end of the run of frames from `first` (before `last`) that share its layout.
    std::size_t same_layout_until(std::size_t tier, std::size_t first, std::size_t last) const;

    // Where add() put a frame in a tier: a frame of its own, a new open bucket, or the open one.
    enum class placed { stored, opened, added };
    // Stores the frame in tier `i`, opens a bucket with it, or adds it to the open one: summed into
    // `sums` unless the finer tier's open bucket holds it and is folded into this one later.
    placed add_to_tier(std::size_t i, clock_time from, clock_time to, const layout_ptr& shape, const std::uint64_t* counts,
                       std::size_t cells, placed finer, std::vector<std::uint64_t*>& sums);
    void close_bucket(std::size_t i);
    void add_pending(std::size_t i, std::uint64_t* dst) const;   // the finer open buckets fed into tier i
    void enforce_budget();
    frame& push_frame(tier& t);           // a new newest frame, reusing the buffers of a dropped one
    static std::size_t frame_bytes(const frame& f);

    std::vector<tier_config> tiers_;
    std::vector<tier> store_;
    // Each tier's open bucket counts, finest first, for views: tier i's pending part is a range of it.
    // Refilled by views_of() (a copied history must not point at the original's buffers).
    mutable std::vector<const std::uint64_t*> open_counts_;
    std::optional<clock_time> newest_;
    std::size_t budget_ = 0;
    std::uint64_t budget_drops_ = 0;
    std::uint64_t generation_ = 0;
};

}  // namespace irqd::core
