// The mapping behind huge_page_allocator: anonymous memory aligned to 2 MiB so that the kernel can
// back it with transparent huge pages, asked for with madvise.
#include "irqd/core/huge_pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace irqd::core {

namespace {
std::size_t page_rounded(std::size_t bytes) {
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return (bytes + page - 1) / page * page;
}
}  // namespace

void* map_huge(std::size_t bytes) noexcept {
    const std::size_t len = page_rounded(bytes);
    // Map a huge page more than asked and keep the aligned part. The length stays as asked (in 4 KiB
    // pages): a tail shorter than a huge page is given small pages, not rounded up to 2 MiB of RSS.
    const std::size_t span = len + huge_page_size;
    void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return nullptr;
    const auto begin = reinterpret_cast<std::uintptr_t>(raw);
    const auto aligned = (begin + huge_page_size - 1) & ~(std::uintptr_t{huge_page_size} - 1);
    if (aligned > begin) ::munmap(raw, aligned - begin);
    if (const std::size_t after = begin + span - (aligned + len)) ::munmap(reinterpret_cast<void*>(aligned + len), after);
    void* p = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
    ::madvise(p, len, MADV_HUGEPAGE);   // EINVAL without THP in the kernel: 4 KiB pages, still correct
#endif
    return p;
}

void unmap_huge(void* p, std::size_t bytes) noexcept {
    if (p) ::munmap(p, page_rounded(bytes));
}

}  // namespace irqd::core
