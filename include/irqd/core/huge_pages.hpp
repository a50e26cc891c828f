// Memory for the few big buffers the sampler goes through every second (the text of /proc/interrupts,
// the snapshots' rows and counts, the open history bucket, the delta), in 2 MiB pages where the
// kernel offers them.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <vector>

namespace irqd::core {

inline constexpr std::size_t huge_page_size = std::size_t{2} << 20;
// Blocks from this size up are mapped; one below huge_page_size takes a whole huge page.
inline constexpr std::size_t huge_page_threshold = huge_page_size / 2;

// Maps `bytes` of zeroed memory at a multiple of huge_page_size and asks for transparent huge pages
// (madvise MADV_HUGEPAGE; a kernel without them, or with them set to "never", gives 4 KiB pages
// and nothing else changes). Less than a huge page is mapped as a whole one; past that, a tail shorter
// than a huge page is left in 4 KiB pages rather than rounded up. Null when the mapping fails.
// unmap_huge takes the same `bytes`.
void* map_huge(std::size_t bytes) noexcept;
void unmap_huge(void* p, std::size_t bytes) noexcept;

// An allocator that maps blocks of huge_page_threshold or more with map_huge and leaves smaller ones
// to operator new. Why: a 256 x 4096 machine's sample streams through ~36 MiB, 9000 pages of 4 KiB,
// a second apart. Each page is a TLB entry to walk for, and where the host ages idle memory (a VM
// whose kernel reclaims or tracks access, as the one the benchmarks ran on does) each page left
// alone for a second costs a fault to touch again; in 2 MiB pages they are 18 (docs/benchmarks.md).
// Only for the few working buffers the sampler reuses every second: a block of 1-2 MiB takes a whole
// huge page, and a new huge page costs more to fault in than 4 KiB pages do, so buffers written once
// and then kept (history frames) stay with malloc; in huge pages the sampler cost more, not less.
template <class T>
struct huge_page_allocator {
    using value_type = T;

    huge_page_allocator() noexcept = default;
    template <class U>
    huge_page_allocator(const huge_page_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        if (n > std::numeric_limits<std::size_t>::max() / sizeof(T)) throw std::bad_array_new_length();
        if (!mapped(n)) return std::allocator<T>{}.allocate(n);
        if (void* p = map_huge(n * sizeof(T))) return static_cast<T*>(p);
        throw std::bad_alloc();
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (!mapped(n)) std::allocator<T>{}.deallocate(p, n);
        else unmap_huge(p, n * sizeof(T));
    }
    // Under AddressSanitizer every block goes to operator new, so overflows of these buffers are
    // still caught; map_huge has its own test.
    static constexpr bool mapped(std::size_t n) noexcept {
#if defined(__SANITIZE_ADDRESS__)
        static_cast<void>(n);
        return false;
#else
        return n * sizeof(T) >= huge_page_threshold;
#endif
    }
    template <class U>
    bool operator==(const huge_page_allocator<U>&) const noexcept { return true; }
};

template <class T>
using big_vector = std::vector<T, huge_page_allocator<T>>;
using big_string = std::basic_string<char, std::char_traits<char>, huge_page_allocator<char>>;

}  // namespace irqd::core
