// Time series from the history tiers: pick the tier and the step grid, then sum each frame into the
// step that holds its midpoint, per CPU column (of every row, or of one) or per IRQ row (busiest rows
// picked in a first pass).
#include "irqd/core/series.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

namespace irqd::core {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

std::int64_t ns_of(clock_time t) { return std::chrono::duration_cast<nanoseconds>(t.time_since_epoch()).count(); }

clock_time at_ns(std::int64_t ns) { return clock_time(std::chrono::duration_cast<clock_time::duration>(nanoseconds(ns))); }

// The smallest multiple of `unit` that is at least `d` (and at least one unit).
seconds round_up(nanoseconds d, seconds unit) {
    const auto u = nanoseconds(unit).count();
    return unit * std::max<std::int64_t>(1, (d.count() + u - 1) / u);
}

std::string text_of(nanoseconds d) { return format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(d)); }

// Where the step grid lies and what it reads.
struct grid {
    std::int64_t first = 0;           // step index of the first step
    std::size_t points = 0;
    std::int64_t step_ns = 1;
    // The step holding a frame's midpoint, or -1 when it falls outside the grid.
    std::ptrdiff_t step_of(const history::frame_view& f) const {
        const auto mid = ns_of(f.from + (f.to - f.from) / 2);
        const auto k = floor_div(mid - 1, step_ns) - first;
        return k < 0 || k >= static_cast<std::int64_t>(points) ? -1 : static_cast<std::ptrdiff_t>(k);
    }
};

// Sums per line and step, and the seconds the summed frames cover; rates at the end.
struct accumulator {
    std::size_t points = 0;
    std::vector<std::uint64_t> counts;
    std::vector<double> seconds_covered;
    void reset(std::size_t lines, std::size_t steps) {
        points = steps;
        counts.assign(lines * steps, 0);
        seconds_covered.assign(lines * steps, 0.0);
    }
    void add(std::size_t line, std::size_t step, std::uint64_t n, double secs) {
        counts[line * points + step] += n;
        seconds_covered[line * points + step] += secs;
    }
    std::vector<std::optional<double>> rates(std::size_t line) const {
        std::vector<std::optional<double>> out(points);
        for (std::size_t k = 0; k < points; ++k) {
            const auto s = seconds_covered[line * points + k];
            if (s > 0) out[k] = static_cast<double>(counts[line * points + k]) / s;
        }
        return out;
    }
};

double seconds_of(const history::frame_view& f) { return std::chrono::duration<double>(f.to - f.from).count(); }

// Per column of the frame, the sum over all rows.
void column_sums(const history::frame_view& f, std::vector<std::uint64_t>& out) {
    const auto& shape = **f.shape;
    const std::size_t ncols = shape.cpus.size(), nrows = shape.row_ids.size();
    out.assign(ncols, 0);
    for (std::size_t r = 0; r < nrows; ++r) {
        const std::size_t base = r * ncols;
        if (f.counts64) {
            for (std::size_t c = 0; c < ncols; ++c) out[c] += f.counts64[base + c];
            for (const std::uint64_t* part : f.more64)
                for (std::size_t c = 0; c < ncols; ++c) out[c] += part[base + c];
        } else {
            for (std::size_t c = 0; c < ncols; ++c) out[c] += f.counts32[base + c];
        }
    }
    // A big cell's 32-bit count is 2^32-1; its exact value makes up the rest.
    if (f.counts32 && f.big)
        for (const auto& b : *f.big) out[b.cell % ncols] += b.value - UINT32_MAX;
}

std::uint64_t row_sum(const history::frame_view& f, std::size_t row, const std::vector<std::size_t>& cols) {
    const std::size_t base = row * (*f.shape)->cpus.size();
    std::uint64_t sum = 0;
    for (auto c : cols) sum += f.count(base + c);
    return sum;
}

// The columns of a layout the query counts.
std::vector<std::size_t> counted_columns(const layout& l, const std::optional<cpu_set>& only) {
    std::vector<std::size_t> cols;
    for (std::size_t c = 0; c < l.cpus.size(); ++c)
        if (!only || only->contains(l.cpus[c])) cols.push_back(c);
    return cols;
}

error too_many(std::size_t points, std::size_t lines, std::size_t limit) {
    return error{"the answer would hold " + std::to_string(points) + " points x " + std::to_string(lines) +
                     " series, more than the limit of " + std::to_string(limit) +
                     " (ask a larger step, a shorter window, or fewer series)",
                 error_kind::unprocessable};
}

