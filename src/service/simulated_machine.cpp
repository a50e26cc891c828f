// The simulated machine behind --simulate: fake /proc and /sys files driven by per-day rates.
#include "irqd/service/simulated_machine.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "irqd/core/irq_queue.hpp"
#include "irqd/service/kernel_files.hpp"

namespace irqd::service {
namespace fs = std::filesystem;

namespace {
std::optional<int> errno_from_name(std::string_view name) {
    static const std::pair<std::string_view, int> names[] = {
        {"EIO", EIO},       {"EPERM", EPERM}, {"EINVAL", EINVAL}, {"ENOSPC", ENOSPC},
        {"EBUSY", EBUSY},   {"ENOENT", ENOENT}, {"EACCES", EACCES}, {"EROFS", EROFS}};
    for (auto& [n, v] : names)
        if (n == name) return v;
    return std::nullopt;
}

void write_text(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << text;
}

std::string description_of(const core::irq_row& r) {
    if (!r.number) return r.name;
    std::string d = r.chip;
    if (!r.hwirq.empty()) d += " " + r.hwirq;
    if (!r.trigger.empty()) d += "-" + r.trigger;
    if (!r.name.empty()) d += "      " + r.name;
    return d;
}
}  // namespace

core::result<std::unique_ptr<simulated_machine>> simulated_machine::create(const options& opts, core::clock_time now) {
    std::string text;
    if (auto ec = read_file(opts.rates_file, text))
        return core::error{"cannot read simulation rates " + opts.rates_file.string() + ": " + ec.message()};
    auto snap = core::parse_interrupts(text);
    if (snap.cpus.empty() || snap.rows.empty())
        return core::error{"simulation rates " + opts.rates_file.string() + " have no CPU header or no IRQ rows"};
    if (!(opts.speed > 0) || !std::isfinite(opts.speed)) return core::error{"simulation speed must be a positive number"};

    std::unique_ptr<simulated_machine> m(new simulated_machine);
    m->opts_ = opts;
    if (opts.root.empty()) {
        auto base = fs::temp_directory_path() / "irqd-sim-XXXXXX";
        std::string tmpl = base.string();
        if (!::mkdtemp(tmpl.data())) return core::error{"cannot create a temporary directory for the simulation"};
        m->root_ = tmpl;
        m->owns_root_ = true;
    } else {
        m->root_ = opts.root;
    }
    m->procfs_ = m->root_ / "proc";
    m->sysfs_ = m->root_ / "sys";
    m->cpus_ = snap.cpus;
    for (auto c : snap.cpus) m->online_.add(c);
    const auto ncpu = snap.cpus.size();
    m->counts_.assign(snap.counts.begin(), snap.counts.end());   // the file's counts are the first counters the daemon sees
    for (std::size_t r = 0; r < snap.rows.size(); ++r) {
        sim_row s;
        s.row = snap.rows[r];
        s.weight.assign(ncpu, 0.0);
        s.fraction.assign(ncpu, 0.0);
        double total = 0;
        for (std::size_t c = 0; c < ncpu; ++c) total += static_cast<double>(snap.count(r, c));
        s.rate_per_day = s.row.per_cpu ? total : static_cast<double>(snap.count(r, 0));
        for (std::size_t c = 0; c < ncpu; ++c) {
            s.weight[c] = total > 0 ? static_cast<double>(snap.count(r, c)) / total : 1.0 / static_cast<double>(ncpu);
            if (snap.count(r, c) > 0 || total == 0) s.affinity.add(snap.cpus[c]);
        }
        s.file_weight = s.weight;
        s.file_cpus = s.affinity;
        if (!s.row.per_cpu) s.rate_per_day = 0;   // ERR/MIS stay as they are
        s.net_queue = core::parse_irq_queue(s.row.name).index.has_value();
        if (s.row.number) m->by_number_.emplace(*s.row.number, m->rows_.size());
        m->rows_.push_back(std::move(s));
    }

    try {
        auto cpu_dir = m->sysfs_ / "devices/system/cpu";
        write_text(cpu_dir / "online", m->online_.to_list() + "\n");
        write_text(cpu_dir / "possible", m->online_.to_list() + "\n");
        write_text(cpu_dir / "isolated", "\n");
        write_text(cpu_dir / "nohz_full", "\n");
        const auto nodes = m->nodes();
        for (std::size_t n = 0; n < nodes.size(); ++n)
            write_text(m->sysfs_ / "devices/system/node" / ("node" + std::to_string(n)) / "cpulist",
                       nodes[n].to_list() + "\n");
        m->write_devices();   // first: it gives each device's IRQs their node
        for (const auto& r : m->rows_)
            if (r.row.number) m->write_irq_files(r);
    } catch (const std::exception& e) {
        return core::error{std::string("cannot build the simulated machine: ") + e.what()};
    }
    m->load_.assign(ncpu, cpu_load{});
    m->last_ = now;
    m->advance(now);
    return m;
}

simulated_machine::~simulated_machine() {
    if (owns_root_) {
        std::error_code ec;
        fs::remove_all(root_, ec);
    }
}

void simulated_machine::write_irq_files(const sim_row& r) {
    auto dir = procfs_ / "irq" / std::to_string(*r.row.number);
    write_text(dir / "smp_affinity_list", r.affinity.to_list() + "\n");
    write_text(dir / "smp_affinity", r.affinity.to_mask() + "\n");
    write_text(dir / "effective_affinity_list", r.affinity.to_list() + "\n");
    write_text(dir / "effective_affinity", r.affinity.to_mask() + "\n");
    write_text(dir / "node", std::to_string(r.node) + "\n");
}

// A machine of 4 CPUs or more has two NUMA nodes, each half of the CPUs (as a two-socket server);
// a smaller one has one.
std::vector<core::cpu_set> simulated_machine::nodes() const {
    if (cpus_.size() < 4) return {online_};
    std::vector<core::cpu_set> out(2);
    for (std::size_t c = 0; c < cpus_.size(); ++c) out[c < cpus_.size() / 2 ? 0 : 1].add(cpus_[c]);
    return out;
}

void simulated_machine::advance(core::clock_time now) {
    double seconds = std::chrono::duration<double>(now - last_).count() * opts_.speed;
    last_ = now;
    if (seconds < 0) seconds = 0;
    const auto ncpu = cpus_.size();
    std::vector<double> all(ncpu, 0.0), net(ncpu, 0.0);
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        auto& s = rows_[r];
        if (s.rate_per_day <= 0) continue;
        double fired = s.rate_per_day * seconds / 86400.0;
        for (std::size_t c = 0; c < ncpu; ++c) {
            double x = s.fraction[c] + fired * s.weight[c];
            double whole = std::floor(x);
            s.fraction[c] = x - whole;
            counts_[r * ncpu + c] += static_cast<std::uint64_t>(whole);
            all[c] += fired * s.weight[c];
            if (s.net_queue) net[c] += fired * s.weight[c];
        }
    }
    std::error_code ec;
    fs::create_directories(procfs_, ec);
    // Replaced whole, never fsynced: a kernel's /proc is no file on disk either.
    write_file_atomic(procfs_ / "interrupts", render(), 0644, false);
    advance_load(all, net, seconds);
    write_load_files();
}

