// Builds the per-CPU load counter snapshot (see cpu_counters.hpp).
#include "irqd/core/cpu_counters.hpp"

#include <algorithm>
#include <string>

namespace irqd::core {

namespace {
void add_row(snapshot& out, std::string_view id) {
    irq_row r;
    r.id = std::string(id);
    out.rows.push_back(std::move(r));
}
}  // namespace

void cpu_counters_snapshot(const proc_stat* stat, const softirq_table* softirqs, const softnet_stat* softnet,
                           snapshot& out) {
    out.cpus.clear();
    out.rows.clear();
    out.counts.clear();
    out.issues.clear();
    if (stat)
        for (const auto& t : stat->cpus) out.cpus.push_back(*t.cpu);
    if (softirqs) out.cpus.insert(out.cpus.end(), softirqs->cpus.begin(), softirqs->cpus.end());
    if (softnet)
        for (const auto& c : softnet->cpus) out.cpus.push_back(c.cpu);
    std::sort(out.cpus.begin(), out.cpus.end());
    out.cpus.erase(std::unique(out.cpus.begin(), out.cpus.end()), out.cpus.end());
    const std::size_t ncpu = out.cpus.size();
    auto column = [&](unsigned cpu) {
        return static_cast<std::size_t>(std::lower_bound(out.cpus.begin(), out.cpus.end(), cpu) - out.cpus.begin());
    };
    auto new_rows = [&](std::size_t n) {
        out.counts.resize(out.counts.size() + n * ncpu, 0);
        return out.counts.size() - n * ncpu;   // first cell of the first new row
    };
    if (stat) {
        for (auto id : {cpu_series::irq_time, cpu_series::softirq_time, cpu_series::total_time}) add_row(out, id);
        const auto base = new_rows(3);
        for (const auto& t : stat->cpus) {
            const auto c = column(*t.cpu);
            out.counts[base + c] = t.irq;
            out.counts[base + ncpu + c] = t.softirq;
            out.counts[base + 2 * ncpu + c] = t.total();
        }
    }
    if (softirqs) {
        for (const auto& name : softirqs->names) add_row(out, std::string(cpu_series::softirq_prefix) + name);
        const auto base = new_rows(softirqs->names.size());
        for (std::size_t k = 0; k < softirqs->cpus.size(); ++k) {
            const auto c = column(softirqs->cpus[k]);
            for (std::size_t r = 0; r < softirqs->names.size(); ++r) out.counts[base + r * ncpu + c] = softirqs->count(r, k);
        }
    }
    if (softnet) {
        for (auto id : {cpu_series::processed, cpu_series::dropped, cpu_series::time_squeezed, cpu_series::received_rps,
                        cpu_series::flow_limit_count})
            add_row(out, id);
        const auto base = new_rows(5);
        for (const auto& s : softnet->cpus) {
            const auto c = column(s.cpu);
            std::size_t r = 0;
            for (auto v : {s.processed, s.dropped, s.time_squeezed, s.received_rps, s.flow_limit_count})
                out.counts[base + (r++) * ncpu + c] = v;
        }
    }
}

std::optional<std::uint64_t> series_count(const window_counts& w, std::string_view series, std::size_t column) {
    if (!w.shape || column >= w.shape->cpus.size()) return std::nullopt;
    const auto& ids = w.shape->row_ids;
    const auto it = std::find(ids.begin(), ids.end(), series);
    if (it == ids.end()) return std::nullopt;
    return w.counts[static_cast<std::size_t>(it - ids.begin()) * w.shape->cpus.size() + column];
}

}  // namespace irqd::core