result<bool> cpu_lines(const std::vector<history::frame_view>& frames, const grid& g, const series_query& q,
                       const snapshot& names, series& out) {
    std::map<unsigned, std::size_t> line_of;
    const layout_ptr* seen = nullptr;
    for (const auto& f : frames) {
        if (seen && *seen == *f.shape) continue;
        seen = f.shape;
        for (auto cpu : (*f.shape)->cpus)
            if (!q.cpus || q.cpus->contains(cpu)) line_of.emplace(cpu, 0);
    }
    if (frames.empty())
        for (auto cpu : names.cpus)
            if (!q.cpus || q.cpus->contains(cpu)) line_of.emplace(cpu, 0);
    std::size_t n = 0;
    for (auto& [cpu, line] : line_of) line = n++;
    if (n * g.points > q.max_cells) return too_many(g.points, n, q.max_cells);

    accumulator per_cpu, total;
    per_cpu.reset(line_of.size(), g.points);
    total.reset(1, g.points);
    std::vector<std::uint64_t> sums;
    std::vector<std::ptrdiff_t> lines;   // per column of the current layout; -1: not counted
    seen = nullptr;
    for (const auto& f : frames) {
        const auto k = g.step_of(f);
        if (k < 0) continue;
        const auto& shape = **f.shape;
        if (!seen || *seen != *f.shape) {
            seen = f.shape;
            lines.assign(shape.cpus.size(), -1);
            for (std::size_t c = 0; c < shape.cpus.size(); ++c)
                if (auto it = line_of.find(shape.cpus[c]); it != line_of.end()) lines[c] = static_cast<std::ptrdiff_t>(it->second);
        }
        if (q.row.empty()) {
            column_sums(f, sums);
        } else {
            const auto& ids = shape.row_ids;
            const auto r = std::find(ids.begin(), ids.end(), q.row);
            if (r == ids.end()) continue;   // not sampled then: the step stays null
            const std::size_t base = static_cast<std::size_t>(r - ids.begin()) * shape.cpus.size();
            sums.resize(shape.cpus.size());
            for (std::size_t c = 0; c < sums.size(); ++c) sums[c] = f.count(base + c);
        }
        const double secs = seconds_of(f);
        std::uint64_t all = 0;
        for (std::size_t c = 0; c < sums.size(); ++c) {
            if (lines[c] < 0) continue;
            per_cpu.add(static_cast<std::size_t>(lines[c]), static_cast<std::size_t>(k), sums[c], secs);
            all += sums[c];
        }
        total.add(0, static_cast<std::size_t>(k), all, secs);
    }
    for (auto& [cpu, line] : line_of) out.lines.push_back(series_line{cpu, {}, {}, per_cpu.rates(line)});
    out.total = total.rates(0);
    return true;
}

