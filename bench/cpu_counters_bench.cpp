// Cost of the sampler's per-CPU load work next to the /proc/interrupts parse: for N CPUs it builds a
// /proc/stat (with an intr line of IRQS numbers), /proc/softirqs (10 rows) and a 13-column
// softnet_stat in memory, then times parsing all three, building the counter snapshot, the delta and
// the history add, as sampler::sample_once does each second. With a /proc/interrupts file it also times
// that parse, for the ratio. See docs/benchmarks.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include "irqd/core/cpu_counters.hpp"
#include "irqd/core/history.hpp"

namespace core = irqd::core;

namespace {
struct texts {
    std::string stat, softirqs, softnet;
};

texts make(unsigned cpus, unsigned irqs, std::mt19937_64& rng, unsigned step) {
    std::uniform_int_distribution<std::uint64_t> big(1'000'000, 4'000'000'000), small(0, 100'000);
    texts t;
    auto line = [&](const std::string& name) {
        t.stat += name;
        for (int f = 0; f < 10; ++f) t.stat += " " + std::to_string(big(rng) + step * 100);
        t.stat += '\n';
    };
    line("cpu ");
    for (unsigned c = 0; c < cpus; ++c) line("cpu" + std::to_string(c));
    t.stat += "intr " + std::to_string(big(rng));
    for (unsigned i = 0; i < irqs; ++i) t.stat += " " + std::to_string(small(rng));
    t.stat += "\nctxt 1\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\nsoftirq 1 2 3 4 5 6 7 8 9 10 11\n";
    t.softirqs = "                ";
    for (unsigned c = 0; c < cpus; ++c) t.softirqs += "    CPU" + std::to_string(c);
    t.softirqs += '\n';
    for (const char* n : {"HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"}) {
        t.softirqs += std::string(12 - std::string(n).size(), ' ') + n + ":";
        for (unsigned c = 0; c < cpus; ++c) t.softirqs += " " + std::to_string(big(rng) + step * 1000);
        t.softirqs += '\n';
    }
    char buf[16];
    for (unsigned c = 0; c < cpus; ++c) {
        for (int col = 0; col < 13; ++col) {
            std::snprintf(buf, sizeof buf, "%08x", col == 12 ? c : static_cast<unsigned>(big(rng) + step));
            t.softnet += buf;
            t.softnet += col == 12 ? '\n' : ' ';
        }
    }
    return t;
}

struct timing {
    double best = 1e300, total = 0;
    void add(double s) { best = std::min(best, s), total += s; }
};
}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 5) {
        std::cerr << "usage: cpu_counters_bench CPUS [ITERATIONS] [IRQS] [INTERRUPTS_FILE]\n";
        return 2;
    }
    const unsigned cpus = static_cast<unsigned>(std::strtoul(argv[1], nullptr, 10));
    const long iterations = argc >= 3 ? std::strtol(argv[2], nullptr, 10) : 50;
    const unsigned irqs = argc >= 4 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)) : 4096;
    if (cpus < 1 || iterations < 1) {
        std::cerr << "cpu_counters_bench: CPUS and ITERATIONS must be at least 1\n";
        return 2;
    }
    std::mt19937_64 rng(42);
    texts inputs[2] = {make(cpus, irqs, rng, 0), make(cpus, irqs, rng, 1)};
    std::vector<unsigned> online(cpus);
    for (unsigned c = 0; c < cpus; ++c) online[c] = c;

    core::snapshot snap;
    core::delta_tracker tracker;
    core::delta_frame frame;
    core::history hist;
    timing parse, build, track;
    const core::clock_time t0{std::chrono::seconds(1'700'000'000)};
    using clock = std::chrono::steady_clock;
    for (long i = 0; i < iterations + 1; ++i) {
        const auto& in = inputs[i % 2];
        const auto a = clock::now();
        auto stat = core::parse_proc_stat(in.stat);
        auto soft = core::parse_softirqs(in.softirqs);
        auto net = core::parse_softnet_stat(in.softnet, online);
        const auto b = clock::now();
        core::cpu_counters_snapshot(&stat, &soft, &net, snap);
        const auto c = clock::now();
        if (tracker.next(snap, frame)) hist.add(t0 + std::chrono::seconds(i - 1), t0 + std::chrono::seconds(i), frame);
        const auto d = clock::now();
        if (i == 0) continue;   // warm-up: sizes the buffers
        parse.add(std::chrono::duration<double>(b - a).count());
        build.add(std::chrono::duration<double>(c - b).count());
        track.add(std::chrono::duration<double>(d - c).count());
    }
    const double n = static_cast<double>(iterations);
    const double bytes = static_cast<double>(inputs[0].stat.size() + inputs[0].softirqs.size() + inputs[0].softnet.size());
    std::printf("cpus %u, intr line of %u IRQs, %ld iterations, %.0f KB of text, %zu series x %zu cpus\n", cpus, irqs,
                iterations, bytes / 1e3, snap.rows.size(), snap.cpus.size());
    std::printf("parse 3 files       mean %.3f ms  best %.3f ms\n", parse.total / n * 1e3, parse.best * 1e3);
    std::printf("counter snapshot    mean %.3f ms  best %.3f ms\n", build.total / n * 1e3, build.best * 1e3);
    std::printf("delta + history add mean %.3f ms  best %.3f ms\n", track.total / n * 1e3, track.best * 1e3);
    const double extra = (parse.total + build.total + track.total) / n;
    std::printf("extra per sample    mean %.3f ms\n", extra * 1e3);
    if (argc == 5) {
        std::ifstream f(argv[4], std::ios::binary);
        std::ostringstream buf;
        buf << f.rdbuf();
        const std::string text = std::move(buf).str();
        core::snapshot irq;
        core::parse_interrupts(text, irq);
        timing p;
        for (long i = 0; i < iterations; ++i) {
            const auto a = clock::now();
            core::parse_interrupts(text, irq);
            p.add(std::chrono::duration<double>(clock::now() - a).count());
        }
        std::printf("/proc/interrupts    mean %.3f ms  best %.3f ms  (%zu x %zu); extra/parse = %.1f%%\n", p.total / n * 1e3,
                    p.best * 1e3, irq.cpus.size(), irq.rows.size(), 100 * extra / (p.total / n));
    }
    return 0;
}
