// A simulated machine: a private fake procfs/sysfs whose counters advance by the rates in a file in
// /proc/interrupts layout (counts read as interrupts per day). The daemon reads it with exactly the
// code it uses for the real /proc; affinity writes go through a small kernel model that refuses what
// the kernel refuses, then moves the IRQ's whole rate to its new CPUs.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "irqd/core/cpu_set.hpp"
#include "irqd/core/interrupts.hpp"
#include "irqd/core/result.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/service/affinity_writer.hpp"

namespace irqd::service {

class simulated_machine : public affinity_port {
public:
    struct options {
        std::filesystem::path rates_file;
        double speed = 1.0;                               // simulated seconds per real second
        std::optional<std::filesystem::path> faults_file; // lines "IRQ ERRNO" (e.g. "140 EIO") the kernel model obeys
        std::filesystem::path root;                       // where to build it; empty = a new private temp dir
        double capacity = 1e6;                            // packets per second a CPU's NET_RX softirq can process
    };

    // The network load model: each interrupt of a NIC queue IRQ (a name with a queue, see
    // core/irq_queue) brings this many packets to the CPU that takes it, processed by NET_RX there.
    static constexpr double packets_per_irq = 2;
    static constexpr double irq_seconds = 0.2e-6;         // hard-IRQ time per interrupt
    static constexpr double softirq_share_at_capacity = 0.4;   // of the CPU's time, when processing `capacity`

    static core::result<std::unique_ptr<simulated_machine>> create(const options& opts, core::clock_time now);
    ~simulated_machine() override;

    const std::filesystem::path& procfs() const { return procfs_; }
    const std::filesystem::path& sysfs() const { return sysfs_; }
    std::size_t irq_count() const { return rows_.size(); }

    // Advances the counters to `now` and rewrites <procfs>/interrupts.
    void advance(core::clock_time now);
    // The current /proc/interrupts text (as written by the last advance).
    std::string render() const;

    bool irq_exists(unsigned irq) override;
    irq_kernel_info read(unsigned irq) override;
    std::error_code write(unsigned irq, const core::cpu_set& cpus) override;

private:
    struct sim_row {
        core::irq_row row;
        double rate_per_day = 0;                          // the row's total over all CPUs
        std::vector<double> weight;                       // share per CPU column, sums to 1
        std::vector<double> fraction;                     // sub-interrupt remainders per CPU column
        core::cpu_set affinity;
        // The rates file's split and the CPUs it spans: an affinity written back to those CPUs (a
        // revert) gets that split again, not an even one, so the machine is as it was.
        std::vector<double> file_weight;
        core::cpu_set file_cpus;
        bool net_queue = false;                           // brings packets (NIC queue IRQ)
        int node = 0;                                     // NUMA node of its device
    };
    // Per-CPU kernel counters the load model advances (doubles: fractions carry over).
    struct cpu_load {
        double user = 0, idle = 0, irq = 0, softirq = 0;  // seconds
        double net_rx = 0, net_tx = 0, timer = 0, sched = 0, rcu = 0;
        double processed = 0, dropped = 0, squeezed = 0;
    };
    simulated_machine() = default;
    void write_irq_files(const sim_row& r);
    std::vector<core::cpu_set> nodes() const;              // CPUs per NUMA node: two halves from 4 CPUs
    void write_devices();                                 // NIC PCI devices in <sysfs>/bus/pci
    void advance_load(const std::vector<double>& fired, const std::vector<double>& net_fired, double seconds);
    void write_load_files();                              // <procfs>/stat, softirqs, net/softnet_stat
    std::optional<int> injected_errno(unsigned irq) const;

    std::filesystem::path root_, procfs_, sysfs_;
    bool owns_root_ = false;
    options opts_;
    std::vector<unsigned> cpus_;
    core::cpu_set online_;
    std::vector<sim_row> rows_;
    std::unordered_map<unsigned, std::size_t> by_number_;  // IRQ number -> index in rows_
    sim_row* find(unsigned irq);
    std::vector<std::uint64_t> counts_;                   // rows_ x cpus_, 64-bit; printed modulo 2^32
    core::clock_time last_;
    std::vector<cpu_load> load_;                          // per CPU column
};

}  // namespace irqd::service
