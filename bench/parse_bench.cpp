// Throughput of the /proc/interrupts parser: reads a file once, parses it N times into one reused
// snapshot (the sampler's hot path), with and without the fixed-width fast path, and prints MB/s and
// ns per count. See docs/benchmarks.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "irqd/core/interrupts.hpp"
#include "thread_cpu.hpp"

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

    // Both forms alternate, so a change in the machine's load touches them alike: `general` reads every
    // count token by token (the parser before the fixed-width fast path), `fast` is what the sampler calls.
    // Times are the thread's CPU time (other builds on the machine count less than on the wall clock).
    struct form {
        const char* name;
        void (*parse)(std::string_view, irqd::core::snapshot&);
        irqd::core::snapshot snap;
        double best = 1e300, total = 0;
    };
    form forms[] = {{"general", &irqd::core::parse_interrupts_general, {}},
                    {"fast", static_cast<void (*)(std::string_view, irqd::core::snapshot&)>(&irqd::core::parse_interrupts), {}}};
    for (auto& f : forms) f.parse(text, f.snap);   // warm-up: sizes the buffers the timed runs reuse
    for (long i = 0; i < iterations; ++i) {
        for (auto& f : forms) {
            const double t0 = thread_cpu_ms();
            f.parse(text, f.snap);
            const double s = (thread_cpu_ms() - t0) / 1e3;
            f.best = std::min(f.best, s);
            f.total += s;
        }
    }
    if (forms[0].snap.counts != forms[1].snap.counts) {
        std::cerr << "parse_bench: the two forms disagree\n";
        return 1;
    }

    const auto& snap = forms[1].snap;
    const double mb = static_cast<double>(text.size()) / 1e6;
    const double cells = static_cast<double>(snap.counts.size());
    std::printf("file        %s\n", argv[1]);
    std::printf("size        %.2f MB, %zu cpus x %zu rows = %.0f counts, %zu issues\n", mb, snap.cpus.size(),
                snap.rows.size(), cells, snap.issues.size());
    std::printf("iterations  %ld (thread CPU time)\n", iterations);
    for (const auto& f : forms) {
        const double mean = f.total / static_cast<double>(iterations);
        std::printf("%-8s mean %.3f ms  %.0f MB/s  %.2f ns/count   best %.3f ms  %.0f MB/s  %.2f ns/count\n", f.name,
                    mean * 1e3, mb / mean, mean * 1e9 / cells, f.best * 1e3, mb / f.best, f.best * 1e9 / cells);
    }
    return 0;
}
