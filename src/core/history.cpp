// Tiered interrupt history: frames appended per sample, summed into resolution-aligned buckets for the
// coarser tiers (each bucket folded into the next coarser one when it closes), and window queries
// answered from the finest tier that reaches back far enough.
#include "irqd/core/history.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <unordered_set>

#include "irqd/core/window_sum.hpp"

namespace irqd::core {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr std::uint64_t max_u32 = std::numeric_limits<std::uint32_t>::max();

// Cells summed per pass when several arrays are summed cell by cell (a query's frames, a frame's
// buckets): the shared slice (64 KiB of 64-bit counts) stays in L2 while the others stream through.
constexpr std::size_t slice = 8192;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// Bucket k of a tier covers (k * resolution, (k + 1) * resolution], like a frame covers (from, to].
std::int64_t bucket_index(clock_time to, seconds resolution) {
    const auto ns = std::chrono::duration_cast<nanoseconds>(to.time_since_epoch()).count();
    return floor_div(ns - 1, std::chrono::duration_cast<nanoseconds>(resolution).count());
}

clock_time midpoint(clock_time from, clock_time to) { return from + (to - from) / 2; }

// Half a resolution, without the integer truncation of seconds(1) / 2.
nanoseconds half(seconds resolution) { return nanoseconds(resolution) / 2; }

// t + d for d >= 0, stopping at the end of the clock: a client may ask about the year 2262.
clock_time saturating_add(clock_time t, nanoseconds d) {
    clock_time::rep sum = 0;
    if (__builtin_add_overflow(t.time_since_epoch().count(), std::chrono::duration_cast<clock_time::duration>(d).count(), &sum)) {
        return clock_time::max();
    }
    return clock_time(clock_time::duration(sum));
}

bool same_layout(const layout_ptr& a, const layout_ptr& b) { return a == b || (a && b && *a == *b); }

std::size_t layout_bytes(const layout& l) {
    const std::size_t inline_capacity = std::string().capacity();   // short strings live inside the object
    std::size_t bytes = sizeof(layout) + l.row_ids.capacity() * sizeof(std::string) + l.cpus.capacity() * sizeof(unsigned);
    for (const auto& id : l.row_ids) {
        if (id.capacity() > inline_capacity) bytes += id.capacity() + 1;
    }
    return bytes;
}

}  // namespace

std::size_t history_memory_estimate(const std::vector<tier_config>& tiers, std::size_t cells,
                                    std::chrono::milliseconds sample_interval) {
    std::size_t bytes = 0;
    for (const auto& t : tiers) {
        const auto capacity = static_cast<std::size_t>(std::max<std::int64_t>(1, t.retention / t.resolution));
        bytes += capacity * cells * sizeof(std::uint32_t);
        if (sample_interval < half(t.resolution)) bytes += cells * sizeof(std::uint64_t);
    }
    return bytes;
}

// --- history ---------------------------------------------------------------------------------------

history::history(std::vector<tier_config> tiers) : tiers_(tiers.empty() ? default_tiers() : std::move(tiers)) {
    for (auto& config : tiers_) {
        if (config.resolution <= seconds::zero()) config.resolution = seconds(1);
        tier t;
        t.config = config;
        t.capacity = static_cast<std::size_t>(std::max<std::int64_t>(1, config.retention / config.resolution));
        t.nests = !store_.empty() && config.resolution % store_.back().config.resolution == seconds::zero();
        store_.push_back(std::move(t));
    }
}

void history::ordered(clock_time& from, clock_time& to) const {
    if (newest_ && from < *newest_) {
        const auto shift = *newest_ - from;
        from += shift;
        to += shift;
    }
    to = std::max(to, from);
}

std::uint64_t* history::summing_bucket(clock_time from, clock_time to, const layout_ptr& shape) {
    if (!shape || store_.empty()) return nullptr;
    ordered(from, to);
    // add() would close nothing, add to the finest open bucket and to no other: every coarser tier's
    // open bucket is fed by it (and so nests), none stores the frame as it is.
    for (std::size_t i = 0; i < store_.size(); ++i) {
        const tier& t = store_[i];
        if (!t.has_open || t.open.shape != shape || bucket_index(to, t.config.resolution) != t.open.index) return nullptr;
        if (i > 0 && !(t.nests && t.fed)) return nullptr;
    }
    auto& counts = store_.front().open.counts;
    return counts.size() == shape->row_ids.size() * shape->cpus.size() ? counts.data() : nullptr;
}

