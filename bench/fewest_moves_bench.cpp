// Fewest moves within a tolerance of the best max load, on machines where IRQs were piled onto a few
// CPUs: the moves a plan makes against the lower bound on them, at tolerance 0 and 0.01. See
// docs/benchmarks.md.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "irqd/core/balancer.hpp"
#include "thread_cpu.hpp"

using namespace irqd::core;

namespace {

// `cpus` CPUs; `rest` IRQs pinned round robin over all of them (loads from `rest_load`), then `piled`
// IRQs pinned round robin over CPUs 0 .. pile_cpus-1 (loads from `piled_load`). Deterministic.
balance_input piled(unsigned cpus, std::size_t rest, std::size_t piled, unsigned pile_cpus,
                    std::uniform_int_distribution<std::uint64_t> rest_load,
                    std::uniform_int_distribution<std::uint64_t> piled_load) {
    std::mt19937_64 rng(15);
    balance_input in;
    for (unsigned c = 0; c < cpus; ++c) in.cpus.push_back(c);
    for (std::size_t i = 0; i < rest; ++i)
        in.items.push_back({std::to_string(i), rest_load(rng), {}, static_cast<unsigned>(i % cpus)});
    for (std::size_t i = 0; i < piled; ++i)
        in.items.push_back({std::to_string(rest + i), piled_load(rng), {}, static_cast<unsigned>(i % pile_cpus)});
    return in;
}

void run(const char* name, const balance_input& base) {
    for (double tolerance : {0.0, 0.01}) {
        auto in = base;
        in.tolerance = tolerance;
        const double t0 = thread_cpu_ms();
        auto plan = balance(in);
        const double ms = thread_cpu_ms() - t0;
        std::printf("| %s | %.2f | %llu | %llu | %+.2f%% | %zu | %zu | %.2f | %.1f |\n", name, tolerance,
                    static_cast<unsigned long long>(plan.best_max_load), static_cast<unsigned long long>(plan.metric.max_load),
                    100.0 * (static_cast<double>(plan.metric.max_load) / static_cast<double>(plan.best_max_load) - 1),
                    plan.moves, plan.moves_lower_bound,
                    plan.moves_lower_bound ? static_cast<double>(plan.moves) / static_cast<double>(plan.moves_lower_bound) : 0.0,
                    ms);
    }
}

}  // namespace

int main() {
    std::printf("| input | tolerance | best max load | plan's max load | above best | moves | lower bound | moves / bound | ms |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    // 64 x 4096: 3584 IRQs pinned round robin, 512 piled onto CPUs 0-7, all of one kind of load.
    run("64x4096, 512 piled on 8", piled(64, 3584, 512, 8, std::uniform_int_distribution<std::uint64_t>(500, 1500),
                                         std::uniform_int_distribution<std::uint64_t>(500, 1500)));
    // 64 x 1031: 839 small IRQs round robin, 192 NIC queues (heavier) piled onto CPUs 0-2.
    run("64x1031, 192 queues piled on 0-2", piled(64, 839, 192, 3, std::uniform_int_distribution<std::uint64_t>(10, 2000),
                                                  std::uniform_int_distribution<std::uint64_t>(5000, 15000)));
}