// Each CPU's NET_RX processes what its queue IRQs bring up to `capacity` packets per second; the rest
// is dropped (the backlog overflows) and squeezes the softirq's budget. Time: hard IRQs cost
// irq_seconds each, softirq time grows with the packets processed (softirq_share_at_capacity of the
// CPU at capacity), a little user time, the rest idle.
void simulated_machine::advance_load(const std::vector<double>& fired, const std::vector<double>& net_fired,
                                     double seconds) {
    if (seconds <= 0) return;
    for (std::size_t c = 0; c < load_.size(); ++c) {
        auto& l = load_[c];
        const double packets = net_fired[c] * packets_per_irq;
        const double processed = std::min(packets, opts_.capacity * seconds);
        const double irq = std::min(seconds, fired[c] * irq_seconds);
        const double soft = std::min(seconds - irq, softirq_share_at_capacity * processed / opts_.capacity);
        const double user = std::min(seconds - irq - soft, 0.02 * seconds);
        l.irq += irq;
        l.softirq += soft;
        l.user += user;
        l.idle += seconds - irq - soft - user;
        l.processed += processed;
        l.dropped += packets - processed;
        if (packets > processed) l.squeezed += 100 * seconds;   // out of budget at each of ~100 polls a second
        l.net_rx += net_fired[c];
        l.net_tx += net_fired[c] / 4;
        l.timer += 250 * seconds;
        l.sched += 100 * seconds;
        l.rcu += 50 * seconds;
    }
}