void history::add_summed(clock_time from, clock_time to, const layout_ptr& shape) {
    // Checked again (a few tiers), so the paths of add() that read the counts are never taken without them.
    if (summing_bucket(from, to, shape)) add(from, to, shape, nullptr);
}

void history::add(clock_time from, clock_time to, const delta_frame& frame) {
    // A frame whose counts do not match its shape is ignored.
    if (frame.shape && frame.counts.size() == frame.shape->row_ids.size() * frame.shape->cpus.size())
        add(from, to, frame.shape, frame.counts.data());
}

void history::add(clock_time from, clock_time to, const layout_ptr& shape, const std::uint64_t* counts) {
    if (!shape) return;
    const std::size_t cells = shape->row_ids.size() * shape->cpus.size();
    if (cells > max_u32) return;
    ++generation_;
    ordered(from, to);
    // Buckets the frame does not belong to close first, finest first, each folded into the coarser
    // bucket it belongs to: the finer buckets they hold are complete before the frame comes.
    for (std::size_t i = 0; i < store_.size(); ++i) {
        const tier& t = store_[i];
        if (t.has_open && (bucket_index(to, t.config.resolution) != t.open.index || !same_layout(t.open.shape, shape)))
            close_bucket(i);
    }
    std::vector<std::uint64_t*> sums;
    sums.reserve(store_.size());
    placed finer = placed::stored;
    for (std::size_t i = 0; i < store_.size(); ++i) finer = add_to_tier(i, from, to, shape, counts, cells, finer, sums);
    // Slice by slice, so a frame is read from memory once however many buckets it is summed into.
    const std::uint64_t* src = counts;
    for (std::size_t begin = 0; begin < cells && !sums.empty() && src; begin += slice) {
        const std::size_t end = std::min(cells, begin + slice);
        for (std::uint64_t* acc : sums) {
            for (std::size_t i = begin; i < end; ++i) acc[i] += src[i];
        }
    }
    newest_ = to;
    enforce_budget();
}

namespace {

// Narrows 64-bit counts to 32 bits, keeping the exact value of the few cells that do not fit; with
// `fold`, adds them to it in the same pass.
template <class Counts, class BigCount>
void store_counts(const std::uint64_t* src, std::size_t n, Counts& counts, std::vector<BigCount>& big,
                  std::uint64_t* fold = nullptr) {
    // Recycled buffers from a larger layout are given back rather than kept at the old size.
    if (counts.capacity() > 2 * n) Counts().swap(counts);
    counts.resize(n);   // not zero-filled (the frame's allocator): every cell is written below
    big.clear();
    std::uint64_t high = 0;
    std::uint32_t* dst = counts.data();
    if (fold) {
        for (std::size_t i = 0; i < n; ++i) {
            dst[i] = static_cast<std::uint32_t>(std::min(src[i], max_u32));
            high |= src[i];
            fold[i] += src[i];
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            dst[i] = static_cast<std::uint32_t>(std::min(src[i], max_u32));
            high |= src[i];
        }
    }
    // Counted first so the list takes one allocation of its size: after a counter wrap (or a
    // coarse bucket of a busy cell) most of a frame's cells can be big. A recycled frame's list
    // more than twice that size is given back, as its counts are above.
    std::size_t need = 0;
    if (high > max_u32)
        for (std::size_t i = 0; i < n; ++i) need += src[i] > max_u32;
    if (big.capacity() > 2 * need) std::vector<BigCount>().swap(big);
    if (need == 0) return;
    big.reserve(need);
    for (std::size_t i = 0; i < n; ++i) {
        if (src[i] > max_u32) big.push_back({static_cast<std::uint32_t>(i), src[i]});   // in cell order
    }
}

}  // namespace

