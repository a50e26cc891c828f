// The balancer against a greedy least-loaded placement in IRQ order (roughly what irqbalance does),
// on the seed file (2 CPUs) and synthetic 64 CPU x 4096 IRQ loads. See docs/benchmarks.md.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "irqd/core/balancer.hpp"
#include "thread_cpu.hpp"

using namespace irqd::core;

namespace {

// Rows "NNN: count count ...": load = the sum of the first two CPU columns, as the tests do.
std::vector<balance_item> read_seed(const std::string& path) {
    std::ifstream in(path);
    std::vector<balance_item> items;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id;
        std::uint64_t cpu0 = 0, cpu1 = 0;
        if (!(fields >> id >> cpu0 >> cpu1) || id.empty() || id.back() != ':') continue;
        id.pop_back();
        items.push_back({id, cpu0 + cpu1, {}, std::nullopt});
    }
    return items;
}

balance_input cpus(unsigned k) {
    balance_input in;
    for (unsigned c = 0; c < k; ++c) in.cpus.push_back(c);
    return in;
}

balance_input uniform(std::mt19937_64& rng) {
    balance_input in = cpus(64);
    for (int i = 0; i < 4096; ++i) in.items.push_back({std::to_string(i), rng() % 1'000'000, {}, std::nullopt});
    return in;
}

// 16 NIC queues each near a whole CPU's average share, spread through the IRQ numbers.
balance_input skewed(std::mt19937_64& rng) {
    balance_input in = uniform(rng);
    for (std::size_t i = 100; i < in.items.size(); i += 256) in.items[i].load = 35'000'000 + rng() % 1'000'000;
    return in;
}

// Devices of 64 queues alternate between the two nodes (CPUs 0-31, 32-63); every fourth device
// may go anywhere.
balance_input numa(std::mt19937_64& rng) {
    balance_input in = uniform(rng);
    for (std::size_t i = 0; i < in.items.size(); ++i) {
        const std::size_t device = i / 64;
        if (device % 4 == 3) continue;
        in.items[i].allowed = device % 2 == 0 ? cpu_set::range(0, 31) : cpu_set::range(32, 63);
    }
    return in;
}

// The uniform loads, each IRQ currently on a random CPU: how many moves the plan spends.
balance_input placed(std::mt19937_64& rng) {
    balance_input in = uniform(rng);
    for (balance_item& item : in.items) item.current = static_cast<unsigned>(rng() % 64);
    return in;
}

// Each IRQ in order onto its least-loaded allowed CPU.
std::vector<std::uint64_t> greedy_in_order(const balance_input& in, std::size_t& moves) {
    std::vector<std::uint64_t> load(in.cpus.size(), 0);
    moves = 0;
    for (const balance_item& item : in.items) {
        std::size_t best = in.cpus.size();
        for (std::size_t c = 0; c < in.cpus.size(); ++c) {
            if (!item.allowed.empty() && !item.allowed.contains(in.cpus[c])) continue;
            if (best == in.cpus.size() || load[c] < load[best]) best = c;
        }
        load[best] += item.load;
        moves += item.current && *item.current != in.cpus[best];
    }
    return load;
}

struct timing {
    double wall_ms;
    double cpu_ms;
};

template <class F>
timing median_time(int reps, F&& f) {
    std::vector<double> wall, cpu;
    for (int r = 0; r < reps; ++r) {
        const auto w0 = std::chrono::steady_clock::now();
        const double c0 = thread_cpu_ms();
        f();
        cpu.push_back(thread_cpu_ms() - c0);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0).count());
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

void run(const char* name, const balance_input& in, int reps) {
    balance_plan plan;
    const timing t = median_time(reps, [&] { plan = balance(in); });
    std::vector<std::uint64_t> greedy;
    std::size_t greedy_moves = 0;
    const timing tg = median_time(reps, [&] { greedy = greedy_in_order(in, greedy_moves); });

    // The plan's lower bound may be the proven optimum; both rows use the plain bound.
    const std::uint64_t lb = plan.metric.lower_bound;
    const balance_metric g = measure(in.cpus, greedy, lb);
    std::printf("%-10s %-9s %15llu %15llu %11.3g %9.3f %9.3f %9llu %6zu %s\n", name, "balancer",
                static_cast<unsigned long long>(plan.metric.max_load), static_cast<unsigned long long>(lb),
                plan.metric.gap_ratio, t.cpu_ms, t.wall_ms, static_cast<unsigned long long>(plan.work),
                plan.moves, plan.proven_optimal ? "proven" : "");
    std::printf("%-10s %-9s %15llu %15llu %11.3g %9.3f %9.3f %9s %6zu\n", "", "greedy",
                static_cast<unsigned long long>(g.max_load), static_cast<unsigned long long>(lb), g.gap_ratio,
                tg.cpu_ms, tg.wall_ms, "-", greedy_moves);
}

// The slowest single step(slice) over a whole run, in thread CPU time: what the io_context waits.
void slices(const char* name, const balance_input& in, std::uint64_t slice) {
    balancer b(in);
    double worst = 0;
    int steps = 0;
    const double c0 = thread_cpu_ms();
    bool done = false;
    while (!done) {
        const double s0 = thread_cpu_ms();
        done = b.step(slice);
        worst = std::max(worst, thread_cpu_ms() - s0);
        ++steps;
    }
    const double total = thread_cpu_ms() - c0;
    const auto work = b.plan().work;
    std::printf("%-10s step(%llu): %5d steps, slowest %.3f ms cpu, %.0f ns/unit\n", name,
                static_cast<unsigned long long>(slice), steps, worst,
                total * 1e6 / static_cast<double>(std::max<std::uint64_t>(work, 1)));
}

}  // namespace

int main(int argc, char** argv) {
    std::string seed_path = "data/interrupts-per-day.txt";
    int reps = 5;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--reps=", 0) == 0) reps = std::max(1, std::atoi(arg.c_str() + 7));
        else if (arg.rfind("--", 0) != 0) seed_path = arg;
        else {
            std::cerr << "usage: balance_bench [SEED_FILE] [--reps=N]\n";
            return 2;
        }
    }
    balance_input seed = cpus(2);
    seed.items = read_seed(seed_path);
    if (seed.items.empty()) {
        std::cerr << "balance_bench: no IRQ rows in " << seed_path << '\n';
        return 1;
    }
    std::mt19937_64 rng(20240611);
    const balance_input inputs[] = {uniform(rng), skewed(rng), numa(rng), placed(rng)};
    const char* names[] = {"uniform", "skewed", "numa", "placed"};

    std::printf("%-10s %-9s %15s %15s %11s %9s %9s %9s %6s\n", "input", "method", "max load", "lower bound",
                "gap ratio", "cpu ms", "wall ms", "work", "moves");
    run("seed 2x65", seed, reps);
    for (int i = 0; i < 4; ++i) run(names[i], inputs[i], reps);
    std::printf("\n");
    for (int i = 0; i < 4; ++i) slices(names[i], inputs[i], 5000);
    return 0;
}
