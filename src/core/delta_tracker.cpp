// Turns consecutive /proc/interrupts snapshots into per-interval counts: wrap-aware deltas, aligned by
// IRQ id and CPU number when the layout changes, and a straight loop when it does not (the usual case).
#include <limits>
#include <string_view>
#include <unordered_map>

#include "irqd/core/history.hpp"

namespace irqd::core {

std::uint64_t counter_delta(std::uint64_t prev, std::uint64_t cur) {
    if (cur >= prev) return cur - prev;
    constexpr std::uint64_t wrap = std::uint64_t{1} << 32;
    constexpr std::uint64_t plausible = std::uint64_t{1} << 31;
    if (prev < wrap) {
        // cur < prev < 2^32, so this cannot underflow.
        const std::uint64_t wrapped = wrap - prev + cur;
        if (wrapped < plausible) return wrapped;
    }
    return cur;
}

namespace {

// The snapshot's value at (row, col), 0 for cells a malformed snapshot does not hold.
std::uint64_t cell(const snapshot& s, std::size_t row, std::size_t col) {
    const std::size_t i = row * s.cpus.size() + col;
    return i < s.counts.size() ? s.counts[i] : 0;
}

// n deltas of one row: a straight subtraction, unless a counter went down somewhere in the row.
void row_deltas(const std::uint64_t* before, const std::uint64_t* now, std::uint64_t* delta, std::size_t n) {
    bool down = false;
    for (std::size_t c = 0; c < n; ++c) {
        delta[c] = now[c] - before[c];
        down |= now[c] < before[c];
    }
    if (!down) return;
    for (std::size_t c = 0; c < n; ++c) delta[c] = counter_delta(before[c], now[c]);
}

// The same deltas added to `sum` instead of written: one pass that reads the two rows and the sum. A
// counter went down where the subtraction borrowed (bit 63 of the borrow term, exact for any two
// 64-bit values); that rare row is then put right with counter_delta.
void row_sums(const std::uint64_t* __restrict before, const std::uint64_t* __restrict now, std::uint64_t* __restrict sum,
              std::size_t n) {
    std::uint64_t borrow = 0;
    for (std::size_t c = 0; c < n; ++c) {
        const std::uint64_t d = now[c] - before[c];
        borrow |= (~now[c] & before[c]) | (~(now[c] ^ before[c]) & d);
        sum[c] += d;
    }
    if ((borrow >> 63) == 0) return;
    for (std::size_t c = 0; c < n; ++c) sum[c] += counter_delta(before[c], now[c]) - (now[c] - before[c]);
}

}  // namespace

std::optional<delta_frame> delta_tracker::next(const snapshot& cur) {
    delta_frame out;
    if (!next(cur, out)) return std::nullopt;
    return out;
}

bool delta_tracker::next(const snapshot& cur, delta_frame& out) {
    // The previous counts were the caller's and are gone: start again.
    if (borrowed_) reset();
    return step(nullptr, cur, &out, nullptr);
}

bool delta_tracker::next(const snapshot& prev, const snapshot& cur, delta_frame& out) { return step(&prev, cur, &out, nullptr); }

bool delta_tracker::sum_next(const snapshot& prev, const snapshot& cur, std::uint64_t* sum) {
    return sum != nullptr && step(&prev, cur, nullptr, sum);
}

bool delta_tracker::last_deltas(const snapshot& prev, const snapshot& cur, delta_frame& out) const {
    const std::size_t ncols = shape_ ? shape_->cpus.size() : 0;
    if (!summed_ || summed_from_.size() != prev_rows_.size() || prev.cpus.size() != ncols || cur.cpus.size() != ncols ||
        prev.counts.size() != prev.rows.size() * ncols || cur.counts.size() != cur.rows.size() * ncols)
        return false;
    out.shape = shape_;
    out.counts.resize(prev_rows_.size() * ncols);
    for (std::size_t r = 0; r < prev_rows_.size(); ++r) {
        if (summed_from_[r] >= prev.rows.size() || prev_rows_[r] >= cur.rows.size()) return false;
        row_deltas(prev.counts.data() + summed_from_[r] * ncols, cur.counts.data() + prev_rows_[r] * ncols,
                   out.counts.data() + r * ncols, ncols);
    }
    return true;
}

// One step of the tracker: the frame into *out, or (out null) the deltas added to sum, which is only
// done for an unchanged layout (false otherwise, with nothing changed).
bool delta_tracker::step(const snapshot* prev, const snapshot& cur, delta_frame* out, std::uint64_t* sum) {
    // Collect the per-CPU rows and, on the way, check whether the layout is the previous one.
    src_rows_.clear();
    bool same = shape_ && shape_->cpus == cur.cpus;
    for (std::size_t i = 0; i < cur.rows.size(); ++i) {
        if (!cur.rows[i].per_cpu) continue;
        const std::size_t k = src_rows_.size();
        if (same && (k >= shape_->row_ids.size() || shape_->row_ids[k] != cur.rows[i].id)) same = false;
        src_rows_.push_back(i);
    }
    if (same && src_rows_.size() != shape_->row_ids.size()) same = false;
    const std::size_t ncols = cur.cpus.size();
    const auto well_formed = [&](const snapshot& s, const std::vector<std::size_t>& rows) {
        return s.cpus.size() == ncols && s.counts.size() == s.rows.size() * ncols && (rows.empty() || rows.back() < s.rows.size());
    };
    // The previous snapshot's rows are where they were when it was `cur` (prev_rows_), checked so a
    // caller that broke the promise gets wrong counts, not a read out of bounds.
    const bool fast = same && well_formed(cur, src_rows_) &&
                      (!prev || (prev_rows_.size() == src_rows_.size() && well_formed(*prev, prev_rows_)));
    if (!out && !fast) return false;
    const auto done = [&] {
        summed_ = !out;
        if (summed_) summed_from_ = prev_rows_;
        borrowed_ = prev != nullptr;
        if (borrowed_ && prev_.capacity() > 0) decltype(prev_)().swap(prev_);
        prev_rows_.swap(src_rows_);
    };

    if (fast && !out) {
        for (std::size_t r = 0; r < src_rows_.size(); ++r)
            row_sums(prev->counts.data() + prev_rows_[r] * ncols, cur.counts.data() + src_rows_[r] * ncols, sum + r * ncols, ncols);
        done();
        return true;
    }
    if (fast) {
        out->shape = shape_;
        out->counts.resize(src_rows_.size() * ncols);   // no-op in the steady state
        for (std::size_t r = 0; r < src_rows_.size(); ++r) {
            const std::uint64_t* now = cur.counts.data() + src_rows_[r] * ncols;
            std::uint64_t* delta = out->counts.data() + r * ncols;
            if (prev) {
                row_deltas(prev->counts.data() + prev_rows_[r] * ncols, now, delta, ncols);
            } else {
                std::uint64_t* before = prev_.data() + r * ncols;
                row_deltas(before, now, delta, ncols);
                std::copy(now, now + ncols, before);
            }
        }
        done();
        return true;
    }

    auto built = std::make_shared<layout>();
    built->cpus = cur.cpus;
    built->row_ids.reserve(src_rows_.size());
    for (std::size_t i : src_rows_) built->row_ids.push_back(cur.rows[i].id);
    // An unchanged layout read from a malformed snapshot keeps its pointer all the same.
    layout_ptr shape = same || (shape_ && *shape_ == *built) ? shape_ : layout_ptr(std::move(built));

    if (!shape_) {
        if (!prev) {
            prev_.resize(src_rows_.size() * ncols);
            for (std::size_t r = 0; r < src_rows_.size(); ++r) {
                for (std::size_t c = 0; c < ncols; ++c) prev_[r * ncols + c] = cell(cur, src_rows_[r], c);
            }
        }
        shape_ = std::move(shape);
        done();
        return false;
    }
    if (prev) {
        const snapshot& p = *prev;
        realign(cur, std::move(shape), *out, false, [&](std::size_t r, std::size_t c) {
            return r < prev_rows_.size() ? cell(p, prev_rows_[r], c) : 0;
        });
    } else {
        const std::size_t old_cols = shape_->cpus.size();
        realign(cur, std::move(shape), *out, true, [&](std::size_t r, std::size_t c) { return prev_[r * old_cols + c]; });
    }
    done();
    return true;
}

// The slow path: the layout changed, so each cell looks up its row and CPU in the previous layout.
// `before(row, col)`: the previous snapshot's count at a row and column of the previous layout;
// `keep`: keep the current counts in prev_ for the next call.
template <class Before>
void delta_tracker::realign(const snapshot& cur, layout_ptr shape, delta_frame& out, bool keep, Before before) {
    constexpr std::size_t absent = std::numeric_limits<std::size_t>::max();
    const layout& old = *shape_;
    const std::size_t old_cols = old.cpus.size();
    const std::size_t ncols = cur.cpus.size();

    // Each previous row is matched at most once, so a duplicated id cannot take two rows' history.
    std::unordered_map<std::string_view, std::size_t> old_row_of;
    old_row_of.reserve(old.row_ids.size());
    for (std::size_t r = 0; r < old.row_ids.size(); ++r) old_row_of.emplace(old.row_ids[r], r);
    std::vector<std::size_t> row_map(shape->row_ids.size(), absent);
    for (std::size_t r = 0; r < shape->row_ids.size(); ++r) {
        if (auto it = old_row_of.find(shape->row_ids[r]); it != old_row_of.end() && it->second != absent) {
            row_map[r] = it->second;
            it->second = absent;
        }
    }
    std::unordered_map<unsigned, std::size_t> old_col_of;
    for (std::size_t c = 0; c < old_cols; ++c) old_col_of.emplace(old.cpus[c], c);
    std::vector<std::size_t> col_map(ncols, absent);
    for (std::size_t c = 0; c < ncols; ++c) {
        if (auto it = old_col_of.find(cur.cpus[c]); it != old_col_of.end()) col_map[c] = it->second;
    }

    out.shape = shape;
    out.counts.assign(row_map.size() * ncols, 0);
    decltype(prev_) now;
    if (keep) now.resize(row_map.size() * ncols);
    for (std::size_t r = 0; r < row_map.size(); ++r) {
        for (std::size_t c = 0; c < ncols; ++c) {
            const std::uint64_t value = cell(cur, src_rows_[r], c);
            if (keep) now[r * ncols + c] = value;
            if (row_map[r] != absent && col_map[c] != absent) {
                out.counts[r * ncols + c] = counter_delta(before(row_map[r], col_map[c]), value);
            }
        }
    }
    prev_ = std::move(now);
    shape_ = std::move(shape);
    // After a burst of rows the scratch buffer is given back, like prev_ above.
    if (src_rows_.capacity() > 2 * src_rows_.size() + 1024) src_rows_.shrink_to_fit();
}

void delta_tracker::reset() {
    shape_.reset();
    prev_.clear();
    prev_rows_.clear();
    borrowed_ = false;
    summed_ = false;
}

}  // namespace irqd::core
