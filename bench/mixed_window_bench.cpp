// A window over two layouts (an IRQ appears halfway) on a big table, summed as the daemon sums it
// (core::sliced_window_sum, query_slice_cells a step) beside history::query() in one piece: the longest
// step is what a request may wait behind. Also a checksum of query()'s answers over random mixed
// windows, to compare builds. See docs/benchmarks.md.
//
//   mixed_window_bench [FRAMES=60] [CPUS=256] [IRQS=4096] [SLICE_CELLS=2000000]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "irqd/core/sliced_window_sum.hpp"

using namespace irqd::core;
using namespace std::chrono_literals;

namespace {

using ms = std::chrono::duration<double, std::milli>;
const clock_time t0 = clock_time{} + 1'790'000'040s;

layout_ptr rows_by_cpus(std::size_t rows, unsigned cpus, unsigned missing_cpu) {
    layout l;
    for (std::size_t r = 0; r < rows; ++r) l.row_ids.push_back(std::to_string(r));
    for (unsigned c = 0; c < cpus; ++c)
        if (c != missing_cpu) l.cpus.push_back(c);
    return std::make_shared<const layout>(std::move(l));
}

std::size_t arg(int argc, char** argv, int i, std::size_t fallback) {
    return argc > i ? std::strtoull(argv[i], nullptr, 10) : fallback;
}

// query()'s answers over random windows of a small history whose layouts come and go.
std::uint64_t checksum() {
    history h(*parse_tiers("1s:20s,5s:1m,1m:10m"));
    std::mt19937_64 rng(7);
    std::vector<layout_ptr> shapes;
    for (unsigned i = 0; i < 5; ++i) shapes.push_back(rows_by_cpus(3 + i % 3, 4 + i % 2, i));
    auto shape = shapes[0];
    for (int k = 0; k < 300; ++k) {
        if (rng() % 5 == 0) shape = shapes[rng() % shapes.size()];
        big_vector<std::uint64_t> c(shape->row_ids.size() * shape->cpus.size());
        for (auto& v : c) v = rng() % 100000 + (k % 31 == 0 ? 5'000'000'000ull : 0);
        h.add(t0 + k * 1s, t0 + (k + 1) * 1s, delta_frame{shape, c});
    }
    std::uint64_t sum = 0;
    for (int i = 0; i < 500; ++i) {
        const auto from = t0 + std::chrono::seconds(static_cast<long>(rng() % 300));
        const auto w = h.query(from, from + std::chrono::seconds(static_cast<long>(rng() % 200)));
        for (std::size_t j = 0; j < w.counts.size(); ++j) sum = sum * 1000003 + w.counts[j] * (j + 1);
        for (const auto& id : w.shape->row_ids) sum = sum * 31 + std::stoul(id);
        for (unsigned c : w.shape->cpus) sum = sum * 37 + c;
        sum += w.frames;
    }
    return sum;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t frames = arg(argc, argv, 1, 60), irqs = arg(argc, argv, 3, 4096);
    const auto cpus = static_cast<unsigned>(arg(argc, argv, 2, 256));
    const std::size_t slice_cells = arg(argc, argv, 4, 2'000'000);
    std::printf("mixed_window_bench: checksum %016llx\n", static_cast<unsigned long long>(checksum()));

    history h(*parse_tiers("1s:10m,1m:1d"));
    const auto before = rows_by_cpus(irqs - 1, cpus, cpus), after = rows_by_cpus(irqs, cpus, cpus);
    std::mt19937_64 rng(1);
    for (std::size_t k = 0; k < frames; ++k) {
        const auto& shape = k < frames / 2 ? before : after;
        big_vector<std::uint64_t> c(shape->row_ids.size() * shape->cpus.size());
        for (auto& v : c) v = rng() % 50;
        h.add(t0 + k * 1s, t0 + (k + 1) * 1s, delta_frame{shape, c});
    }
    const clock_time from = h.oldest(), to = h.newest();
    for (int rep = 0; rep < 3; ++rep) {
        const auto start = std::chrono::steady_clock::now();
        const auto whole = h.query(from, to);
        const double one_piece = ms(std::chrono::steady_clock::now() - start).count();
        sliced_sum_counters counters;
        sliced_window_sum sum(h, from, to, &counters);
        double longest = 0, total = 0;
        int steps = 0;
        for (bool done = false; !done; ++steps) {
            const auto s = std::chrono::steady_clock::now();
            done = sum.step(slice_cells);
            const double took = ms(std::chrono::steady_clock::now() - s).count();
            longest = std::max(longest, took);
            total += took;
        }
        const auto got = sum.take();
        std::printf("%u x %zu, %zu frames over 2 layouts: query %.1f ms; sliced %d steps, longest %.1f ms, "
                    "total %.1f ms, one_piece %llu, same %s\n",
                    cpus, irqs, frames, one_piece, steps, longest, total,
                    static_cast<unsigned long long>(counters.one_piece),
                    got.counts == whole.counts && *got.shape == *whole.shape ? "yes" : "NO");
    }
}
