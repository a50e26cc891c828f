// Small-file I/O against /proc and /sys (or the fake roots of tests and the simulated machine).
#include "irqd/service/kernel_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string_view>

namespace irqd::service {
namespace {
std::error_code last_error() { return {errno, std::generic_category()}; }

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    return s;
}

std::optional<core::cpu_set> list_of(const std::string& text) {
    auto t = trimmed(text);
    if (t.empty() || t == "(null)") return core::cpu_set{};
    auto set = core::parse_cpu_list(t);
    if (!set) return std::nullopt;
    return std::move(set).value();
}

// Thousands of these a second on a big machine: one buffer, not an allocation per file.
thread_local std::string list_text;

std::optional<core::cpu_set> read_list(const std::filesystem::path& p) {
    if (read_file(p, list_text, small_file_limit)) return std::nullopt;
    return list_of(list_text);
}
}  // namespace

namespace {
// Reads fd to EOF into `out`, closing it; larger than `max_bytes` is EFBIG. The old text in `out` is
// scratch space: growing a std::string zero-fills what it adds, and for the 12 MB /proc/interrupts
// of a big machine, read every second, filling the whole capacity cost a fifth of the read.
//
// `small`: the file is a few bytes (an IRQ's affinity list, thousands a second on a big machine), so
// a read that returns less than it asked for has read all of it and the read that would return 0 is
// not made: a regular file is at its end, and procfs and sysfs print such a file in one go (seq_file
// fills the whole buffer it is given while the file has more). One system call of four per file.
template <class String>
std::error_code read_fd(int fd, String& out, std::size_t max_bytes, bool small = false) {
    std::size_t used = 0;
    if (out.size() < 4096) out.resize(4096);
    for (;;) {
        if (used > max_bytes) {
            ::close(fd);
            out.clear();
            return std::make_error_code(std::errc::file_too_large);
        }
        // Full: a little more within the capacity (EOF is usually next), else twice the size.
        if (used == out.size())
            out.resize(out.size() < out.capacity() ? std::min(out.capacity(), out.size() + 64 * 1024) : out.size() * 2);
        ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            auto ec = last_error();
            ::close(fd);
            out.clear();
            return ec;
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
        if (small && used < out.size()) break;
    }
    out.resize(used);
    ::close(fd);
    return {};
}

template <class String>
std::error_code read_path(const std::filesystem::path& path, String& out, std::size_t max_bytes) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        out.clear();
        return last_error();
    }
    return read_fd(fd, out, max_bytes);
}
}  // namespace

std::error_code read_file(const std::filesystem::path& path, std::string& out, std::size_t max_bytes) {
    return read_path(path, out, max_bytes);
}

std::error_code read_file(const std::filesystem::path& path, core::big_string& out, std::size_t max_bytes) {
    return read_path(path, out, max_bytes);
}

std::error_code read_regular_file(const std::filesystem::path& path, std::string& out, std::size_t max_bytes) {
    out.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) return last_error();
    struct stat st {};
    if (::fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        auto ec = S_ISREG(st.st_mode) ? last_error() : std::make_error_code(std::errc::invalid_argument);
        ::close(fd);
        return ec;
    }
    return read_fd(fd, out, max_bytes);
}

std::optional<std::string> not_a_regular_file(const std::filesystem::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) {
        if (errno == ENOENT) return std::nullopt;
        return "cannot be examined: " + last_error().message();
    }
    auto m = st.st_mode;
    if (S_ISREG(m)) return std::nullopt;
    return S_ISLNK(m) ? "is a symbolic link" : S_ISDIR(m) ? "is a directory" : S_ISFIFO(m) ? "is a FIFO"
         : S_ISCHR(m) ? "is a character device" : S_ISBLK(m) ? "is a block device" : S_ISSOCK(m) ? "is a socket"
         : "is not a regular file";
}

std::error_code write_existing_file(const std::filesystem::path& path, std::string_view text) {
    // O_TRUNC: procfs ignores it; a plain file under a fake root must not keep a longer old tail.
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return last_error();
    ssize_t n;
    do n = ::write(fd, text.data(), text.size());
    while (n < 0 && errno == EINTR);
    std::error_code ec;
    if (n < 0) ec = last_error();
    else if (static_cast<std::size_t>(n) != text.size()) ec = std::make_error_code(std::errc::io_error);
    if (::close(fd) < 0 && !ec) ec = last_error();
    return ec;
}

std::error_code write_file_atomic(const std::filesystem::path& path, std::string_view text, mode_t mode, bool durable) {
    // A unique temporary name: two writers (or a writer and the leftover of a crash) never share one.
    std::string tmp = path.string() + ".tmp-XXXXXX";
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) return last_error();
    auto fail = [&](int fd_to_close) {
        auto ec = last_error();
        if (fd_to_close >= 0) ::close(fd_to_close);
        ::unlink(tmp.c_str());
        return ec;
    };
    if (::fchmod(fd, mode) < 0) return fail(fd);
    std::size_t done = 0;
    while (done < text.size()) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(fd);
        }
        done += static_cast<std::size_t>(n);
    }
    if (durable && ::fsync(fd) < 0) return fail(fd);
    if (::close(fd) < 0) return fail(-1);
    if (::rename(tmp.c_str(), path.c_str()) < 0) return fail(-1);
    if (!durable) return {};
    // The rename is durable only once the directory entry is: fsync the directory too.
    auto dir = path.parent_path();
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) return last_error();
    std::error_code ec;
    if (::fsync(dfd) < 0 && errno != EINVAL) ec = last_error();   // EINVAL: directory fsync unsupported
    ::close(dfd);
    return ec;
}

