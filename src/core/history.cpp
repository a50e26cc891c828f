// Tiered interrupt history: frames appended per sample, summed into resolution-aligned buckets for the
// coarser tiers, and window queries answered from the finest tier that reaches back far enough.
#include "irqd/core/history.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace irqd::core {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr std::uint64_t max_u32 = std::numeric_limits<std::uint32_t>::max();

// A tier of more frames than this is almost surely a typo ("1s:1000d"), and would not fit in memory.
constexpr std::uint64_t max_tier_frames = 1'000'000;

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

// What a query reads of a closed frame (32-bit counts and the big ones) or of an open bucket (64-bit).
struct history::view {
    clock_time from, to;
    const layout_ptr* shape;
    const std::uint32_t* counts32 = nullptr;
    const std::uint64_t* counts64 = nullptr;
    const std::vector<big_count>* big = nullptr;
};

history::history(std::vector<tier_config> tiers) : tiers_(tiers.empty() ? default_tiers() : std::move(tiers)) {
    for (auto& config : tiers_) {
        if (config.resolution <= seconds::zero()) config.resolution = seconds(1);
        tier t;
        t.config = config;
        t.capacity = static_cast<std::size_t>(std::max<std::int64_t>(1, config.retention / config.resolution));
        store_.push_back(std::move(t));
    }
}

void history::add(clock_time from, clock_time to, const delta_frame& frame) {
    if (!frame.shape) return;
    const std::size_t cells = frame.shape->row_ids.size() * frame.shape->cpus.size();
    if (frame.counts.size() != cells || cells > max_u32) return;
    if (newest_ && from < *newest_) {
        const auto shift = *newest_ - from;
        from += shift;
        to += shift;
    }
    to = std::max(to, from);
    std::vector<std::uint64_t*> sums;
    sums.reserve(store_.size());
    for (auto& t : store_) {
        if (std::uint64_t* acc = add_to_tier(t, from, to, frame)) sums.push_back(acc);
    }
    // Slice by slice, so a frame is read from memory once however many buckets it is summed into.
    const std::uint64_t* src = frame.counts.data();
    for (std::size_t begin = 0; begin < cells && !sums.empty(); begin += slice) {
        const std::size_t end = std::min(cells, begin + slice);
        for (std::uint64_t* acc : sums) {
            for (std::size_t i = begin; i < end; ++i) acc[i] += src[i];
        }
    }
    newest_ = to;
    enforce_budget();
}

namespace {

// Narrows 64-bit counts to 32 bits, keeping the exact value of the few cells that do not fit.
template <class BigCount>
void store_counts(const std::uint64_t* src, std::size_t n, std::vector<std::uint32_t>& counts, std::vector<BigCount>& big) {
    // Recycled buffers from a larger layout are given back rather than kept at the old size.
    if (counts.capacity() > 2 * n) std::vector<std::uint32_t>().swap(counts);
    counts.resize(n);
    big.clear();
    std::uint64_t high = 0;
    std::uint32_t* dst = counts.data();
    for (std::size_t i = 0; i < n; ++i) {
        dst[i] = static_cast<std::uint32_t>(std::min(src[i], max_u32));
        high |= src[i];
    }
    if (high <= max_u32) return;
    for (std::size_t i = 0; i < n; ++i) {
        if (src[i] > max_u32) big.push_back({static_cast<std::uint32_t>(i), src[i]});
    }
}

}  // namespace

