// The sampler: on a timer, reads <procfs>/interrupts, parses it, turns it into deltas and feeds the
// history; less often it refreshes per-IRQ affinity files (--irq-files-interval) and the CPU topology. Observers (the
// WebSocket hub, auto-balance) are told after each sample. Runs on the daemon's single io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irqd/core/cpu_counters.hpp"
#include "irqd/core/history.hpp"
#include "irqd/core/interrupts.hpp"
#include "irqd/core/sliced_window_sum.hpp"
#include "irqd/service/irq_devices.hpp"
#include "irqd/service/kernel_files.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::service {

struct sampler_stats {
    std::uint64_t samples = 0;             // successful samples
    std::uint64_t skipped = 0;             // samples that could not be read or parsed
    std::uint64_t late = 0;                // timer ticks missed because the loop was busy
    std::uint64_t parse_issues = 0;        // lines skipped by the parser, all samples
    std::chrono::nanoseconds last_duration{0};
    std::chrono::nanoseconds total_duration{0};
    std::string last_error;
};

// The per-CPU load files read with each sample; a missing one is left out (containers, old kernels).
struct cpu_sources {
    bool stat = false, softirqs = false, softnet = false;   // read in the last sample
    std::vector<std::string> missing;                       // "<path>: <reason>", once per file
};

class sampler {
public:
    sampler(boost::asio::io_context& io, const settings& s);

    void start();                           // samples now, then on every tick
    void stop();
    bool sample_once(core::clock_time now); // one sample; false when skipped

    // Called before each read (the simulated machine advances its counters here).
    std::function<void(core::clock_time)> before_sample;
    void add_observer(std::function<void()> f) { observers_.push_back(std::move(f)); }

    const core::snapshot& latest() const { return latest_; }
    std::string_view latest_text() const { return text_; }
    core::clock_time latest_time() const { return latest_time_; }
    bool has_sample() const { return stats_.samples > 0; }
    const core::history& history() const { return history_; }
    // Restarts of the window sums made in slices over history() (the API's and the balancer's).
    core::sliced_sum_counters& sliced_sums() { return sliced_sums_; }
    const core::sliced_sum_counters& sliced_sums() const { return sliced_sums_; }
    // The newest delta (what fired between the last two samples) and its length in seconds. Made on
    // the first call after a sample that was summed into history without a frame (add_sample).
    const core::delta_frame* last_frame() const;
    double last_frame_seconds() const { return last_frame_seconds_; }

    // Per-CPU load counters (/proc/stat, /proc/softirqs, /proc/net/softnet_stat; core/cpu_counters.hpp),
    // kept in a history with the same tiers and frame times as the IRQ counts, so a window query
    // snaps to the same frames.
    const core::history& cpu_history() const { return cpu_history_; }
    const core::snapshot& cpu_latest() const { return cpu_latest_; }
    const core::delta_frame* cpu_last_frame() const { return has_frame_ ? &cpu_frame_ : nullptr; }
    const struct cpu_sources& cpu_sources() const { return cpu_sources_; }

    const cpu_topology& topology() const { return topology_; }
    core::cpu_set online_cpus() const { return service::online_cpus(topology_, latest_.cpus); }
    // IRQ devices from <sysfs>/bus/pci, re-read with the topology.
    const irq_devices& devices() const { return devices_; }
    const irq_kernel_info* irq_info(unsigned irq) const;
    void refresh_irq(unsigned irq);          // re-read its files now (after an affinity write)
    void refresh_topology();                 // everything, now
    const sampler_stats& stats() const { return stats_; }

private:
    void schedule();
    // One sample in four steps, which the timer posts one after the other (sample_once runs them
    // at once): read; parse; deltas, history and observers; the per-IRQ files due.
    void then(std::function<void()> step);
    bool read_text(core::clock_time now);
    bool parse_text();
    void add_sample(core::clock_time now);
    void refresh_irq_files();
    void after_sample(std::chrono::steady_clock::time_point tick);
    static bool same_irqs(const core::snapshot& a, const core::snapshot& b);
    static bool rows_equal(const core::snapshot& a, const core::snapshot& b);
    void refresh_new_irqs();
    void refresh_some_irqs();
    void fit_history(const core::snapshot& first);
    void release_slack();
    void read_cpu_counters(const core::snapshot& interrupts);
    bool read_source(const char* name, bool& present);

    const settings& settings_;
    boost::asio::steady_timer timer_;
    std::chrono::steady_clock::time_point next_tick_;
    std::chrono::steady_clock::time_point next_topology_;
    std::chrono::nanoseconds parse_duration_{0};   // reading and parsing the sample being made
    bool running_ = false;

    core::big_string text_, spare_text_;   // huge pages: read every sample (core/huge_pages.hpp)
    core::snapshot latest_, previous_, parsing_;   // the sample, the one before it, the next one being parsed
    // What is known of the rows without comparing them: how many samples in a row, up to latest_,
    // had the rows of the one before. From 2, latest_'s rows are previous_'s and those of the sample
    // before it, which the parse went over (a parse's rows_as_before compares with that one); a
    // parse that was not added (a skipped sample) starts the count again.
    std::size_t same_rows_run_ = 0;
    bool parse_added_ = true;   // the last parse became a sample
    core::clock_time latest_time_{};
    core::delta_tracker tracker_;
    core::history history_;
    core::sliced_sum_counters sliced_sums_;
    mutable core::delta_frame last_frame_;
    mutable bool frame_pending_ = false;   // the last sample was summed; last_frame_ is not made yet
    mutable bool frame_made_ = true;       // last_frame_ holds the newest delta
    bool has_frame_ = false;
    double last_frame_seconds_ = 0;

    std::string cpu_text_;
    core::proc_stat stat_;
    core::softirq_table softirqs_;
    core::softnet_stat softnet_;
    core::snapshot cpu_latest_;
    core::delta_tracker cpu_tracker_;
    core::history cpu_history_;
    core::delta_frame cpu_frame_;
    struct cpu_sources cpu_sources_;

    cpu_topology topology_;
    irq_devices devices_;
    std::unordered_map<unsigned, irq_kernel_info> irqs_;
    irq_files irq_files_{settings_.procfs};
    std::unordered_map<unsigned, std::string> irq_descriptions_;   // of the rows irqs_ was read for
    std::size_t refresh_cursor_ = 0;
    double irq_refresh_credit_ = 0;                 // IRQs due to be re-read (a share per sample)
    sampler_stats stats_;
    std::vector<std::function<void()>> observers_;
};

}  // namespace irqd::service