// counts: null when the frame was summed already (add_summed), which summing_bucket allows only where
// the frame goes to the open buckets alone.
history::placed history::add_to_tier(std::size_t i, clock_time from, clock_time to, const layout_ptr& shape,
                                      const std::uint64_t* counts, std::size_t cells, placed finer,
                                      std::vector<std::uint64_t*>& sums) {
    tier& t = store_[i];
    if (!t.has_open && to - from >= half(t.config.resolution)) {
        // Already as coarse as this tier: kept as it is, with its own from/to.
        frame& f = push_frame(t);
        f.from = from;
        f.to = to;
        f.shape = shape;
        store_counts(counts, cells, f.counts, f.big);
        return placed::stored;
    }
    // The finer tier's open bucket holds the frame and is all inside this tier's: it comes in when it
    // closes. (Buckets that nest close finer first, so a bucket the finer one opened is inside.)
    const bool in_finer = t.nests && (finer == placed::opened || (finer == placed::added && t.fed));
    if (!t.has_open) {
        t.has_open = true;
        t.fed = in_finer;
        t.open.from = from;
        t.open.to = to;
        t.open.shape = shape;
        t.open.index = bucket_index(to, t.config.resolution);
        // A buffer left from a larger layout is given back (memory returns after a burst of IRQs).
        if (t.open.counts.capacity() > 2 * cells) decltype(t.open.counts)().swap(t.open.counts);
        if (in_finer) t.open.counts.assign(cells, 0);
        else t.open.counts.assign(counts, counts + cells);
        return placed::opened;
    }
    t.open.to = to;
    // An equal layout behind a new pointer (the tracker was reset): adopt it, so the next frames
    // match by pointer instead of comparing every row id.
    if (t.open.shape != shape) t.open.shape = shape;
    if (!in_finer) {
        // Fed until now, but the finer tier's bucket does not take this frame (it stored it): what
        // that bucket holds is this one's, so it comes in now. Nesting tiers do not get here.
        if (t.fed) add_pending(i, t.open.counts.data());
        sums.push_back(t.open.counts.data());
    }
    t.fed = in_finer;
    return placed::added;
}

// The finer open buckets whose counts belong to tier i's open bucket but are not in it yet, added to `dst`.
void history::add_pending(std::size_t i, std::uint64_t* dst) const {
    for (std::size_t k = i; k > 0 && store_[k].fed; --k) {
        const auto& part = store_[k - 1].open.counts;
        for (std::size_t c = 0; c < part.size(); ++c) dst[c] += part[c];
    }
}

void history::close_bucket(std::size_t i) {
    tier& t = store_[i];
    // Still fed only if this bucket closes before the finer one, which nesting buckets never do (add()
    // closes finer first): should it happen, the finer bucket's counts so far are summed in here, and
    // what it takes from now on goes to this tier directly.
    if (t.fed) add_pending(i, t.open.counts.data());
    t.fed = false;
    tier* coarser = i + 1 < store_.size() && store_[i + 1].fed ? &store_[i + 1] : nullptr;
    frame& f = push_frame(t);
    f.from = t.open.from;
    f.to = t.open.to;
    f.shape = std::move(t.open.shape);
    store_counts(t.open.counts.data(), t.open.counts.size(), f.counts, f.big, coarser ? coarser->open.counts.data() : nullptr);
    if (coarser) coarser->fed = false;
    t.has_open = false;
}

history::frame& history::push_frame(tier& t) {
    if (t.frames.size() >= t.capacity) {
        // Reuse the dropped frame's buffers: at full retention adding allocates nothing.
        frame recycled = std::move(t.frames.front());
        t.frames.pop_front();
        t.frames.push_back(std::move(recycled));
    } else {
        t.frames.emplace_back();
    }
    return t.frames.back();
}

bool history::empty() const { return !newest_.has_value(); }

clock_time history::oldest() const {
    std::optional<clock_time> oldest;
    for (const auto& t : store_) {
        const std::optional<clock_time> start = !t.frames.empty() ? std::optional(t.frames.front().from)
                                                : t.has_open      ? std::optional(t.open.from)
                                                                  : std::nullopt;
        if (start && (!oldest || *start < *oldest)) oldest = start;
    }
    return oldest.value_or(clock_time{});
}

clock_time history::newest() const { return newest_.value_or(clock_time{}); }

void history::clear() {
    for (auto& t : store_) {
        t.frames.clear();
        t.open = bucket{};
        t.has_open = false;
        t.fed = false;
    }
    newest_.reset();
    ++generation_;
}

std::size_t history::frame_bytes(const frame& f) {
    return sizeof(frame) + f.counts.capacity() * sizeof(std::uint32_t) + f.big.capacity() * sizeof(big_count);
}

void history::set_budget(std::size_t bytes) {
    budget_ = bytes;
    enforce_budget();
}