void simulated_machine::write_load_files() {
    auto whole = [](double v) { return static_cast<std::uint64_t>(v); };
    auto ticks = [](double s) { return static_cast<std::uint64_t>(s * 100); };   // USER_HZ
    std::string stat, all_line;
    cpu_load sum;
    for (const auto& l : load_) {
        sum.user += l.user, sum.idle += l.idle, sum.irq += l.irq, sum.softirq += l.softirq;
    }
    auto stat_line = [&](const std::string& name, const cpu_load& l) {
        return name + " " + std::to_string(ticks(l.user)) + " 0 0 " + std::to_string(ticks(l.idle)) + " 0 " +
               std::to_string(ticks(l.irq)) + " " + std::to_string(ticks(l.softirq)) + " 0 0 0\n";
    };
    stat = stat_line("cpu ", sum);
    for (std::size_t c = 0; c < load_.size(); ++c) stat += stat_line("cpu" + std::to_string(cpus_[c]), load_[c]);
    stat += "intr 0\nctxt 0\nbtime 0\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n";

    std::string softirqs(20, ' ');
    char buf[64];
    for (auto c : cpus_) {
        int n = std::snprintf(buf, sizeof buf, "CPU%-8u", c);
        softirqs.append(buf, static_cast<std::size_t>(n));
    }
    softirqs += '\n';
    auto row = [&](const char* name, double cpu_load::*field) {
        int n = std::snprintf(buf, sizeof buf, "%12s:", name);
        softirqs.append(buf, static_cast<std::size_t>(n));
        for (const auto& l : load_) {
            n = std::snprintf(buf, sizeof buf, " %10llu", static_cast<unsigned long long>(field ? whole(l.*field) : 0));
            softirqs.append(buf, static_cast<std::size_t>(n));
        }
        softirqs += '\n';
    };
    row("HI", nullptr);
    row("TIMER", &cpu_load::timer);
    row("NET_TX", &cpu_load::net_tx);
    row("NET_RX", &cpu_load::net_rx);
    row("BLOCK", nullptr);
    row("IRQ_POLL", nullptr);
    row("TASKLET", nullptr);
    row("SCHED", &cpu_load::sched);
    row("HRTIMER", nullptr);
    row("RCU", &cpu_load::rcu);

    // Linux 5.10+'s 13 columns, 32-bit counters, the CPU id last.
    std::string softnet;
    for (std::size_t c = 0; c < load_.size(); ++c) {
        const auto& l = load_[c];
        int n = std::snprintf(buf, sizeof buf, "%08x %08x %08x ", static_cast<unsigned>(whole(l.processed) & 0xffffffffu),
                              static_cast<unsigned>(whole(l.dropped) & 0xffffffffu),
                              static_cast<unsigned>(whole(l.squeezed) & 0xffffffffu));
        softnet.append(buf, static_cast<std::size_t>(n));
        softnet += "00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 ";
        n = std::snprintf(buf, sizeof buf, "%08x\n", cpus_[c]);
        softnet.append(buf, static_cast<std::size_t>(n));
    }
    std::error_code ec;
    fs::create_directories(procfs_ / "net", ec);
    write_file_atomic(procfs_ / "stat", stat, 0644, false);
    write_file_atomic(procfs_ / "softirqs", softirqs, 0644, false);
    write_file_atomic(procfs_ / "net/softnet_stat", softnet, 0644, false);
}

// One PCI device per network interface the queue names name (eth0-TxRx-3 -> eth0), or per PCI
// address they carry (mlx5_comp3@pci:ADDR), laid out as the kernel does: bus/pci/devices/ADDR links to
// devices/pci0000:00/ADDR, which holds msi_irqs/N, irq, numa_node, net/IF and a driver link.
void simulated_machine::write_devices() {
    struct device {
        std::string pci, netdev, driver;
        std::vector<unsigned> irqs;
    };
    std::vector<device> devices;
    auto device_for = [&](const core::irq_queue& q, const std::string& name) -> device* {
        std::string netdev = q.netdev;
        if (netdev.empty() && q.pci.empty() && !name.empty() && name.find_first_of(" -@:") == std::string::npos &&
            std::any_of(devices.begin(), devices.end(), [&](const device& d) { return d.netdev == name; }))
            netdev = name;   // "eth0": the interface's own (misc) vector
        if (netdev.empty() && q.pci.empty()) return nullptr;
        for (auto& d : devices)
            if ((!netdev.empty() && d.netdev == netdev) || (!q.pci.empty() && d.pci == q.pci)) return &d;
        device d;
        // Distinct addresses for any number of NICs: buses 3b, 5b, ... db, then the next device number
        // on each, then the next PCI domain.
        const auto n = static_cast<unsigned>(devices.size());
        char addr[24];
        std::snprintf(addr, sizeof addr, "%04x:%02x:%02x.0", (n / 192) & 0xffffu, 0x3b + 0x20 * (n % 6), (n / 6) % 32);
        d.pci = q.pci.empty() ? addr : q.pci;
        d.netdev = netdev.empty() ? "eth" + std::to_string(devices.size()) : netdev;
        d.driver = name.starts_with("mlx5") ? "mlx5_core" : "ixgbe";
        devices.push_back(std::move(d));
        return &devices.back();
    };
    for (int pass = 0; pass < 2; ++pass)   // queues first, so "eth0" alone finds eth0's device
        for (const auto& r : rows_) {
            if (!r.row.number) continue;
            const auto q = core::parse_irq_queue(r.row.name);
            if ((pass == 0) != q.index.has_value()) continue;
            if (auto* d = device_for(q, r.row.name)) d->irqs.push_back(*r.row.number);
        }
    // NICs alternate between the nodes (eth0 on node 0, eth1 on node 1, ...), as on a two-socket server
    // with a NIC per socket; their IRQs' /proc/irq/N/node says the same.
    const auto node_count = nodes().size();
    for (std::size_t i = 0; i < devices.size(); ++i) {
        const auto& d = devices[i];
        const int node = static_cast<int>(i % node_count);
        for (auto irq : d.irqs)
            if (auto it = by_number_.find(irq); it != by_number_.end()) rows_[it->second].node = node;
        const auto dir = sysfs_ / "devices/pci0000:00" / d.pci;
        write_text(dir / "numa_node", std::to_string(node) + "\n");
        write_text(dir / "irq", "0\n");
        write_text(dir / "net" / d.netdev / "ifindex", "2\n");
        for (auto irq : d.irqs) write_text(dir / "msi_irqs" / std::to_string(irq), "msix\n");
        fs::create_directories(sysfs_ / "bus/pci/drivers" / d.driver);
        fs::create_directories(sysfs_ / "bus/pci/devices");
        fs::create_symlink("../../../bus/pci/drivers/" + d.driver, dir / "driver");
        fs::create_symlink("../../../devices/pci0000:00/" + d.pci, sysfs_ / "bus/pci/devices" / d.pci);
    }
}

