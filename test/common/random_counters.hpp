// Random runs of /proc/interrupts snapshots for the core tests: counters that grow, wrap and reset,
// rows and CPUs that come and go.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "irqd/core/interrupts.hpp"

namespace irqd::test {

// One step of a counter from one sample to the next: mostly grows (half of them as 32-bit counters
// that wrap); now and then a reset, a counter about to wrap, or a 64-bit value.
inline void step_counter(std::uint64_t& n, std::mt19937& rng) {
    const auto roll = rng() % 100;
    if (roll == 0) n = rng() % 100;                                  // reset
    else if (roll == 1) n = 4294967295u - rng() % 50;                 // about to wrap
    else if (roll == 2) n = (std::uint64_t{1} << 40) + rng() % 1000;  // a 64-bit counter
    else n = (n + rng() % 1000) & (roll < 50 ? 0xFFFFFFFFu : ~std::uint64_t{0});
}

// A machine of up to four CPUs and six IRQs whose counters move, read as snapshots.
struct random_machine {
    std::mt19937 rng;
    const std::vector<std::vector<unsigned>> cpu_sets = {{0, 1, 2}, {0, 2}, {0, 1, 2, 3}};
    const std::vector<std::string> names = {"0", "1", "8", "9", "NMI", "LOC"};
    std::map<std::pair<std::string, unsigned>, std::uint64_t> counter;
    std::size_t cpus = 0;
    std::vector<std::string> rows = names;

    explicit random_machine(unsigned seed) : rng(seed) {}

    // One time in `one_in` another CPU set, and one time in `one_in` other rows in another order.
    void change(unsigned one_in) {
        if (rng() % one_in == 0) cpus = rng() % cpu_sets.size();
        if (rng() % one_in == 0) {
            rows = names;
            std::shuffle(rows.begin(), rows.end(), rng);
            rows.resize(2 + rng() % (names.size() - 1));
        }
    }
    // A snapshot of the CPUs and no rows yet.
    core::snapshot empty() const {
        core::snapshot s;
        s.cpus = cpu_sets[cpus];
        return s;
    }
    // Row `id` with each of its counters a step on.
    void add_row(core::snapshot& s, const std::string& id) {
        core::irq_row row;
        row.id = id;
        s.rows.push_back(row);
        for (unsigned cpu : s.cpus) {
            auto& n = counter[{id, cpu}];
            step_counter(n, rng);
            s.counts.push_back(n);
        }
    }
};

}  // namespace irqd::test