void history::enforce_budget() {
    if (budget_ == 0) return;
    std::size_t total = memory_bytes();
    if (total <= budget_) return;
    // Each tier's share, in proportion to what it holds per cell at full retention.
    std::vector<double> share(store_.size());
    std::vector<std::size_t> held(store_.size(), 0);
    double weights = 0;
    for (const auto& t : store_) weights += static_cast<double>(t.capacity * sizeof(std::uint32_t) + sizeof(std::uint64_t));
    for (std::size_t i = 0; i < store_.size(); ++i) {
        const auto& t = store_[i];
        share[i] = static_cast<double>(budget_) *
                   static_cast<double>(t.capacity * sizeof(std::uint32_t) + sizeof(std::uint64_t)) / weights;
        for (const auto& f : t.frames) held[i] += frame_bytes(f);
        held[i] += t.open.counts.capacity() * sizeof(std::uint64_t);
    }
    while (total > budget_) {
        std::size_t pick = store_.size();
        double most = 0;
        for (std::size_t i = 0; i < store_.size(); ++i) {
            const double over = static_cast<double>(held[i]) - share[i];
            if (!store_[i].frames.empty() && (pick == store_.size() || over > most)) {
                pick = i;
                most = over;
            }
        }
        if (pick == store_.size()) break;   // only open buckets left
        auto& frames = store_[pick].frames;
        const std::size_t bytes = frame_bytes(frames.front());
        const layout_ptr shape = frames.front().shape;
        frames.pop_front();
        ++budget_drops_;
        ++generation_;
        held[pick] -= bytes;
        total -= bytes;
        // The last frame of a layout takes the layout with it: count again rather than guess.
        if (frames.empty() || frames.front().shape != shape) total = memory_bytes();
    }
}

std::size_t history::memory_bytes() const {
    std::size_t bytes = 0;
    std::unordered_set<const layout*> seen;
    const layout* last = nullptr;   // neighbouring frames share their layout: one lookup per run of them
    const auto count_layout = [&](const layout_ptr& p) {
        if (p && p.get() != last && seen.insert(p.get()).second) bytes += layout_bytes(*p);
        if (p) last = p.get();
    };
    for (const auto& t : store_) {
        for (const auto& f : t.frames) {
            bytes += frame_bytes(f);
            count_layout(f.shape);
        }
        bytes += t.open.counts.capacity() * sizeof(std::uint64_t);
        if (t.has_open) count_layout(t.open.shape);
    }
    return bytes;
}

namespace {

// A tier as a sequence of closed frames followed by the open bucket, if any.
template <class Tier>
std::size_t length(const Tier& t) { return t.frames.size() + (t.has_open ? 1 : 0); }
template <class Tier>
clock_time start_of(const Tier& t, std::size_t i) { return i < t.frames.size() ? t.frames[i].from : t.open.from; }
template <class Tier>
clock_time end_of(const Tier& t, std::size_t i) { return i < t.frames.size() ? t.frames[i].to : t.open.to; }
template <class Tier>
const layout_ptr& shape_of(const Tier& t, std::size_t i) { return i < t.frames.size() ? t.frames[i].shape : t.open.shape; }

// A tier covers `target` when its oldest frame starts at most half a frame after it. Half of the
// frame's own length, not of the resolution: the first frame of a young history (or an open
// bucket) holds only the seconds since the first sample, and must not pass for an hour.
template <class Tier>
bool covers(const Tier& t, clock_time target) {
    if (length(t) == 0) return false;
    const auto frame_length = std::chrono::duration_cast<seconds>(end_of(t, 0) - start_of(t, 0));
    const auto tolerance = std::clamp(frame_length, seconds(1), t.config.resolution);
    return start_of(t, 0) <= saturating_add(target, half(tolerance));
}

// [first, last) of the frames whose midpoint lies in [from, to]; midpoints ascend with the frames.
template <class Tier>
std::pair<std::size_t, std::size_t> inside(const Tier& t, clock_time from, clock_time to) {
    if (to < from) return {0, 0};
    const auto first_at_or_after = [&](auto&& before) {
        std::size_t lo = 0, hi = length(t);
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            if (before(midpoint(start_of(t, mid), end_of(t, mid)))) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    };
    const std::size_t first = first_at_or_after([&](clock_time m) { return m < from; });
    const std::size_t last = first_at_or_after([&](clock_time m) { return m <= to; });
    return {first, std::max(first, last)};
}

}  // namespace

