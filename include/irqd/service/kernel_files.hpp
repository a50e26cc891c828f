// Reading and writing the kernel's small text files under a configurable root. Errors come back as
// std::error_code carrying the kernel's errno, because that errno is what the API must explain.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "irqd/core/cpu_set.hpp"
#include "irqd/core/huge_pages.hpp"

namespace irqd::service {

// Reads a whole file into `out` (reusing its capacity). /proc files report size 0, so it reads to EOF.
// Files larger than `max_bytes` (a /proc file gone wrong, a device such as /dev/zero) are refused
// with EFBIG rather than read without end.
inline constexpr std::size_t small_file_limit = 64 * 1024;
std::error_code read_file(const std::filesystem::path& path, std::string& out,
                          std::size_t max_bytes = 256 * 1024 * 1024);
// The same into a buffer of huge pages (the sampler's /proc/interrupts of a big machine).
std::error_code read_file(const std::filesystem::path& path, core::big_string& out,
                          std::size_t max_bytes = 256 * 1024 * 1024);
// Writes `text` with one write(2) to an existing file (never creates one: under /proc a missing file
// means a missing IRQ).
// The same for a file irqd owns (the state file, its batch journal): opened with O_NOFOLLOW and
// O_NONBLOCK, so a symbolic link is refused (ELOOP) and a FIFO never blocks the daemon, and refused
// with EINVAL unless it is a regular file.
std::error_code read_regular_file(const std::filesystem::path& path, std::string& out, std::size_t max_bytes);
// Why PATH cannot be a file irqd owns ("is a FIFO", "is a symbolic link", ...); nothing when it is a
// regular file or absent.
std::optional<std::string> not_a_regular_file(const std::filesystem::path& path);
std::error_code write_existing_file(const std::filesystem::path& path, std::string_view text);
// Writes a file atomically: a uniquely named temporary file in the same directory ("PATH.tmp-XXXXXX"),
// fsync, rename over PATH, fsync the directory. On any failure PATH keeps its previous content.
// durable = false leaves out both fsyncs: readers still see the old or the new text whole, but a
// crash may lose it (the simulated machine's /proc files, rewritten every sample and worthless
// after a crash; two fsyncs per file were milliseconds of each sample on a busy disk).
std::error_code write_file_atomic(const std::filesystem::path& path, std::string_view text, mode_t mode = 0644,
                                  bool durable = true);

// <procfs>/irq/N and the IRQ's affinity file in it (the one irqd writes).
std::filesystem::path irq_dir(const std::filesystem::path& procfs, unsigned irq);
std::filesystem::path affinity_list_path(const std::filesystem::path& procfs, unsigned irq);

// Per-IRQ kernel state from <procfs>/irq/N/.
struct irq_kernel_info {
    std::optional<core::cpu_set> affinity;          // smp_affinity_list
    std::optional<core::cpu_set> effective;         // effective_affinity_list (absent on old kernels)
    int node = -1;                                  // node; -1 means none
};
// By the full path, for reads with no <procfs>/irq held open: the affinity writer's read before a
// write, GET /api/v1/interrupts/N of an IRQ the sampler has not read, the simulated machine. The
// sampler reads through irq_files.
irq_kernel_info read_irq_info(const std::filesystem::path& procfs, unsigned irq);
// Only the two affinity lists, into `info`: what can change while the IRQ exists (its node cannot).
void read_irq_affinity(const std::filesystem::path& procfs, unsigned irq, irq_kernel_info& info);

// The same through <procfs>/irq held open: all the sampler's reads (new IRQs, the steady re-reads,
// after its own writes). Hundreds of files a second on a big machine, each opened relative to that
// directory rather than walking the whole path (which was most of their cost). Opened at the first
// read; when it cannot be opened, or an IRQ's smp_affinity_list is missing below it (the IRQ is
// gone, or the directory was replaced), that read takes the full path and the next one opens the
// directory again.
class irq_files {
public:
    explicit irq_files(std::filesystem::path procfs) : procfs_(std::move(procfs)) {}
    ~irq_files();
    irq_files(const irq_files&) = delete;
    irq_files& operator=(const irq_files&) = delete;
    void read_affinity(unsigned irq, irq_kernel_info& info);   // as read_irq_affinity
    irq_kernel_info read_info(unsigned irq);                   // as read_irq_info

private:
    int open_at(unsigned irq, const char* file) const;

    std::filesystem::path procfs_;
    int dir_ = -1;
};

// CPU topology from <sysfs>/devices/system/{cpu,node}.
struct cpu_topology {
    core::cpu_set online, isolated, nohz_full;
    std::vector<std::pair<int, core::cpu_set>> nodes;   // NUMA node -> its CPUs
    int node_of(unsigned cpu) const;
};
cpu_topology read_cpu_topology(const std::filesystem::path& sysfs);

// The online CPUs: the topology's, or the snapshot's columns when sysfs said nothing.
core::cpu_set online_cpus(const cpu_topology& topology, const std::vector<unsigned>& columns);

}  // namespace irqd::service
