// The mapping behind huge_page_allocator: anonymous memory aligned to 2 MiB so that the kernel can
// back it with transparent huge pages, asked for with madvise.
#include "irqd/core/huge_pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace irqd::core {

namespace {
// The length mapped for `bytes`: at least one huge page, else whole 4 KiB pages.
std::size_t mapped_length(std::size_t bytes) {
    static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return bytes < huge_page_size ? huge_page_size : (bytes + page - 1) / page * page;
}
}  // namespace

void* map_huge(std::size_t bytes) noexcept {
    const std::size_t len = mapped_length(bytes);
    // Map a huge page more than that and keep the aligned part.
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
    if (p) ::munmap(p, mapped_length(bytes));
}

}  // namespace irqd::core
