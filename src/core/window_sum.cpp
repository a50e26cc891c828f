// The union of layouts and the running sum of windows a balance plan builds chunk by chunk; history's
// query uses the same union when a window spans a layout change.
#include "irqd/core/window_sum.hpp"

#include <algorithm>
#include <numeric>

namespace irqd::core {

layout_union::mapping layout_union::add(const layout& l) {
    mapping m;
    m.rows.reserve(l.row_ids.size());
    m.cols.reserve(l.cpus.size());
    for (const auto& id : l.row_ids) {
        auto [it, fresh] = row_index_.emplace(id, joined_.row_ids.size());
        if (fresh) joined_.row_ids.push_back(id);
        m.rows.push_back(it->second);
    }
    for (unsigned cpu : l.cpus) {
        auto [it, fresh] = cpu_index_.emplace(cpu, joined_.cpus.size());
        if (fresh) joined_.cpus.push_back(cpu);
        m.cols.push_back(it->second);
    }
    return m;
}

layout layout_union::take() {
    row_index_.clear();
    cpu_index_.clear();
    return std::exchange(joined_, layout{});
}

void window_sum::add(const window_counts& w) {
    if (first_) sum_.complete = w.complete && w.frames > 0;
    first_ = false;
    if (w.frames == 0 || !w.shape) return;
    if (sum_.frames == 0) sum_.from = w.from;
    sum_.to = w.to;
    sum_.frames += w.frames;
    sum_.resolution = std::max(sum_.resolution, w.resolution);
    if (w.shape != mapped_) {
        mapped_ = w.shape;
        map_ = union_.add(*w.shape);
        const auto ncols = union_.joined().cpus.size();
        for (auto& r : rows_) r.resize(ncols, 0);
        rows_.resize(union_.joined().row_ids.size(), std::vector<std::uint64_t>(ncols, 0));
    }
    const auto ncpu = w.shape->cpus.size();
    for (std::size_t r = 0; r < map_.rows.size(); ++r) {
        auto& dst = rows_[map_.rows[r]];
        const auto* src = &w.counts[r * ncpu];
        for (std::size_t c = 0; c < ncpu; ++c) dst[map_.cols[c]] += src[c];
    }
}

window_counts window_sum::seal() {
    auto joined = union_.take();
    std::vector<std::size_t> order(joined.cpus.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return joined.cpus[a] < joined.cpus[b]; });
    auto shape = std::make_shared<layout>();
    shape->row_ids = std::move(joined.row_ids);
    for (auto i : order) shape->cpus.push_back(joined.cpus[i]);
    window_counts out = std::move(sum_);
    if (out.frames == 0) out.complete = false;
    out.counts.clear();
    out.counts.reserve(rows_.size() * order.size());
    for (const auto& r : rows_)
        for (auto i : order) out.counts.push_back(r[i]);
    out.shape = std::move(shape);
    *this = window_sum{};
    return out;
}

}  // namespace irqd::core