std::filesystem::path irq_dir(const std::filesystem::path& procfs, unsigned irq) {
    return procfs / "irq" / std::to_string(irq);
}

std::filesystem::path affinity_list_path(const std::filesystem::path& procfs, unsigned irq) {
    return irq_dir(procfs, irq) / "smp_affinity_list";
}

core::cpu_set online_cpus(const cpu_topology& topology, const std::vector<unsigned>& columns) {
    if (!topology.online.empty()) return topology.online;
    core::cpu_set s;
    for (auto c : columns) s.add(c);
    return s;
}

void read_irq_affinity(const std::filesystem::path& procfs, unsigned irq, irq_kernel_info& info) {
    info.affinity = read_list(affinity_list_path(procfs, irq));
    info.effective = read_list(irq_dir(procfs, irq) / "effective_affinity_list");
}

namespace {
// The text of a node file: its number, or -1 (none, or not a number).
int node_of(const std::string& text) {
    auto t = trimmed(text);
    int node = -1;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), node);
    return ec == std::errc{} && p == t.data() + t.size() ? node : -1;
}
}  // namespace

irq_kernel_info read_irq_info(const std::filesystem::path& procfs, unsigned irq) {
    irq_kernel_info info;
    read_irq_affinity(procfs, irq, info);
    if (!read_file(irq_dir(procfs, irq) / "node", list_text, small_file_limit)) info.node = node_of(list_text);
    return info;
}

irq_files::~irq_files() {
    if (dir_ >= 0) ::close(dir_);
}

// Opens <procfs>/irq/IRQ/FILE under the open directory; -1 with errno set when it cannot.
int irq_files::open_at(unsigned irq, const char* file) const {
    char name[64];
    std::snprintf(name, sizeof name, "%u/%s", irq, file);
    return ::openat(dir_, name, O_RDONLY | O_CLOEXEC);
}

void irq_files::read_affinity(unsigned irq, irq_kernel_info& info) {
    if (dir_ < 0) dir_ = ::open((procfs_ / "irq").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    const auto read_at = [&](const char* file, std::optional<core::cpu_set>& out) {
        const int fd = open_at(irq, file);
        const int error = fd < 0 ? errno : 0;
        out.reset();
        if (fd >= 0 && !read_fd(fd, list_text, small_file_limit, true)) out = list_of(list_text);
        // Out of descriptors and such: the full path would fail the same, and the directory stays open
        // (closing it would hand its descriptor to whatever runs short meanwhile, to be taken back later).
        return fd >= 0 || (error != ENOENT && error != ENOTDIR);
    };
    // Every IRQ directory has smp_affinity_list; effective_affinity_list is missing on old kernels.
    // The effective list is what the kernel chose within the affinity. It is read again only when
    // it could have changed: when the affinity did, or when last read it was not the affinity itself
    // (a mask the kernel picks CPUs from). An IRQ on one CPU (the common case) then costs one file.
    // Missing once, it stays missing. A CPU going offline re-reads every IRQ (the sampler).
    const std::optional<core::cpu_set> was = info.affinity;
    const bool settled = info.affinity && (!info.effective || *info.effective == *info.affinity);
    if (dir_ >= 0 && read_at("smp_affinity_list", info.affinity)) {
        if (!(settled && info.affinity == was)) read_at("effective_affinity_list", info.effective);
        return;
    }
    if (dir_ >= 0) ::close(dir_);
    dir_ = -1;
    read_irq_affinity(procfs_, irq, info);
}

irq_kernel_info irq_files::read_info(unsigned irq) {
    irq_kernel_info info;
    read_affinity(irq, info);
    // The directory is still open when it served the lists; else they took the full path, and so does node.
    if (dir_ < 0) {
        if (!read_file(irq_dir(procfs_, irq) / "node", list_text, small_file_limit)) info.node = node_of(list_text);
        return info;
    }
    const int fd = open_at(irq, "node");
    if (fd >= 0 && !read_fd(fd, list_text, small_file_limit)) info.node = node_of(list_text);
    return info;
}

int cpu_topology::node_of(unsigned cpu) const {
    for (const auto& [node, cpus] : nodes)
        if (cpus.contains(cpu)) return node;
    return -1;
}

cpu_topology read_cpu_topology(const std::filesystem::path& sysfs) {
    cpu_topology t;
    auto cpu_dir = sysfs / "devices/system/cpu";
    if (auto s = read_list(cpu_dir / "online")) t.online = *s;
    if (auto s = read_list(cpu_dir / "isolated")) t.isolated = *s;
    if (auto s = read_list(cpu_dir / "nohz_full")) t.nohz_full = *s;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(sysfs / "devices/system/node", ec), end; !ec && it != end;
         it.increment(ec)) {
        auto name = it->path().filename().string();
        if (name.size() < 5 || name.compare(0, 4, "node") != 0) continue;
        int node = 0;
        auto [p, e] = std::from_chars(name.data() + 4, name.data() + name.size(), node);
        if (e != std::errc{} || p != name.data() + name.size()) continue;
        if (auto s = read_list(it->path() / "cpulist")) t.nodes.emplace_back(node, *s);
    }
    std::sort(t.nodes.begin(), t.nodes.end(), [](auto& a, auto& b) { return a.first < b.first; });
    return t;
}

}  // namespace irqd::service
