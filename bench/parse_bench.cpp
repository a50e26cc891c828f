// Throughput of the /proc/interrupts parser: reads a file once, parses it N times into one reused
// snapshot (the sampler's hot path) and prints MB/s and ns per count. See docs/benchmarks.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "irqd/core/interrupts.hpp"

int main(int argc, char** argv)
{
    if (argc < 2 || argc > 3) {
        std::cerr << "usage: parse_bench FILE [ITERATIONS]\n";
        return 2;
    }
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
        std::cerr << "parse_bench: cannot read " << argv[1] << '\n';
        return 1;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    const std::string text = std::move(buf).str();
    const long iterations = argc == 3 ? std::strtol(argv[2], nullptr, 10) : 20;
    if (iterations < 1) {
        std::cerr << "parse_bench: ITERATIONS must be at least 1\n";
        return 2;
    }

    irqd::core::snapshot snap;
    irqd::core::parse_interrupts(text, snap);   // warm-up: sizes the buffers the timed runs reuse
    using clock = std::chrono::steady_clock;
    double best = 1e300;
    double total = 0;
    for (long i = 0; i < iterations; ++i) {
        const auto t0 = clock::now();
        irqd::core::parse_interrupts(text, snap);
        const double s = std::chrono::duration<double>(clock::now() - t0).count();
        best = std::min(best, s);
        total += s;
    }

    const double mb = static_cast<double>(text.size()) / 1e6;
    const double cells = static_cast<double>(snap.counts.size());
    const double mean = total / static_cast<double>(iterations);
    std::printf("file        %s\n", argv[1]);
    std::printf("size        %.2f MB, %zu cpus x %zu rows = %.0f counts, %zu issues\n", mb, snap.cpus.size(),
                snap.rows.size(), cells, snap.issues.size());
    std::printf("iterations  %ld\n", iterations);
    std::printf("mean        %.3f ms  %.0f MB/s  %.2f ns/count\n", mean * 1e3, mb / mean, mean * 1e9 / cells);
    std::printf("best        %.3f ms  %.0f MB/s  %.2f ns/count\n", best * 1e3, mb / best, best * 1e9 / cells);
    return 0;
}