// Tier choice: the finest that covers `from`; failing that, whichever reaches furthest back. Then a
// coarser covering tier while the chosen one would sum more than max_query_frames frames.
history::span history::pick_frames(clock_time from, clock_time to) const {
    span s;
    s.complete = std::any_of(store_.begin(), store_.end(), [&](const tier& t) { return covers(t, from); });
    const clock_time target = s.complete ? from : oldest();
    while (!covers(store_[s.tier], target)) ++s.tier;
    std::tie(s.first, s.last) = inside(store_[s.tier], from, to);
    while (s.last - s.first > max_query_frames) {
        std::size_t coarser = s.tier + 1;
        while (coarser < store_.size() && !covers(store_[coarser], target)) ++coarser;
        if (coarser == store_.size()) break;
        s.tier = coarser;
        std::tie(s.first, s.last) = inside(store_[s.tier], from, to);
    }
    return s;
}

history::tier_pick history::pick_tier(clock_time from, std::chrono::nanoseconds step, bool dividing) const {
    tier_pick p;
    p.complete = std::any_of(store_.begin(), store_.end(), [&](const tier& t) { return covers(t, from); });
    const clock_time target = p.complete ? from : oldest();
    while (p.tier + 1 < store_.size() && !covers(store_[p.tier], target)) ++p.tier;
    for (std::size_t k = p.tier + 1; k < store_.size(); ++k)
        if (covers(store_[k], target) && store_[k].config.resolution <= step &&
            (!dividing || step % store_[k].config.resolution == std::chrono::nanoseconds::zero()))
            p.tier = k;
    return p;
}

std::vector<history::frame_view> history::frames_in(std::size_t tier, clock_time from, clock_time to) const {
    span s;
    s.tier = tier;
    std::tie(s.first, s.last) = inside(store_[tier], from, to);
    return views_of(s);
}

std::vector<history::view> history::views_of(const span& s) const {
    const tier& t = store_[s.tier];
    std::vector<view> views;
    views.reserve(s.last - s.first);
    for (std::size_t i = s.first; i < s.last; ++i) {
        if (i < t.frames.size()) {
            const frame& f = t.frames[i];
            views.push_back({f.from, f.to, &f.shape, f.counts.data(), nullptr, &f.big});
        } else {
            // Plus the finer open buckets fed into this one: tiers first..tier-1, each fed by the one before.
            std::size_t first = s.tier;
            while (first > 0 && store_[first].fed) --first;
            open_counts_.resize(store_.size());
            for (std::size_t k = first; k < s.tier; ++k) open_counts_[k] = store_[k].open.counts.data();
            const std::span<const std::uint64_t* const> pending(open_counts_.data() + first, s.tier - first);
            views.push_back({t.open.from, t.open.to, &t.open.shape, nullptr, t.open.counts.data(), nullptr, pending});
        }
    }
    return views;
}

// Adds cells [first, last) of every view (one layout) into acc.
void history::add_cells(const std::vector<view>& views, std::size_t first, std::size_t last, std::uint64_t* acc) {
    for (std::size_t begin = first; begin < last; begin += slice) {
        const std::size_t end = std::min(last, begin + slice);
        for (const view& v : views) {
            if (v.counts32) {
                for (std::size_t i = begin; i < end; ++i) acc[i] += v.counts32[i];
            } else {
                for (std::size_t i = begin; i < end; ++i) acc[i] += v.counts64[i];
                for (const std::uint64_t* part : v.more64)
                    for (std::size_t i = begin; i < end; ++i) acc[i] += part[i];
            }
        }
    }
    for (const view& v : views) {
        if (!v.big) continue;
        for (const auto& b : big_between(*v.big, first, last)) acc[b.cell] += b.value - max_u32;
    }
}

std::span<const history::big_count> history::big_between(const std::vector<big_count>& big, std::size_t first, std::size_t last) {
    const auto before = [](const big_count& b, std::size_t cell) { return b.cell < cell; };
    const auto b = std::lower_bound(big.begin(), big.end(), first, before);
    const auto e = std::lower_bound(b, big.end(), last, before);
    return {b, e};
}

