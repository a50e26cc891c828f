// The benchmarks' clock: CPU time of the calling thread, so other builds on the machine do not count.
#pragma once

#include <time.h>

inline double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}
