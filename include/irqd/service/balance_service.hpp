// Balancing as a service: plans from measured rates (dry run, or applied all or nothing) computed in
// slices on the io_context, the revert of the last applied plan, their history, and auto mode.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "irqd/core/balancer.hpp"
#include "irqd/core/cpu_set.hpp"
#include "irqd/core/history.hpp"
#include "irqd/core/interrupts.hpp"
#include "irqd/service/affinity_writer.hpp"
#include "irqd/service/balance_plan.hpp"
#include "irqd/service/kernel_files.hpp"
#include "irqd/service/sampler.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::service {

class balance_service {
public:
    using on_done = std::function<void(unsigned status, boost::json::value body)>;

    balance_service(boost::asio::io_context& io, const settings& cfg, sampler& samples, affinity_writer& writer);
    ~balance_service();

    // Plans in slices on the io_context, applies (also in slices) when asked, and calls `done` with the
    // answer. One plan at a time: while one is computed or applied, another gets 409 "busy" right away. `trigger` is recorded in the history.
    void plan(const balance_options& o, std::string trigger, on_done done);
    bool busy() const { return job_ != nullptr; }
    std::uint64_t runs() const { return runs_; }   // plans computed, by the API and by auto mode (/metrics)

    void start_auto();                            // when settings::balance::interval > 0
    void stop();

    // Restores the placement from before the last applied plan (written in slices; `done` answers).
    // `trigger`, like plan()'s, names who asked in the history and the event log.
    void revert(std::string trigger, on_done done);
    boost::json::value history_json() const;
    // Told each entry as it is added to the history (the event log: applied plans and reverts).
    std::function<void(const boost::json::object& entry)> on_record;

    // Every plan computed (dry run or applied) is kept, the last settings::balance::plans_limit of
    // them, with what it read of the machine. apply_plan writes exactly that plan's moves, or answers
    // 404 unknown_plan, 409 plan_stale (with what changed since), plan_applied or busy.
    void apply_plan(std::uint64_t id, std::string trigger, on_done done);
    boost::json::value plans_json() const;                                  // GET /api/v1/balance/plans
    std::optional<boost::json::value> plan_json(std::uint64_t id) const;   // GET /api/v1/balance/plans/{id}

private:
    struct job;
    void slice();
    void finish();
    void applied(affinity_writer::batch_result r);
    void schedule_auto();
    void record(boost::json::object entry);
    void write_plan(std::unique_ptr<job> j);
    plan_reading read_machine() const;
    struct kept_plan {
        std::uint64_t id = 0;
        std::string time;                      // RFC 3339, when it was computed
        std::string body;                      // the answer, serialized (a 4096-move plan is ~400 kB as a string)
        boost::json::object summary;           // its line in GET /api/v1/balance/plans, but for `applied`
        balance_outcome outcome;               // its moves, and the metrics the history records
        balance_options opts;
        plan_reading reading;                  // what it read of the machine
        bool applied = false;
    };
    kept_plan* find_plan(std::uint64_t id);
    const kept_plan* find_plan(std::uint64_t id) const;

    boost::asio::io_context& io_;
    const settings& cfg_;
    sampler& samples_;
    affinity_writer& writer_;
    std::unique_ptr<job> job_;
    boost::asio::steady_timer auto_timer_;
    bool stopped_ = false;
    std::uint64_t next_id_ = 1;
    std::uint64_t runs_ = 0;
    std::deque<boost::json::object> history_;                    // newest last
    struct journal_entry {
        std::uint64_t plan_id;
        std::vector<affinity_change> previous;
    };
    std::deque<journal_entry> journal_;                          // newest last
    std::deque<kept_plan> plans_;                                // newest last
};

}  // namespace irqd::service