result<bool> irq_lines(const std::vector<history::frame_view>& frames, const grid& g, const series_query& q,
                       const snapshot& names, series& out) {
    std::unordered_map<std::string_view, const irq_row*> row_of;
    for (const auto& r : names.rows) row_of.emplace(r.id, &r);
    auto name_of = [&](const std::string& id) {
        auto it = row_of.find(id);
        return it == row_of.end() ? std::string() : it->second->name;
    };
    // Rows by id across layouts: whether the selection keeps them and their total in the window.
    struct row_info {
        std::string id;
        bool kept = false;
        std::uint64_t total = 0;
        std::ptrdiff_t line = -1;
    };
    std::vector<row_info> rows;
    std::unordered_map<std::string, std::size_t> index;
    struct layout_map {
        const layout_ptr* shape = nullptr;
        std::vector<std::size_t> rows;   // union index of each layout row
        std::vector<std::size_t> cols;   // counted columns
    } map;
    auto remap = [&](const history::frame_view& f) {
        if (map.shape && *map.shape == *f.shape) return;
        map.shape = f.shape;
        const auto& shape = **f.shape;
        map.rows.resize(shape.row_ids.size());
        for (std::size_t r = 0; r < shape.row_ids.size(); ++r) {
            const auto& id = shape.row_ids[r];
            auto [it, fresh] = index.try_emplace(id, rows.size());
            if (fresh) {
                const bool kept = (q.irqs.ids.empty() || q.irqs.ids.contains(id)) &&
                                  (q.irqs.pattern.empty() || name_or_id_matches(q.irqs.pattern, id, name_of(id)));
                rows.push_back({id, kept, 0, -1});
            }
            map.rows[r] = it->second;
        }
        map.cols = counted_columns(shape, q.cpus);
    };

    accumulator total;
    total.reset(1, g.points);
    for (const auto& f : frames) {
        const auto k = g.step_of(f);
        if (k < 0) continue;
        remap(f);
        std::uint64_t all = 0;
        for (std::size_t r = 0; r < map.rows.size(); ++r) {
            auto& info = rows[map.rows[r]];
            if (!info.kept) continue;
            const auto n = row_sum(f, r, map.cols);
            info.total += n;
            all += n;
        }
        total.add(0, static_cast<std::size_t>(k), all, seconds_of(f));
    }
    std::vector<std::size_t> picked;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (rows[i].kept) picked.push_back(i);
    std::stable_sort(picked.begin(), picked.end(), [&](auto a, auto b) { return rows[a].total > rows[b].total; });
    const std::size_t top = q.irqs.top ? q.irqs.top : default_series_top;
    if (picked.size() > top) picked.resize(top);
    if (picked.size() * g.points > q.max_cells) return too_many(g.points, picked.size(), q.max_cells);
    for (std::size_t l = 0; l < picked.size(); ++l) rows[picked[l]].line = static_cast<std::ptrdiff_t>(l);

    accumulator per_irq;
    per_irq.reset(picked.size(), g.points);
    map.shape = nullptr;
    for (const auto& f : frames) {
        const auto k = g.step_of(f);
        if (k < 0 || picked.empty()) continue;
        remap(f);
        const double secs = seconds_of(f);
        for (std::size_t r = 0; r < map.rows.size(); ++r)
            if (auto line = rows[map.rows[r]].line; line >= 0)
                per_irq.add(static_cast<std::size_t>(line), static_cast<std::size_t>(k), row_sum(f, r, map.cols), secs);
    }
    for (std::size_t l = 0; l < picked.size(); ++l) {
        const auto& id = rows[picked[l]].id;
        out.lines.push_back(series_line{0, id, name_of(id), per_irq.rates(l)});
    }
    out.total = total.rates(0);
    return true;
}

}  // namespace

result<series> make_series(const history& h, const series_query& q, const snapshot& names) {
    if (q.to <= q.from) return error{"from must be before to"};
    if (q.step.count() < 0) return error{"step must be longer than 0s"};
    const nanoseconds window = q.to - q.from;
    const bool asked_step = q.step.count() > 0;
    const nanoseconds wanted = asked_step ? nanoseconds(q.step)
                                          : (window + nanoseconds(default_series_points - 2)) / static_cast<std::int64_t>(default_series_points - 1);
    series out;
    std::size_t tier = 0;
    bool complete = false;
    if (!h.empty()) {
        const auto pick = h.pick_tier(q.from, wanted, asked_step);
        tier = pick.tier;
        complete = pick.complete;
    }
    out.resolution = h.tiers()[tier].resolution;
    out.step = round_up(wanted, out.resolution);
    std::vector<std::string> notes;
    if (asked_step && nanoseconds(out.step) != wanted)
        notes.push_back("step " + text_of(wanted) + " rounded up to " + text_of(out.step) + ", a multiple of the " +
                        text_of(out.resolution) + " resolution of the history tier that reaches back to from");
    if (h.empty()) notes.push_back("no samples yet");
    else if (!complete)
        notes.push_back("history reaches back only to " + format_rfc3339(h.oldest()) + "; earlier steps are null");

    grid g;
    g.step_ns = nanoseconds(out.step).count();
    g.first = floor_div(ns_of(q.from), g.step_ns);
    const std::int64_t last = floor_div(ns_of(q.to) - 1, g.step_ns);
    const auto points = static_cast<std::uint64_t>(last - g.first + 1);
    if (points > q.max_cells) return too_many(points, 1, q.max_cells);
    g.points = static_cast<std::size_t>(points);
    out.from = at_ns(g.first * g.step_ns);
    out.to = at_ns((last + 1) * g.step_ns);
    for (std::size_t k = 0; k < g.points; ++k) out.times.push_back(at_ns((g.first + 1 + static_cast<std::int64_t>(k)) * g.step_ns));

    std::vector<history::frame_view> frames;
    if (!h.empty()) frames = h.frames_in(tier, out.from, out.to);
    auto filled = q.what == series_kind::cpus ? cpu_lines(frames, g, q, names, out) : irq_lines(frames, g, q, names, out);
    if (!filled) return error{filled.error_message(), filled.kind()};
    for (const auto& n : notes) out.note += (out.note.empty() ? "" : "; ") + n;
    return out;
}

}  // namespace irqd::core