std::uint64_t* history::add_to_tier(tier& t, clock_time from, clock_time to, const delta_frame& df) {
    const std::int64_t index = bucket_index(to, t.config.resolution);
    if (t.has_open && (index != t.open.index || !same_layout(t.open.shape, df.shape))) close_bucket(t);

    if (!t.has_open && to - from >= half(t.config.resolution)) {
        // Already as coarse as this tier: kept as it is, with its own from/to.
        frame& f = push_frame(t);
        f.from = from;
        f.to = to;
        f.shape = df.shape;
        store_counts(df.counts.data(), df.counts.size(), f.counts, f.big);
        return nullptr;
    }
    if (!t.has_open) {
        t.has_open = true;
        t.open.from = from;
        t.open.to = to;
        t.open.shape = df.shape;
        t.open.index = index;
        // A buffer left from a larger layout is given back (memory returns after a burst of IRQs).
        if (t.open.counts.capacity() > 2 * df.counts.size()) std::vector<std::uint64_t>().swap(t.open.counts);
        t.open.counts.assign(df.counts.begin(), df.counts.end());
        return nullptr;
    }
    t.open.to = to;
    // An equal layout behind a new pointer (the tracker was reset): adopt it, so the next frames
    // match by pointer instead of comparing every row id.
    if (t.open.shape != df.shape) t.open.shape = df.shape;
    return t.open.counts.data();
}

void history::close_bucket(tier& t) {
    frame& f = push_frame(t);
    f.from = t.open.from;
    f.to = t.open.to;
    f.shape = std::move(t.open.shape);
    store_counts(t.open.counts.data(), t.open.counts.size(), f.counts, f.big);
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
    }
    newest_.reset();
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

