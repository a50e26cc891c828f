// Balancing as a service: POST /api/v1/balance plans from measured rates (dry run, or applied all or
// nothing), /balance/revert undoes the last applied plan, /balance/history lists them; plus auto mode.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "irqd/core/balancer.hpp"
#include "irqd/core/cpu_set.hpp"
#include "irqd/core/history.hpp"
#include "irqd/core/interrupts.hpp"
#include "irqd/service/affinity_writer.hpp"
#include "irqd/service/api.hpp"
#include "irqd/service/kernel_files.hpp"
#include "irqd/service/sampler.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::service {

// How a plan treats the device's NUMA node (/proc/irq/N/node; -1 = none): prefer keeps an IRQ on its
// node's CPUs when the node has any CPU to balance over, require always (an IRQ whose node has none
// stays where it is), ignore spreads over every CPU.
enum class numa_mode { prefer, require, ignore };

// What one plan request asks for; the defaults come from settings::balance.
struct balance_options {
    std::chrono::milliseconds window{std::chrono::minutes(5)};
    std::optional<core::cpu_set> cpus;            // explicit CPUs; else online - isolated - nohz_full - banned
    core::cpu_set banned_cpus;                    // on top of the configured ones
    std::vector<std::string> banned_irqs;         // numbers or name globs, on top of the configured ones
    numa_mode numa = numa_mode::prefer;
    std::optional<std::size_t> max_moves;
    double min_improvement = 0.05;                // relative drop of the busiest CPU's load
    bool apply = false;
};

struct request_error {
    unsigned status = 400;
    std::string code;
    std::string message;
};

// The JSON body of POST /api/v1/balance (null or {} = the defaults) and its ?apply=true.
std::variant<balance_options, request_error> parse_balance_options(const boost::json::value& body, bool apply_query,
                                                                   const balance_settings& defaults);

// What a plan is made from, gathered from the sampler (tests fill it by hand).
struct balance_facts {
    const core::window_counts* rates = nullptr;   // counts per IRQ x CPU over the window
    const core::snapshot* latest = nullptr;       // names of the rows
    const cpu_topology* topology = nullptr;
    std::function<const irq_kernel_info*(unsigned irq)> irq_info;
    std::function<bool(unsigned irq)> writable;   // may irqd write the IRQ's affinity at all
};

struct planned_irq {
    unsigned irq = 0;
    std::string name;
    std::uint64_t load = 0;                       // interrupts in the window
    std::optional<core::cpu_set> from;            // effective affinity now (unknown: null)
    std::uint64_t outside = 0;                    // of `load`, what lands on CPUs outside the plan now
    bool must_move = false;                       // outside > 0: it moves whatever the gain
};

// The balancer's input plus what is needed to explain and apply its plan.
struct prepared_balance {
    core::balance_input input;
    std::vector<planned_irq> irqs;                // parallel to input.items
    std::vector<std::uint64_t> before;            // per input CPU: the load of the current placement
                                                  // (the rest of the irqs' load is their `outside`)
    std::vector<std::uint64_t> unmoved;           // per input CPU: `before` less the irqs that must move
    std::size_t fixed_irqs = 0;                   // rows counted as fixed load (named, banned, not writable, ...)
    std::vector<std::string> notes;               // what the caller should know (short history, ...)
};

// Pure: builds the balancer's input from the facts. Errors: no CPU to balance over, no rates.
core::result<prepared_balance> prepare_balance(const balance_facts& facts, const balance_options& o,
                                               const balance_settings& s);

struct balance_move {
    unsigned irq = 0;
    std::string name;
    std::uint64_t load = 0;
    std::optional<core::cpu_set> from;
    unsigned to = 0;
};

// The plan as the API shows and the writer applies it, hysteresis applied. `before` and `after` are
// over the same IRQs and load (equal totals): load on CPUs outside the plan is their `outside`.
// IRQs with load on CPUs outside the plan (banned, isolated, ...) must move; min_improvement
// judges the other moves against the placement that makes the forced moves alone (`forced`), so an
// evacuation is never held back, even when it makes the busiest CPU busier.
struct balance_outcome {
    std::vector<balance_move> moves;              // only the forced ones (or none) when below min_improvement
    core::balance_metric before, after;           // after: what the moves made give
    std::optional<core::balance_metric> forced;   // the forced moves alone, when there are any
    std::size_t forced_moves = 0;                 // of `moves`, those off CPUs outside the plan
    double improvement = 0;                       // the plan's (base.max_load - plan's max_load) / base.max_load,
                                                  // base = *forced or before; what min_improvement is compared with
    bool below_threshold = false;                 // the plan had other moves but not enough improvement
    std::size_t held_back = 0;                    // moves not made because of that
    bool proven_optimal = false;
    std::uint64_t work = 0;
};
balance_outcome finish_balance(const prepared_balance& p, const core::balance_plan& plan, const balance_options& o);
boost::json::object outcome_json(const prepared_balance& p, const balance_outcome& b);

class balance_service {
public:
    using on_done = std::function<void(unsigned status, boost::json::value body)>;

    balance_service(boost::asio::io_context& io, const settings& cfg, sampler& samples, affinity_writer& writer);
    ~balance_service();

    // The routes, for api_context::routes, and their lines for the GET /api/v1 index.
    extra_route route();
    static std::vector<std::string> endpoints();

    // Plans in slices on the io_context, applies (also in slices) when asked, and calls `done` with the
    // answer. One plan at a time: while one is computed or applied, another gets 409 "busy" right away. `trigger` is recorded in the history.
    void plan(const balance_options& o, std::string trigger, on_done done);
    bool busy() const { return job_ != nullptr; }
    std::uint64_t runs() const { return runs_; }   // plans computed, by the API and by auto mode (/metrics)

    void start_auto();                            // when settings::balance::interval > 0
    void stop();

    // Restores the placement from before the last applied plan (written in slices; `done` answers).
    void revert(on_done done);
    boost::json::value history_json() const;

private:
    struct job;
    void slice();
    void finish();
    void applied(affinity_writer::batch_result r);
    void schedule_auto();
    core::cpu_set online() const;
    void record(boost::json::object entry);

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
};

// irqd --oneshot: samples a few intervals, plans over what history holds, applies (unless
// --read-only), prints the answer as JSON on `out` and returns the exit code (0 applied or nothing
// to do, 1 refused or failed). Runs `io` until then.
int run_oneshot(boost::asio::io_context& io, const settings& cfg, sampler& samples, balance_service& balancing,
                std::ostream& out);

}  // namespace irqd::service
