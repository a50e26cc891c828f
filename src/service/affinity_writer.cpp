// Affinity writes with irqbalance's manners: read first, write only a change, explain refusals.
#include "irqd/service/affinity_writer.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <unordered_set>

#include "irqd/service/log.hpp"

namespace irqd::service {

bool procfs_affinity_port::irq_exists(unsigned irq) {
    std::error_code ec;
    return std::filesystem::is_directory(irq_dir(procfs_, irq), ec);
}

irq_kernel_info procfs_affinity_port::read(unsigned irq) { return read_irq_info(procfs_, irq); }

std::error_code procfs_affinity_port::write(unsigned irq, const core::cpu_set& cpus) {
    // A 0444 affinity file is the kernel saying "not movable". Root with CAP_DAC_OVERRIDE could open
    // it anyway (and get EIO from the kernel, or succeed on a fake root); answer as a root without
    // that capability would, so every setup gives the same answer.
    if (marked_not_movable(irq)) return {EACCES, std::generic_category()};
    return write_existing_file(affinity_list_path(procfs_, irq), cpus.to_list() + "\n");
}

bool procfs_affinity_port::writable(unsigned irq) { return ::access(affinity_list_path(procfs_, irq).c_str(), W_OK) == 0; }

bool procfs_affinity_port::marked_not_movable(unsigned irq) {
    struct stat st {};
    auto p = affinity_list_path(procfs_, irq);
    return ::stat(p.c_str(), &st) == 0 && (st.st_mode & S_IWUSR) == 0;
}

affinity_error explain_write_error(unsigned irq, std::error_code ec, bool marked_not_movable) {
    auto n = std::to_string(irq);
    affinity_error e;
    e.errno_code = ec;
    switch (ec.value()) {
        case EINVAL:
            e = {422, "invalid_affinity", "the kernel refused the CPU set for IRQ " + n + " (no online CPU in it)", ec};
            break;
        case EIO:
        case EPERM:
            e = {409, "irq_not_movable",
                 "the kernel does not let IRQ " + n + " move (managed or per-CPU interrupt)", ec};
            break;
        case ENOSPC:
            e = {503, "no_vectors", "no interrupt vectors left on the requested CPUs for IRQ " + n + "; try others", ec};
            break;
        case EBUSY:
            e = {503, "busy", "IRQ " + n + " is being reconfigured by the kernel; try again", ec};
            break;
        case ENOENT:
            e = {404, "irq_not_found", "IRQ " + n + " does not exist (any more)", ec};
            break;
        case EACCES:
            if (marked_not_movable) {
                e = {409, "irq_not_movable",
                     "the kernel does not let IRQ " + n + " move (its affinity file is read-only, mode 0444)", ec};
                break;
            }
            [[fallthrough]];
        case EROFS:
            e = {403, "permission_denied", "cannot write the affinity of IRQ " + n + ": " + ec.message() +
                                               " (irqd must run as root with /proc/irq writable)", ec};
            break;
        default:
            e = {500, "write_failed", "writing the affinity of IRQ " + n + " failed: " + ec.message(), ec};
    }
    return e;
}

bool is_permanent(const affinity_error& e) { return e.code == "irq_not_movable"; }

std::optional<affinity_error> affinity_writer::validate(const affinity_change& c, const core::cpu_set& online) {
    auto n = std::to_string(c.irq);
    if (read_only_) return affinity_error{403, "read_only", "irqd runs with --read-only; affinities cannot be changed", {}};
    if (c.cpus.empty()) return affinity_error{422, "empty_cpu_set", "the CPU set for IRQ " + n + " is empty", {}};
    // Every CPU must be online: the kernel would take "0-3" on a 2-CPU machine and quietly use 0-1,
    // so the placement asked for and the one made would differ.
    if (auto offline = c.cpus - online; !online.empty() && !offline.empty())
        return affinity_error{422, "cpus_offline",
                              "CPU" + std::string(offline.size() > 1 ? "s " : " ") + offline.to_list() + " of IRQ " + n +
                                  "'s CPU set " + c.cpus.to_list() + (offline.size() > 1 ? " are" : " is") +
                                  " not online (online: " + online.to_list() + ")",
                              {}};
    if (!port_.irq_exists(c.irq)) return affinity_error{404, "irq_not_found", "IRQ " + n + " does not exist", {}};
    if (auto it = refused_.find(c.irq); it != refused_.end()) {
        if (!identity || identity(c.irq) == it->second.identity) return it->second.error;
        log(log_level::info, "irq_refusal_forgotten", {{"irq", n}, {"reason", "its /proc/interrupts row changed"}});
        refused_.erase(it);
    }
    return std::nullopt;
}

void affinity_writer::notify(const std::vector<affinity_outcome>& outcomes) {
    for (auto& f : applied_observers_) f(outcomes);
}

std::variant<affinity_outcome, affinity_error> affinity_writer::set(const affinity_change& c,
                                                                    const core::cpu_set& online) {
    if (auto e = busy_error()) return *e;
    auto r = apply(c, online);
    if (auto* ok = std::get_if<affinity_outcome>(&r)) notify({*ok});
    return r;
}

std::variant<affinity_outcome, affinity_error> affinity_writer::apply(const affinity_change& c,
                                                                      const core::cpu_set& online) {
    if (auto e = validate(c, online)) {
        ++failures_;
        return *e;
    }
    affinity_outcome out;
    out.irq = c.irq;
    out.requested = c.cpus;
    out.before = port_.read(c.irq).affinity;
    if (!out.before || !(*out.before == c.cpus)) {
        if (auto ec = port_.write(c.irq, c.cpus)) {
            ++failures_;
            ++write_errors_[ec.value()];
            auto e = explain_write_error(c.irq, ec, ec.value() == EACCES && port_.marked_not_movable(c.irq));
            if (is_permanent(e)) {
                // Remembered so a balancer pass or a retrying client does not hit the kernel (and the
                // log) again and again: irqbalance's users complain about exactly that spam.
                e.message += "; irqd will not retry until its /proc/interrupts row changes or irqd restarts";
                refused_[c.irq] = {e, identity ? identity(c.irq) : std::string()};
                log(log_level::warn, "irq_not_movable",
                    {{"irq", std::to_string(c.irq)}, {"errno", ec.message()}, {"remembered", "true"}});
            } else if (log_enabled(log_level::debug)) {
                log(log_level::debug, "affinity_write_failed", {{"irq", std::to_string(c.irq)}, {"errno", ec.message()}});
            }
            return e;
        }
        ++writes_;
        out.changed = true;
    }
    auto after = port_.read(c.irq);
    out.affinity = after.affinity;
    out.effective = after.effective;
    if (out.changed && on_written) on_written(c.irq);
    return out;
}

struct affinity_writer::batch {
    std::vector<affinity_change> changes;
    core::cpu_set online;
    std::function<void(batch_result)> done;
    std::vector<affinity_change> previous;        // for on_batch_start: read before any write
    std::size_t read = 0;                         // changes whose previous affinity was read
    bool journaled = false;                       // the reading is over
    bool journal_written = false;                 // on_batch_start was told
    std::vector<affinity_outcome> applied;        // outcomes of changes[0 .. applied.size())
    std::optional<batch_failure> failure;         // set: rolling back
    std::size_t restore = 0;                      // applied[0 .. restore) still to restore
    std::size_t slices = 0;
};

std::optional<affinity_error> affinity_writer::busy_error() const {
    if (!batch_) return std::nullopt;
    return affinity_error{409, "affinity_batch_running",
                          "a batch of affinity changes is being applied (" + std::to_string(batch_->applied.size()) +
                              " of " + std::to_string(batch_->changes.size()) +
                              " written); try again when it has ended (GET /api/v1/health shows its progress)",
                          {}};
}

std::optional<affinity_writer::batch_progress> affinity_writer::progress() const {
    if (!batch_) return std::nullopt;
    return batch_progress{batch_->changes.size(), batch_->applied.size(), batch_->read,
                          batch_->failure ? batch_->restore : 0, batch_->slices};
}

std::optional<batch_failure> affinity_writer::validate_batch(const std::vector<affinity_change>& changes,
                                                             const core::cpu_set& online) {
    if (auto e = busy_error()) return batch_failure{*e, changes.empty() ? 0 : changes.front().irq, {}, {}};
    // Everything is validated before the first write, so a bad entry changes nothing.
    std::unordered_set<unsigned> seen;
    for (const auto& c : changes) {
        if (!seen.insert(c.irq).second)
            return batch_failure{{400, "duplicate_irq", "IRQ " + std::to_string(c.irq) + " appears twice", {}}, c.irq, {}, {}};
        if (auto e = validate(c, online)) {
            ++failures_;
            return batch_failure{*e, c.irq, {}, {}};
        }
    }
    return std::nullopt;
}

void affinity_writer::start_batch(std::vector<affinity_change> changes, const core::cpu_set& online,
                                  std::function<void(batch_result)> done) {
    if (auto f = validate_batch(changes, online)) return done(std::move(*f));
    batch_ = std::make_shared<batch>();
    batch_->changes = std::move(changes);
    batch_->online = online;
    batch_->done = std::move(done);
    if (!post) {
        while (!run_slice()) {}
        return;
    }
    schedule();
}

affinity_writer::batch_result affinity_writer::set_all(const std::vector<affinity_change>& changes,
                                                       const core::cpu_set& online) {
    std::optional<batch_result> result;
    auto keep = std::move(post);                   // no posting: this call returns the answer
    post = nullptr;
    start_batch(changes, online, [&](batch_result r) { result = std::move(r); });
    post = std::move(keep);
    return std::move(*result);
}

void affinity_writer::schedule() {
    post([this, b = batch_] {
        if (batch_ != b) return;                   // aborted meanwhile
        if (!run_slice()) schedule();
    });
}

bool affinity_writer::run_slice() {
    auto& b = *batch_;
    ++b.slices;
    const auto t0 = std::chrono::steady_clock::now();
    while (!step(b))
        if (std::chrono::steady_clock::now() - t0 >= slice_budget) return false;
    finish_batch();
    return true;
}

bool affinity_writer::step(batch& b) {
    if (!b.journaled) {
        // First the journal: every affinity as it is, so a crash mid-batch can be undone at restart.
        if (on_batch_start && b.read < b.changes.size()) {
            const auto& c = b.changes[b.read++];
            if (auto before = port_.read(c.irq).affinity) b.previous.push_back({c.irq, *before});
            return false;
        }
        if (on_batch_start) {
            on_batch_start(b.previous);
            b.journal_written = true;
        }
        b.journaled = true;
    }
    if (!b.failure) {
        if (b.applied.size() == b.changes.size()) return true;
        const auto& c = b.changes[b.applied.size()];
        auto r = apply(c, b.online);
        if (auto* ok = std::get_if<affinity_outcome>(&r)) {
            b.applied.push_back(std::move(*ok));
            return b.applied.size() == b.changes.size();
        }
        b.failure = batch_failure{std::get<affinity_error>(r), c.irq, {}, {}};
        b.restore = b.applied.size();
        return b.restore == 0;
    }
    // Restoring, newest first: one write per step (unchanged entries cost nothing and are skipped).
    while (b.restore > 0) {
        const auto& o = b.applied[--b.restore];
        if (!o.changed || !o.before) continue;
        if (auto ec = port_.write(o.irq, *o.before)) {
            ++write_errors_[ec.value()];
            b.failure->rollback_failed.push_back(o.irq);
        } else {
            b.failure->rolled_back.push_back(o.irq);
            if (on_written) on_written(o.irq);
        }
        break;
    }
    return b.restore == 0;
}

void affinity_writer::finish_batch() {
    auto b = std::move(batch_);                    // not busy any more: `done` may start the next batch
    if (!b->failure) notify(b->applied);           // saved before the journal is dropped
    if (b->journal_written && on_batch_end) on_batch_end();
    if (b->failure) {
        if (!b->failure->rollback_failed.empty())
            log(log_level::error, "affinity_rollback_failed",
                {{"irqs", std::to_string(b->failure->rollback_failed.size())}, {"code", b->failure->error.code}});
        return b->done(std::move(*b->failure));
    }
    b->done(std::move(b->applied));
}

void affinity_writer::abort_batch() {
    if (!batch_) return;
    auto& b = *batch_;
    b.journaled = true;                            // no more reading
    if (!b.failure) {
        b.failure = batch_failure{{503, "stopping", "irqd is stopping; the changes of this batch were rolled back", {}},
                                  b.applied.size() < b.changes.size() ? b.changes[b.applied.size()].irq : 0, {}, {}};
        b.restore = b.applied.size();
    }
    log(log_level::warn, "affinity_batch_aborted",
        {{"written", std::to_string(b.applied.size())}, {"total", std::to_string(b.changes.size())}});
    while (!step(b)) {}
    finish_batch();
}

}  // namespace irqd::service