window_counts history::query(clock_time from, clock_time to) const {
    window_counts out;
    if (empty()) {
        out.from = out.to = from;
        out.complete = false;
        return out;
    }

    // The tiers as sequences of closed frames followed by the open bucket, if any.
    const auto length = [](const tier& t) { return t.frames.size() + (t.has_open ? 1 : 0); };
    const auto start_of = [](const tier& t, std::size_t i) { return i < t.frames.size() ? t.frames[i].from : t.open.from; };
    const auto end_of = [](const tier& t, std::size_t i) { return i < t.frames.size() ? t.frames[i].to : t.open.to; };
    // A tier covers `target` when its oldest frame starts at most half a frame after it. Half of the
    // frame's own length, not of the resolution: the first frame of a young history (or an open
    // bucket) holds only the seconds since the first sample, and must not pass for an hour.
    const auto covers = [&](const tier& t, clock_time target) {
        if (length(t) == 0) return false;
        const auto frame_length = std::chrono::duration_cast<std::chrono::seconds>(end_of(t, 0) - start_of(t, 0));
        const auto tolerance = std::clamp(frame_length, std::chrono::seconds(1), t.config.resolution);
        return start_of(t, 0) <= saturating_add(target, half(tolerance));
    };
    // [first, last) of the frames whose midpoint lies in [from, to]; midpoints ascend with the frames.
    const auto inside = [&](const tier& t) -> std::pair<std::size_t, std::size_t> {
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
    };

    // Tier choice: the finest that covers `from`; failing that, whichever reaches furthest back.
    clock_time target = from;
    out.complete = std::any_of(store_.begin(), store_.end(), [&](const tier& t) { return covers(t, from); });
    if (!out.complete) {
        target = oldest();
    }
    std::size_t chosen = 0;
    while (!covers(store_[chosen], target)) ++chosen;
    auto [first, last] = inside(store_[chosen]);
    while (last - first > max_query_frames) {
        std::size_t coarser = chosen + 1;
        while (coarser < store_.size() && !covers(store_[coarser], target)) ++coarser;
        if (coarser == store_.size()) break;
        chosen = coarser;
        std::tie(first, last) = inside(store_[chosen]);
    }
    const tier& t = store_[chosen];
    out.resolution = t.config.resolution;
    out.frames = last - first;

    if (first == last) {
        const tier& finest = store_.front();
        const layout_ptr& newest_shape = finest.has_open ? finest.open.shape : finest.frames.back().shape;
        out.from = out.to = std::clamp(from, oldest(), newest());
        out.shape = newest_shape;
        out.counts.assign(newest_shape->row_ids.size() * newest_shape->cpus.size(), 0);
        return out;
    }

    std::vector<view> views;
    views.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) {
        if (i < t.frames.size()) {
            const frame& f = t.frames[i];
            views.push_back({f.from, f.to, &f.shape, f.counts.data(), nullptr, &f.big});
        } else {
            views.push_back({t.open.from, t.open.to, &t.open.shape, nullptr, t.open.counts.data(), nullptr});
        }
    }
    out.from = views.front().from;
    out.to = views.back().to;

    // The distinct layouts, newest first; most windows have exactly one.
    std::vector<const layout_ptr*> layouts;
    std::vector<std::size_t> layout_of(views.size());
    for (std::size_t v = views.size(); v-- > 0;) {
        const layout_ptr& shape = *views[v].shape;
        if (v + 1 < views.size() && shape == *views[v + 1].shape) {
            layout_of[v] = layout_of[v + 1];
            continue;
        }
        std::size_t k = 0;
        while (k < layouts.size() && !same_layout(*layouts[k], shape)) ++k;
        if (k == layouts.size()) layouts.push_back(&shape);
        layout_of[v] = k;
    }

    if (layouts.size() == 1) {
        out.shape = *layouts.front();
        const std::size_t n = out.shape->row_ids.size() * out.shape->cpus.size();
        out.counts.assign(n, 0);
        std::uint64_t* acc = out.counts.data();
        for (std::size_t begin = 0; begin < n; begin += slice) {
            const std::size_t end = std::min(n, begin + slice);
            for (const view& v : views) {
                if (v.counts32) {
                    for (std::size_t i = begin; i < end; ++i) acc[i] += v.counts32[i];
                } else {
                    for (std::size_t i = begin; i < end; ++i) acc[i] += v.counts64[i];
                }
            }
        }
        for (const view& v : views) {
            if (!v.big) continue;
            for (const auto& b : *v.big) acc[b.cell] += b.value - max_u32;
        }
        return out;
    }

    // Several layouts: the union, the newest's rows and CPUs first, then those only older frames have.
    auto joined = std::make_shared<layout>();
    std::unordered_map<std::string_view, std::size_t> row_index;
    std::unordered_map<unsigned, std::size_t> cpu_index;
    for (const layout_ptr* shape : layouts) {
        for (const auto& id : (*shape)->row_ids) {
            if (row_index.emplace(id, joined->row_ids.size()).second) joined->row_ids.push_back(id);
        }
        for (unsigned cpu : (*shape)->cpus) {
            if (cpu_index.emplace(cpu, joined->cpus.size()).second) joined->cpus.push_back(cpu);
        }
    }
    struct mapping {
        std::vector<std::size_t> rows, cols;
    };
    std::vector<mapping> maps(layouts.size());
    for (std::size_t k = 0; k < layouts.size(); ++k) {
        for (const auto& id : (*layouts[k])->row_ids) maps[k].rows.push_back(row_index.at(id));
        for (unsigned cpu : (*layouts[k])->cpus) maps[k].cols.push_back(cpu_index.at(cpu));
    }
    const std::size_t joined_cols = joined->cpus.size();
    out.counts.assign(joined->row_ids.size() * joined_cols, 0);
    std::uint64_t* acc = out.counts.data();
    for (std::size_t v = 0; v < views.size(); ++v) {
        const mapping& m = maps[layout_of[v]];
        const std::size_t ncols = m.cols.size();
        for (std::size_t r = 0; r < m.rows.size(); ++r) {
            std::uint64_t* dst = acc + m.rows[r] * joined_cols;
            if (views[v].counts32) {
                const std::uint32_t* src = views[v].counts32 + r * ncols;
                for (std::size_t c = 0; c < ncols; ++c) dst[m.cols[c]] += src[c];
            } else {
                const std::uint64_t* src = views[v].counts64 + r * ncols;
                for (std::size_t c = 0; c < ncols; ++c) dst[m.cols[c]] += src[c];
            }
        }
        if (views[v].big) {
            for (const auto& b : *views[v].big) {
                acc[m.rows[b.cell / ncols] * joined_cols + m.cols[b.cell % ncols]] += b.value - max_u32;
            }
        }
    }
    out.shape = std::move(joined);
    return out;
}

}  // namespace irqd::core