// One layout's rows into the plan's answer: cell by cell when it is the answer's layout, else each
// cell to where its row and CPU are in the union (worked out again when the layout changes).
void history::add_rows(query_plan& p, const std::vector<view>& views, std::size_t begin, std::size_t end) {
    const layout_ptr& shape = *views.front().shape;
    const std::size_t ncols = shape->cpus.size();
    std::uint64_t* acc = p.answer.counts.data();
    if (p.by_rows) return add_cells(views, begin * ncols, end * ncols, acc);
    if (!same_layout(p.mapped_, shape)) {
        layout_union joined;
        joined.add(*p.answer.shape);
        auto m = joined.add(*shape);
        p.into_rows_ = std::move(m.rows);
        p.into_cols_ = std::move(m.cols);
        p.mapped_ = shape;
    }
    const std::size_t joined_cols = p.answer.shape->cpus.size();
    const std::size_t* cols = p.into_cols_.data();
    for (const view& v : views) {
        for (std::size_t r = begin; r < end; ++r) {
            std::uint64_t* dst = acc + p.into_rows_[r] * joined_cols;
            if (v.counts32) {
                const std::uint32_t* src = v.counts32 + r * ncols;
                for (std::size_t c = 0; c < ncols; ++c) dst[cols[c]] += src[c];
            } else {
                const std::uint64_t* src = v.counts64 + r * ncols;
                for (std::size_t c = 0; c < ncols; ++c) dst[cols[c]] += src[c];
                for (const std::uint64_t* part : v.more64)
                    for (std::size_t c = 0; c < ncols; ++c) dst[cols[c]] += part[r * ncols + c];
            }
        }
        if (!v.big) continue;
        for (const auto& b : big_between(*v.big, begin * ncols, end * ncols))
            acc[p.into_rows_[b.cell / ncols] * joined_cols + cols[b.cell % ncols]] += b.value - max_u32;
    }
}

std::size_t history::same_layout_until(std::size_t tier, std::size_t first, std::size_t last) const {
    const auto& t = store_[tier];
    std::size_t end = first + 1;
    while (end < last && same_layout(shape_of(t, end), shape_of(t, first))) ++end;
    return end;
}

history::query_plan history::plan_query(clock_time from, clock_time to) const {
    query_plan p;
    p.generation = generation_;
    window_counts& out = p.answer;
    if (empty()) {
        out.from = out.to = from;
        out.complete = false;
        return p;
    }
    const span s = pick_frames(from, to);
    p.tier_ = s.tier;
    p.first_ = s.first;
    p.last_ = s.last;
    out.complete = s.complete;
    out.resolution = store_[s.tier].config.resolution;
    out.frames = s.last - s.first;
    if (s.first == s.last) {
        const tier& finest = store_.front();
        const layout_ptr& newest_shape = finest.has_open ? finest.open.shape : finest.frames.back().shape;
        out.from = out.to = std::clamp(from, oldest(), newest());
        out.shape = newest_shape;
        out.counts.assign(newest_shape->row_ids.size() * newest_shape->cpus.size(), 0);
        return p;
    }
    const tier& t = store_[s.tier];
    out.from = start_of(t, s.first);
    out.to = end_of(t, s.last - 1);
    const layout_ptr& newest_shape = shape_of(t, s.last - 1);
    p.by_rows = same_layout_until(s.tier, s.first, s.last) == s.last;
    if (p.by_rows) {
        out.shape = newest_shape;
    } else {
        // The union of the layouts, the newest's rows and CPUs first, then those only older frames
        // have, in order of appearance going back.
        layout_union joined;
        for (std::size_t i = s.last; i-- > s.first;)
            if (i + 1 == s.last || !same_layout(shape_of(t, i), shape_of(t, i + 1))) joined.add(*shape_of(t, i));
        out.shape = std::make_shared<const layout>(joined.take());
    }
    p.rows = out.shape->row_ids.size();
    out.counts.assign(p.rows * out.shape->cpus.size(), 0);
    p.closed_end_ = std::min(s.last, t.frames.size());
    p.open_pending_ = s.last > t.frames.size();
    p.chunk_first_ = p.chunk_last_ = std::min(s.first, p.closed_end_);
    if (p.chunk_first_ < p.closed_end_) {
        p.needed_from_ = t.frames[p.chunk_first_].from;
        p.needed_to_ = t.frames[p.closed_end_ - 1].to;
    }
    return p;
}

