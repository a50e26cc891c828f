// What touching memory costs on this machine after it sat idle: copies 12 MiB (one 256 x 4096
// /proc/interrupts) between two buffers, first back to back, then once a second, as the sampler
// does. On a quiet bare-metal or ordinary VM host both take a few ms. A much slower copy after a
// pause means the host makes idle memory slow to come back (page reclaim or access tracking under
// shadow paging), which then dominates any 1 Hz measurement of the sampler here.
//
//   build/bench/idle_memory_bench [ROUNDS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

double copy_ms(std::vector<char>& dst, const std::vector<char>& src) {
    const auto t0 = std::chrono::steady_clock::now();
    std::memcpy(dst.data(), src.data(), src.size());
    asm volatile("" : : "r"(dst.data()) : "memory");
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 6;
    std::vector<char> a(12 << 20, 1), b(12 << 20, 2);
    for (const double pause : {0.01, 1.0}) {
        std::printf("12 MiB copy %4.2f s after the last one:", pause);
        for (int i = 0; i < rounds; ++i) {
            std::this_thread::sleep_for(std::chrono::duration<double>(pause));
            std::printf(" %.1f", copy_ms(b, a));
        }
        std::printf(" ms\n");
    }
}
