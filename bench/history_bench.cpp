// Cost of the history pipeline on a large machine: delta_tracker and history::add per sample, window
// queries, and memory, for synthetic 256 CPU x 4096 IRQ snapshots (deterministic). See docs/benchmarks.md.
//
//   history_bench [--samples=N] [--tiers=10s:2m,5m:1h,1h:1d] [--cpus=256] [--irqs=4096] [--repeat=5]
//                 [--slice-cells=2000000]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "irqd/core/history.hpp"

using namespace irqd::core;
using bench_clock = std::chrono::steady_clock;

namespace {

struct options {
    std::size_t samples = 3700;
    std::string tiers = "10s:2m,5m:1h,1h:1d";
    unsigned cpus = 256;
    unsigned irqs = 4096;
    int repeat = 5;
    std::size_t slice_cells = 2'000'000;   // settings' limit.query_slice_cells
};

bool take(std::string_view arg, std::string_view name, std::string_view& value) {
    if (arg.substr(0, name.size()) != name || arg.size() <= name.size() || arg[name.size()] != '=') return false;
    value = arg.substr(name.size() + 1);
    return true;
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::string_view v;
        if (take(arg, "--samples", v)) o.samples = std::strtoul(std::string(v).c_str(), nullptr, 10);
        else if (take(arg, "--tiers", v)) o.tiers = std::string(v);
        else if (take(arg, "--cpus", v)) o.cpus = static_cast<unsigned>(std::strtoul(std::string(v).c_str(), nullptr, 10));
        else if (take(arg, "--irqs", v)) o.irqs = static_cast<unsigned>(std::strtoul(std::string(v).c_str(), nullptr, 10));
        else if (take(arg, "--repeat", v)) o.repeat = std::max(1, std::atoi(std::string(v).c_str()));
        else if (take(arg, "--slice-cells", v)) o.slice_cells = std::max(1ull, std::strtoull(std::string(v).c_str(), nullptr, 10));
        else {
            std::fprintf(stderr, "usage: %s [--samples=N] [--tiers=LIST] [--cpus=N] [--irqs=N] [--repeat=N] [--slice-cells=N]\n", argv[0]);
            std::exit(2);
        }
    }
    return o;
}

// xorshift64: deterministic, fast enough that making a snapshot costs less than processing it.
struct rng {
    std::uint64_t state = 0x9E3779B97F4A7C15ULL;
    std::uint64_t next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
};

// Every IRQ fires mostly on a home CPU (as with irqbalance), a little elsewhere; a few counters start
// near 2^32 so the run includes wraps.
struct machine {
    snapshot snap;
    rng random;

    machine(unsigned cpus, unsigned irqs) {
        for (unsigned c = 0; c < cpus; ++c) snap.cpus.push_back(c);
        for (unsigned r = 0; r < irqs; ++r) {
            irq_row row;
            row.id = std::to_string(r);
            row.number = r;
            row.chip = "IR-PCI-MSI";
            row.name = "eth0-TxRx-" + std::to_string(r);
            snap.rows.push_back(std::move(row));
        }
        snap.counts.assign(std::size_t{cpus} * irqs, 0);
        for (std::size_t i = 0; i < snap.counts.size(); i += 997) snap.counts[i] = 4'294'967'295ULL - 5'000;
    }

    void tick() {
        const std::size_t cpus = snap.cpus.size();
        for (std::size_t r = 0; r < snap.rows.size(); ++r) {
            std::uint64_t* row = snap.counts.data() + r * cpus;
            row[r % cpus] += 500 + random.next() % 1000;
            for (std::size_t c = 0; c < cpus; c += 1 + random.next() % 8) row[c] += random.next() % 4;
            for (std::size_t c = 0; c < cpus; ++c) row[c] &= 0xFFFF'FFFF;   // 32-bit kernel counters
        }
    }
};

double ms_since(bench_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(bench_clock::now() - start).count();
}

// CPU time of this thread: on a shared machine it moves much less than wall time with the load.
double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

struct stat {
    double total = 0, worst = 0, cpu = 0;
    std::size_t n = 0;
    void add(double ms, double cpu_ms) {
        total += ms;
        cpu += cpu_ms;
        worst = std::max(worst, ms);
        ++n;
    }
    double mean() const { return n ? total / static_cast<double>(n) : 0; }
    double cpu_mean() const { return n ? cpu / static_cast<double>(n) : 0; }
};

// Times one call: wall and CPU milliseconds.
template <class F>
std::pair<double, double> timed(F&& f) {
    const double cpu = cpu_ms();
    const auto start = bench_clock::now();
    f();
    return {ms_since(start), cpu_ms() - cpu};
}

