// Sets IRQ affinities: read before write, skip no-ops, re-read the effective affinity, and turn the
// kernel's errno into an answer a user can act on. Batches are all or nothing (rolled back on failure)
// and run in slices, so a thousand writes never hold up the requests sharing the io_context.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "irqd/core/cpu_set.hpp"
#include "irqd/service/kernel_files.hpp"

namespace irqd::service {

// Where affinity writes go: the real /proc/irq (procfs_affinity_port) or the simulated kernel.
class affinity_port {
public:
    virtual ~affinity_port() = default;
    virtual bool irq_exists(unsigned irq) = 0;
    virtual irq_kernel_info read(unsigned irq) = 0;
    virtual std::error_code write(unsigned irq, const core::cpu_set& cpus) = 0;
    // True when the kernel marks the IRQ's affinity file read-only (mode 0444): it cannot be moved.
    virtual bool marked_not_movable(unsigned /*irq*/) { return false; }
    // May irqd write the IRQ's affinity at all (a plan leaves the others where they are)? The
    // simulated kernel takes writes whatever the file's mode says.
    virtual bool writable(unsigned /*irq*/) { return true; }
};

class procfs_affinity_port : public affinity_port {
public:
    explicit procfs_affinity_port(std::filesystem::path procfs) : procfs_(std::move(procfs)) {}
    bool irq_exists(unsigned irq) override;
    irq_kernel_info read(unsigned irq) override;
    std::error_code write(unsigned irq, const core::cpu_set& cpus) override;
    bool marked_not_movable(unsigned irq) override;
    bool writable(unsigned irq) override;             // access(2) W_OK on the affinity file

private:
    std::filesystem::path procfs_;
};

// An error the API can show: HTTP status, stable code, and a sentence.
struct affinity_error {
    int status = 500;
    std::string code;
    std::string message;
    std::error_code errno_code;                    // the kernel's errno, when it came from a write
};
// `marked_not_movable`: the affinity file has no owner-write bit, so an EACCES means "cannot move",
// not "irqd lacks permission". docs/reliability.md has the whole errno table.
affinity_error explain_write_error(unsigned irq, std::error_code ec, bool marked_not_movable = false);
// Refusals that will not change by retrying (managed or per-CPU IRQs): irq_not_movable.
bool is_permanent(const affinity_error& e);

struct affinity_change {
    unsigned irq = 0;
    core::cpu_set cpus;
};

struct affinity_outcome {
    unsigned irq = 0;
    std::optional<core::cpu_set> before;           // smp_affinity_list before the write
    core::cpu_set requested;
    std::optional<core::cpu_set> affinity;         // re-read after the write
    std::optional<core::cpu_set> effective;        // effective_affinity_list after the write
    bool changed = false;                          // false when it already was `requested`
};

struct batch_failure {
    affinity_error error;
    unsigned irq = 0;                              // the change that failed
    std::vector<unsigned> rolled_back;             // IRQs restored to their previous affinity
    std::vector<unsigned> rollback_failed;         // IRQs that could not be restored (reported loudly)
};

class affinity_writer {
public:
    using batch_result = std::variant<std::vector<affinity_outcome>, batch_failure>;

    affinity_writer(affinity_port& port, bool read_only) : port_(port), read_only_(read_only) {}

    // `online` is the set of online CPUs: a request with none of them is refused before any write.
    // While a batch is running, every other change is refused with 409 "affinity_batch_running".
    std::variant<affinity_outcome, affinity_error> set(const affinity_change& change, const core::cpu_set& online);
    // The whole batch at once, on the caller's turn (startup, tests).
    batch_result set_all(const std::vector<affinity_change>& changes, const core::cpu_set& online);
    // The batch in slices of about `slice_budget` each, handed to `post` between slices; `done` gets
    // the result (at once when validation refuses the batch or nothing is posted). Without `post`
    // the slices run back to back before this returns.
    void start_batch(std::vector<affinity_change> changes, const core::cpu_set& online,
                     std::function<void(batch_result)> done);
    // Stops a running batch and rolls back what it wrote, on this turn (irqd is stopping); its
    // `done` gets the failure (503 "stopping").
    void abort_batch();

    // A crash journal: told the affinities a batch will change, as they are before its first write,
    // and told when the batch has ended (applied and observed, or rolled back). What it was told of
    // a batch that never ended is what a restart must put back (state_store keeps it on disk).
    std::function<void(const std::vector<affinity_change>& previous)> on_batch_start;
    std::function<void()> on_batch_end;

    // How the slices get their turns: irqd posts them to its io_context.
    std::function<void(std::function<void()>)> post;
    std::chrono::microseconds slice_budget{4000};  // at least one write per slice

    struct batch_progress {
        std::size_t total = 0, written = 0;         // changes of the batch, and those applied so far
        std::size_t read = 0;                       // affinities read for the journal before the writes
        std::size_t rolling_back = 0;               // > 0: a write failed; this many still to restore
        std::size_t slices = 0;
    };
    // The running batch, if any (GET /api/v1/health shows it).
    std::optional<batch_progress> progress() const;
    bool busy() const { return batch_ != nullptr; }

    // Called after every successful write (the sampler refreshes its cached IRQ info).
    std::function<void(unsigned irq)> on_written;
    // Told after every successful set() or set_all(), with all its outcomes (changed or not), whoever
    // asked (API, irqctl, balancer, restore): the state file records the affinities chosen.
    using applied_observer = std::function<void(const std::vector<affinity_outcome>&)>;
    void add_applied_observer(applied_observer f) { applied_observers_.push_back(std::move(f)); }

    // What the IRQ's device is now (its /proc/interrupts row). A permanent refusal is remembered and
    // answered at once, without a write, until this changes; unset, until irqd restarts.
    std::function<std::string(unsigned irq)> identity;
    struct remembered_refusal {
        affinity_error error;
        std::string identity;
    };
    const std::map<unsigned, remembered_refusal>& remembered_refusals() const { return refused_; }
    std::uint64_t writes() const { return writes_; }
    bool writable(unsigned irq) { return port_.writable(irq); }   // see affinity_port::writable
    std::uint64_t failures() const { return failures_; }
    // Kernel refusals of writes (rollbacks included), by errno: what /metrics shows.
    const std::map<int, std::uint64_t>& write_errors() const { return write_errors_; }

private:
    struct batch;
    std::optional<affinity_error> busy_error() const;
    std::optional<batch_failure> validate_batch(const std::vector<affinity_change>& changes, const core::cpu_set& online);
    void schedule();
    bool run_slice();                              // true when the batch ended (and `done` was called)
    bool step(batch& b);                           // one write or one restore; true when the batch ended
    void finish_batch();
    std::optional<affinity_error> validate(const affinity_change& change, const core::cpu_set& online);
    std::variant<affinity_outcome, affinity_error> apply(const affinity_change& change, const core::cpu_set& online);
    void notify(const std::vector<affinity_outcome>& outcomes);
    affinity_port& port_;
    bool read_only_;
    std::uint64_t writes_ = 0, failures_ = 0;
    std::map<int, std::uint64_t> write_errors_;
    std::map<unsigned, remembered_refusal> refused_;
    std::vector<applied_observer> applied_observers_;
    std::shared_ptr<batch> batch_;
};

}  // namespace irqd::service
