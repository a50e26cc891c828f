// The saved affinities (--state-file): the CPU set chosen for each IRQ through irqd (API, irqctl,
// balancer), rewritten atomically whenever one changes, and re-applied at start (--restore) only to
// IRQs whose number AND name still match, so a renumbered device is never pinned by mistake.
#pragma once

#include <array>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>

#include "irqd/core/cpu_set.hpp"
#include "irqd/core/interrupts.hpp"
#include "irqd/core/result.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/service/affinity_writer.hpp"

namespace irqd::service {

struct saved_affinity {
    unsigned irq = 0;
    std::string name;                 // the action names of its /proc/interrupts row ("eth0-TxRx-0")
    core::cpu_set cpus;
    core::clock_time time{};          // when this CPU set was chosen
    core::clock_time seen{};          // when irqd last found this IRQ (number and name) at start; 0: never
};

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& v, const saved_affinity& a);
boost::json::result<saved_affinity> tag_invoke(const boost::json::try_value_to_tag<saved_affinity>&,
                                               const boost::json::value& v);

// The file's text: {"version":1,"irqs":[{"irq":140,"name":"eth0-TxRx-0","cpus":"1","time":"..."},...]}.
std::string render_state(const std::vector<saved_affinity>& entries);
// Parses that text; an error names what is wrong (the caller sets the file aside).
core::result<std::vector<saved_affinity>> parse_state(std::string_view text);

struct restore_report {
    struct skip {
        unsigned irq = 0;
        std::string name;
        std::string reason;
    };
    // A state file of 200,000 stale entries must not make every /health (and the log) that long:
    // the first few skips are kept and logged, the rest only counted.
    static constexpr std::size_t listed_skips = 10;
    bool ran = false;
    std::size_t applied = 0;
    std::size_t skipped_count = 0;    // all of them; `skipped` holds the first listed_skips
    std::vector<skip> skipped;
    void add_skip(const char* event, skip s);
};

// Re-applies `entries` through `writer`, matching each by number and name against `now`. Every
// entry that cannot be applied is counted, and the first few logged and listed; nothing is fatal.
// {"ran", "applied", "skipped_count", "skipped": [{"irq", "name", "reason"}]}: what GET
// /api/v1/health shows.
boost::json::object restore_json(const restore_report& report);
restore_report restore_affinities(const std::vector<saved_affinity>& entries, affinity_writer& writer,
                                  const core::snapshot& now, const core::cpu_set& online);

// Puts back what a batch left half written when irqd was killed (state_store::interrupted()): each
// entry matched by number and name like a restore, written straight to `port`, since these are the
// kernel's affinities from before the batch, not choices to save.
restore_report undo_interrupted_batch(const std::vector<saved_affinity>& entries, affinity_port& port,
                                      const core::snapshot& now);

class state_store {
public:
    // Why PATH (or its journal, PATH.batch) cannot be irqd's state file: anything but a regular file
    // or nothing there (a symbolic link, a FIFO, a device, a directory). irqd refuses to start then
    // rather than read, rename or replace it.
    static std::optional<std::string> refuse(const std::filesystem::path& path);

    // Loads PATH (missing is fine: nothing saved yet). A file that cannot be read or parsed is logged
    // and renamed PATH.bad (PATH.bad.1, .2, ... when that is taken: every one is kept), so nothing
    // saved is lost and the daemon starts with an empty state; when even that rename fails, or PATH
    // is not a regular file, the store stays read-only rather than overwrite it. A journal that
    // cannot be read is set aside the same way (PATH.batch.bad) and makes health "degraded".
    // Leftover temporary files of an interrupted write (PATH.tmp-*) are removed: they were never the state.
    explicit state_store(std::filesystem::path path);

    const std::filesystem::path& path() const { return path_; }
    const std::vector<saved_affinity>& entries() const { return entries_; }

    // Records the CPU sets of `outcomes` (names from `name_of`); rewrites the file when an entry
    // changed. A failed write is logged and leaves the previous file as it was; the next change
    // tries again with everything.
    void record(const std::vector<affinity_outcome>& outcomes, const std::function<std::string(unsigned)>& name_of,
                core::clock_time now);

    // The crash journal of a batch, PATH.batch (the same format): the affinities a batch will change,
    // written before its first write and removed once it has ended (affinity_writer::on_batch_start
    // and on_batch_end). Found at start, it is what a killed irqd left half written: interrupted().
    void begin_batch(const std::vector<affinity_change>& previous, const std::function<std::string(unsigned)>& name_of,
                     core::clock_time now);
    void end_batch();
    const std::vector<saved_affinity>& interrupted() const { return interrupted_; }
    std::filesystem::path batch_path() const;

    // Forgets the entries whose IRQ (number and name) is not in `now` and that were neither chosen
    // nor seen within `absent_for` (0: never forget); marks the others seen at `t`, and so an entry
    // never seen before (a file from before seen times): its absence is counted from this start. Rewrites the file
    // when an entry went (the seen times are saved with it, or with the next change). Returns how many went.
    std::size_t prune(const core::snapshot& now, core::clock_time t, std::chrono::seconds absent_for);

    // A problem health must not call "ok": the batch journal found at start could not be read.
    bool degraded() const { return !journal_problem_.empty(); }

    // {"path", "entries", "writes", "write_failures", "saving", "pruned", "last_error", "load_error",
    //  "set_aside", "journal_error", "journal_set_aside"}
    boost::json::object health_json() const;
    // What of health_json() can change after the load: the counters and the entry count (last_error
    // moves with write_failures and writes).
    std::array<std::uint64_t, 5> health_key_values() const {
        return {entries_.size(), writes_, write_failures_, pruned_, writable_};
    }

private:
    void save();

    std::filesystem::path path_;
    std::vector<saved_affinity> entries_;
    std::vector<saved_affinity> interrupted_;
    bool writable_ = true;
    std::uint64_t writes_ = 0, write_failures_ = 0;
    std::string last_error_;           // of the last write; cleared by a good one
    std::string load_problem_;         // why the file found at start was not used
    std::string set_aside_;            // where that file was moved
    std::string journal_problem_;      // why the journal found at start was not used
    std::string journal_set_aside_;    // where it was moved
    std::size_t pruned_ = 0;
};

// GET /api/v1/health's "state" (null without a state file), "restore" and "interrupted_batch" (null
// when no batch was cut short).
void add_state_health(boost::json::object& health, const state_store* state, const restore_report& restored,
                      const restore_report& undone);
// Appends every value add_state_health shows of the store that can change while irqd runs (its
// counters and entry count; the problems found at load are fixed from the start).
void add_state_health_key(std::vector<std::uint64_t>& key, const state_store* state);

}  // namespace irqd::service