double mib(std::size_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

void time_query(const history& h, std::chrono::seconds window, int repeat) {
    const clock_time to = h.newest();
    const clock_time from = to - window;
    std::vector<double> times, cpu;
    window_counts w;
    for (int i = 0; i < repeat; ++i) {
        const auto [wall_ms, cpu_used] = timed([&] { w = h.query(from, to); });
        times.push_back(wall_ms);
        cpu.push_back(cpu_used);
    }
    std::sort(times.begin(), times.end());
    std::sort(cpu.begin(), cpu.end());
    std::uint64_t total = 0;
    for (auto v : w.counts) total += v;
    std::printf("query %-4s  wall median %8.2f ms  cpu median %8.2f ms  frames %4zu  resolution %-3s  complete %-3s  "
                "window %s  sum %llu\n",
                format_duration(window).c_str(), times[times.size() / 2], cpu[cpu.size() / 2], w.frames,
                format_duration(w.resolution).c_str(), w.complete ? "yes" : "no",
                format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(w.to - w.from)).c_str(),
                static_cast<unsigned long long>(total));
}

// The same window summed as the daemon sums a large one (api_window.cpp): about `slice_cells` cell
// additions a step; the longest step is what a request may wait behind.
void time_slices(const history& h, std::chrono::seconds window, std::size_t slice_cells) {
    const clock_time to = h.newest();
    auto plan = h.plan_query(to - window, to);
    if (!plan.by_rows || plan.rows == 0) return;
    std::vector<double> times, cpu;
    const auto start = bench_clock::now();
    for (bool done = false; !done;) {
        const auto [wall_ms, cpu_used] = timed([&] { done = h.sum_some(plan, slice_cells); });
        times.push_back(wall_ms);
        cpu.push_back(cpu_used);
    }
    const double total = ms_since(start);
    std::sort(times.begin(), times.end());
    std::sort(cpu.begin(), cpu.end());
    std::printf("in parts %-4s %4zu steps  wall median %6.2f ms  max %6.2f ms  cpu median %6.2f ms  max %6.2f ms  "
                "total %8.2f ms\n",
                format_duration(window).c_str(), times.size(), times[times.size() / 2], times.back(),
                cpu[cpu.size() / 2], cpu.back(), total);
}

}  // namespace

int main(int argc, char** argv) {
    const options o = parse_args(argc, argv);
    auto tiers = parse_tiers(o.tiers);
    if (!tiers) {
        std::fprintf(stderr, "--tiers: %s\n", tiers.error_message().c_str());
        return 2;
    }
    const std::size_t cells = std::size_t{o.cpus} * o.irqs;
    std::printf("history_bench: %u CPUs x %u IRQs = %zu cells, %zu samples 1 s apart, tiers %s\n", o.cpus, o.irqs,
                cells, o.samples, format_tiers(*tiers).c_str());

    machine m(o.cpus, o.irqs);
    delta_tracker tracker;
    history h(*tiers);
    stat track, add;
    const clock_time t0 = clock_time{} + std::chrono::seconds(1'790'000'040);
    tracker.next(m.snap);
    delta_frame frame;
    for (std::size_t s = 1; s <= o.samples; ++s) {
        m.tick();
        auto [wall_ms, cpu_used] = timed([&] { tracker.next(m.snap, frame); });
        track.add(wall_ms, cpu_used);
        std::tie(wall_ms, cpu_used) =
            timed([&] { h.add(t0 + std::chrono::seconds(s - 1), t0 + std::chrono::seconds(s), frame); });
        add.add(wall_ms, cpu_used);
    }
    std::printf("delta_tracker::next   wall mean %7.2f ms  max %7.2f ms  cpu mean %7.2f ms  per sample (same layout)\n",
                track.mean(), track.worst, track.cpu_mean());
    std::printf("history::add          wall mean %7.2f ms  max %7.2f ms  cpu mean %7.2f ms  per sample\n", add.mean(),
                add.worst, add.cpu_mean());

    // One layout change (a CPU going offline) takes the realigning path.
    snapshot offline = m.snap;
    offline.cpus.pop_back();
    offline.counts.clear();
    for (std::size_t r = 0; r < m.snap.rows.size(); ++r) {
        for (std::size_t c = 0; c + 1 < m.snap.cpus.size(); ++c) offline.counts.push_back(m.snap.count(r, c));
    }
    const auto [wall_ms, cpu_used] = timed([&] { tracker.next(offline, frame); });
    std::printf("delta_tracker::next   wall %7.2f ms  cpu %7.2f ms  for one layout change (CPU offline)\n", wall_ms,
                cpu_used);

    time_query(h, std::chrono::seconds(60), o.repeat);
    time_query(h, std::chrono::seconds(3600), o.repeat);
    time_slices(h, std::chrono::seconds(60), o.slice_cells);
    time_slices(h, std::chrono::seconds(600), o.slice_cells);

    std::printf("memory_bytes()        %8.1f MiB after %zu samples\n", mib(h.memory_bytes()), o.samples);
    std::printf("full retention        %8.1f MiB estimated for %s\n", mib(history_memory_estimate(*tiers, cells)),
                format_tiers(*tiers).c_str());
    std::printf("full retention        %8.1f MiB estimated for the default tiers %s\n",
                mib(history_memory_estimate(default_tiers(), cells)), format_tiers(default_tiers()).c_str());
    return 0;
}