std::string simulated_machine::render() const {
    // The kernel's layout (kernel/irq/proc.c): counts as %10u, so 32-bit counters wrap as they do there.
    std::size_t prec = 3;
    for (const auto& r : rows_) prec = std::max(prec, r.row.id.size());
    std::string out(prec + 8, ' ');
    char buf[32];
    for (auto c : cpus_) {
        int n = std::snprintf(buf, sizeof buf, "CPU%-8u", c);
        out.append(buf, static_cast<std::size_t>(n));
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
    const auto ncpu = cpus_.size();
    for (std::size_t r = 0; r < rows_.size(); ++r) {
        const auto& s = rows_[r];
        int n = std::snprintf(buf, sizeof buf, "%*s: ", static_cast<int>(prec), s.row.id.c_str());
        out.append(buf, static_cast<std::size_t>(n));
        std::size_t cols = s.row.per_cpu ? ncpu : 1;
        for (std::size_t c = 0; c < cols; ++c) {
            n = std::snprintf(buf, sizeof buf, "%10u ", static_cast<unsigned>(counts_[r * ncpu + c] & 0xffffffffu));
            out.append(buf, static_cast<std::size_t>(n));
        }
        out += "  ";
        out += description_of(s.row);
        out += '\n';
    }
    return out;
}

simulated_machine::sim_row* simulated_machine::find(unsigned irq) {
    // A batch checks and writes thousands of IRQs: no scan of every row per IRQ.
    auto it = by_number_.find(irq);
    return it == by_number_.end() ? nullptr : &rows_[it->second];
}

bool simulated_machine::irq_exists(unsigned irq) { return find(irq) != nullptr; }

irq_kernel_info simulated_machine::read(unsigned irq) { return read_irq_info(procfs_, irq); }

std::optional<int> simulated_machine::injected_errno(unsigned irq) const {
    if (!opts_.faults_file) return std::nullopt;
    std::ifstream in(*opts_.faults_file);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string who, what;
        if (!(words >> who >> what) || who.starts_with('#')) continue;
        if (who == "*" || who == std::to_string(irq))
            if (auto e = errno_from_name(what)) return e;
    }
    return std::nullopt;
}

std::error_code simulated_machine::write(unsigned irq, const core::cpu_set& cpus) {
    sim_row* row = find(irq);
    if (!row) return {ENOENT, std::generic_category()};
    if (auto e = injected_errno(irq)) return {*e, std::generic_category()};
    auto usable = cpus & online_;
    if (usable.empty()) return {EINVAL, std::generic_category()};
    row->affinity = cpus;
    const double share = 1.0 / static_cast<double>(usable.size());
    for (std::size_t c = 0; c < cpus_.size(); ++c) row->weight[c] = usable.contains(cpus_[c]) ? share : 0.0;
    if (usable == row->file_cpus) row->weight = row->file_weight;   // back where the file had it
    // The kernel reports the CPUs it really uses; offline CPUs of the request are not among them.
    // Four files, not all of write_irq_files(): a balance apply writes thousands of IRQs at once.
    const auto dir = procfs_ / "irq" / std::to_string(irq);
    write_text(dir / "smp_affinity_list", cpus.to_list() + "\n");
    write_text(dir / "smp_affinity", cpus.to_mask() + "\n");
    write_text(dir / "effective_affinity_list", usable.to_list() + "\n");
    write_text(dir / "effective_affinity", usable.to_mask() + "\n");
    return {};
}

}  // namespace irqd::service