bool history::sum_some(query_plan& p, std::size_t cells) const {
    const auto done = [&] { return !p.open_pending_ && p.chunk_first_ >= p.closed_end_; };
    if (p.rows == 0 || done()) return true;
    const tier& t = store_[p.tier_];
    const std::size_t table = std::max<std::size_t>(1, p.answer.counts.size());
    if (p.open_pending_) {
        // The open bucket's view, with the finer open buckets not folded into it yet.
        span open;
        open.tier = p.tier_;
        open.first = t.frames.size();
        open.last = open.first + 1;
        const std::size_t rows = t.open.shape->row_ids.size();
        const std::size_t ncols = std::max<std::size_t>(1, t.open.shape->cpus.size());
        const std::size_t end = std::min(rows, p.row_ + std::max<std::size_t>(1, cells / ncols));
        add_rows(p, views_of(open), p.row_, end);
        p.row_ = end;
        if (p.row_ == rows) {
            p.open_pending_ = false;
            p.row_ = 0;
        }
        return done();
    }
    if (p.chunk_first_ == p.chunk_last_) {
        // A chunk's running sums are written once per chunk: 16 slices of frames per chunk keep that
        // a small part of the traffic, and the first chunk (the frames next in line to be dropped) short.
        const std::size_t frames = std::max<std::size_t>(1, 16 * cells / table);
        p.chunk_last_ = std::min(p.closed_end_, p.chunk_first_ + frames);
        if (!p.by_rows) p.chunk_last_ = same_layout_until(p.tier_, p.chunk_first_, p.chunk_last_);
        p.row_ = 0;
    }
    const layout& shape = *t.frames[p.chunk_first_].shape;
    const std::size_t rows = shape.row_ids.size();
    const std::size_t per_row = std::max<std::size_t>(1, shape.cpus.size() * (p.chunk_last_ - p.chunk_first_));
    const std::size_t end = std::min(rows, p.row_ + std::max<std::size_t>(1, cells / per_row));
    span s;
    s.tier = p.tier_;
    s.first = p.chunk_first_;
    s.last = p.chunk_last_;
    add_rows(p, views_of(s), p.row_, end);
    p.row_ = end;
    if (p.row_ == rows) {
        p.chunk_first_ = p.chunk_last_;
        p.row_ = 0;
        if (p.chunk_first_ < p.closed_end_) p.needed_from_ = t.frames[p.chunk_first_].from;
    }
    return done();
}

bool history::follow(query_plan& p) const {
    if (p.generation == generation_) return true;
    if (p.open_pending_) return false;   // the open bucket changes in place
    if (p.chunk_first_ < p.closed_end_) {
        // Closed frames only go from the front of a tier (retention, budget) and come at its back, so
        // the frames still needed are where they were less the frames dropped before them, if kept.
        const auto& frames = store_[p.tier_].frames;
        const auto it = std::lower_bound(frames.begin(), frames.end(), p.needed_from_,
                                         [](const frame& f, clock_time t) { return f.from < t; });
        if (it == frames.end() || it->from != p.needed_from_) return false;
        const auto at = static_cast<std::size_t>(it - frames.begin());
        if (at > p.chunk_first_) return false;
        const std::size_t dropped = p.chunk_first_ - at;
        if (p.closed_end_ - dropped > frames.size() || frames[p.closed_end_ - dropped - 1].to != p.needed_to_) return false;
        p.first_ -= std::min(p.first_, dropped);
        p.last_ -= dropped;
        p.closed_end_ -= dropped;
        p.chunk_first_ -= dropped;
        p.chunk_last_ -= dropped;
    }
    p.generation = generation_;
    return true;
}

void history::sum_rows(query_plan& plan, std::size_t begin, std::size_t end) const {
    end = std::min(end, plan.rows);
    if (!plan.by_rows || begin >= end || plan.first_ == plan.last_) return;
    span s;
    s.tier = plan.tier_;
    s.first = plan.first_;
    s.last = plan.last_;
    const std::size_t ncols = plan.answer.shape->cpus.size();
    add_cells(views_of(s), begin * ncols, end * ncols, plan.answer.counts.data());
}

window_counts history::query(clock_time from, clock_time to) const {
    query_plan p = plan_query(from, to);
    if (p.by_rows) {
        sum_rows(p, 0, p.rows);
        return std::move(p.answer);
    }
    for (std::size_t first = p.first_; first < p.last_;) {
        span run;
        run.tier = p.tier_;
        run.first = first;
        run.last = same_layout_until(p.tier_, first, p.last_);
        const auto views = views_of(run);
        add_rows(p, views, 0, (*views.front().shape)->row_ids.size());
        first = run.last;
    }
    return std::move(p.answer);
}

}  // namespace irqd::core
