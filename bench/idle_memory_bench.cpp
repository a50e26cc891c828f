// What touching memory costs on this machine after it sat idle: copies 12 MiB (one 256 x 4096
// /proc/interrupts) between two buffers, first back to back, then once a second, as the sampler
// does; then the same once a second between buffers of 2 MiB pages (core/huge_pages.hpp, what the
// sampler's big buffers use). On a quiet bare-metal or ordinary VM host every line reads a few ms.
// A much slower copy after a pause means the host makes idle memory slow to come back (page
// reclaim or access tracking under shadow paging); if the huge-page line stays fast, the cost is
// per 4 KiB page and the sampler's huge pages avoid it.
//
//   build/bench/idle_memory_bench [ROUNDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <thread>
#include <vector>

#include "irqd/core/huge_pages.hpp"

namespace {

constexpr std::size_t bytes = 12 << 20;

double copy_ms(char* dst, const char* src) {
    const auto t0 = std::chrono::steady_clock::now();
    std::memcpy(dst, src, bytes);
    asm volatile("" : : "r"(dst) : "memory");
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

void rounds_of(const char* what, double pause, int rounds, char* dst, const char* src) {
    std::printf("12 MiB copy %4.2f s after the last one%s:", pause, what);
    for (int i = 0; i < rounds; ++i) {
        std::this_thread::sleep_for(std::chrono::duration<double>(pause));
        std::printf(" %.1f", copy_ms(dst, src));
    }
    std::printf(" ms\n");
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 6;
    std::vector<char> a(bytes, 1), b(bytes, 2);
    for (const double pause : {0.01, 1.0}) rounds_of("", pause, rounds, b.data(), a.data());
    // map_huge directly: the allocator leaves blocks to operator new in a sanitizer build.
    auto* ha = static_cast<char*>(irqd::core::map_huge(bytes));
    auto* hb = static_cast<char*>(irqd::core::map_huge(bytes));
    if (!ha || !hb) return std::puts("no memory for the huge-page buffers"), 1;
    std::memset(ha, 1, bytes);
    std::memset(hb, 2, bytes);
    rounds_of(", 2 MiB pages", 1.0, rounds, hb, ha);
    irqd::core::unmap_huge(ha, bytes);
    irqd::core::unmap_huge(hb, bytes);
}
