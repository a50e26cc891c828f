// Balancing as a service: the job that sums history and runs the balancer in small slices on the
// io_context so other requests stay fast, applies the plan through the writer, reverts, keeps the history.
#include "irqd/service/balance_service.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "irqd/core/balancer_json.hpp"
#include "irqd/core/sliced_window_sum.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/core/window_sum.hpp"
#include "irqd/service/api.hpp"
#include "irqd/service/log.hpp"
#include "irqd/service/request_error.hpp"

namespace irqd::service {
namespace json = boost::json;

namespace {

constexpr std::size_t history_moves_shown = 256;           // moves kept per history entry

}  // namespace

// One plan in progress: first the window's rates are summed a slice per turn (a 5 min window of
// 64 x 4096 counters is 78M additions), then the balancer runs a work budget per slice.
struct balance_service::job {
    balance_options opts;
    std::string trigger;
    on_done done;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::size_t slices = 0;
    double longest_slice_ms = 0;

    core::clock_time from, to;
    // The window, summed a slice per turn like an API window (api_window.cpp), then kept with its
    // CPUs ascending, as window_sum::seal gives it.
    std::optional<core::sliced_window_sum> summing;
    core::window_counts sum;

    std::optional<prepared_balance> prepared;
    plan_reading reading;                                  // the machine as prepare_balance saw it
    std::uint64_t plan_id = 0;
    std::optional<core::balancer> balancer;
    // Applying: the answer so far and the plan being written.
    json::object body;
    bool applying = false;
    std::chrono::steady_clock::time_point apply_started;
    balance_outcome outcome;
};

balance_service::balance_service(boost::asio::io_context& io, const settings& cfg, sampler& samples, affinity_writer& writer)
    : io_(io), cfg_(cfg), samples_(samples), writer_(writer), auto_timer_(io) {}

balance_service::~balance_service() = default;

void balance_service::plan(const balance_options& o, std::string trigger, on_done done) {
    if (job_) {
        done(409, error_json("busy", std::string("a plan is being ") + (job_->applying ? "applied (" : "computed (") +
                                         job_->trigger + "); try again in a moment"));
        return;
    }
    if (o.apply && cfg_.read_only) {
        done(403, error_json("read_only", "irqd runs with --read-only; plans cannot be applied"));
        return;
    }
    job_ = std::make_unique<job>();
    auto& j = *job_;
    j.opts = o;
    j.trigger = std::move(trigger);
    j.done = std::move(done);
    j.to = std::chrono::system_clock::now();
    j.from = j.to - o.window;
    j.summing.emplace(samples_.history(), j.from, j.to, &samples_.sliced_sums());
    boost::asio::post(io_, [this] { slice(); });
}

void balance_service::slice() {
    if (!job_ || stopped_) return;
    auto& j = *job_;
    auto t0 = std::chrono::steady_clock::now();
    if (j.summing) {
        if (j.summing->step(cfg_.limit.query_slice_cells)) {
            core::window_sum sealed;
            sealed.add(j.summing->take());
            j.sum = sealed.seal();
            j.summing.reset();
        }
    } else if (!j.prepared) {
        balance_facts facts{&j.sum, &samples_.latest(), &samples_.topology(),
                            [this](unsigned irq) { return samples_.irq_info(irq); },
                            [this](unsigned irq) { return writer_.writable(irq); }, &samples_.devices()};
        auto p = prepare_balance(facts, j.opts, cfg_.balance);
        if (!p) {
            auto done = std::move(j.done);
            job_.reset();
            const bool later = p.kind() == core::error_kind::unavailable;
            done(later ? 503 : 422, error_json(later ? "no_rates" : "no_cpus", p.error_message()));
            return;
        }
        j.prepared = std::move(*p);
        j.reading = read_machine();
        auto input = j.prepared->input;
        input.work_budget = 20'000'000;
        j.balancer.emplace(std::move(input));
    } else if (j.balancer->step(cfg_.balance.slice_work)) {
        finish();
        return;
    }
    ++j.slices;
    j.longest_slice_ms = std::max(j.longest_slice_ms,
                                  std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    boost::asio::post(io_, [this] { slice(); });
}

void balance_service::finish() {
    std::unique_ptr<job> j = std::move(job_);
    ++runs_;
    const auto& p = *j->prepared;
    auto outcome = finish_balance(p, j->balancer->plan(), j->opts);
    auto body = outcome_json(p, outcome);
    j->plan_id = next_id_++;
    body["id"] = j->plan_id;
    body["window"] = window_json(j->sum, j->from, j->to);
    body["options"] = json::object{{"numa", numa_name(j->opts.numa)},
                                   {"max_moves", j->opts.max_moves ? json::value(*j->opts.max_moves) : json::value(nullptr)},
                                   {"min_improvement", j->opts.min_improvement},
                                   {"tolerance", j->opts.tolerance},
                                   {"policy", policy_name(j->opts.policy)},
                                   {"distinct", j->opts.distinct},
                                   {"banned_cpus", (cfg_.balance.banned_cpus | j->opts.banned_cpus).to_list()}};
    body["planning"] = json::object{
        {"ms", std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - j->started).count()},
        {"slices", j->slices},
        {"longest_slice_ms", j->longest_slice_ms}};
    body["trigger"] = j->trigger;
    body["applied"] = false;
    body["dry_run"] = !j->opts.apply;
    const auto now = core::format_rfc3339(std::chrono::system_clock::now());
    json::object summary{{"id", j->plan_id},           {"time", now},
                         {"trigger", j->trigger},      {"move_count", outcome.moves.size()},
                         {"improvement", outcome.improvement}, {"window", body["window"]},
                         {"options", body["options"]}};
    plans_.push_back({j->plan_id, now, json::serialize(body), std::move(summary), outcome, j->opts,
                      std::move(j->reading), false});
    while (plans_.size() > std::max<std::size_t>(1, cfg_.balance.plans_limit)) plans_.pop_front();
    if (!j->opts.apply || outcome.moves.empty()) {
        if (j->opts.apply)
            log(log_level::debug, "balance_nothing_to_do",
                {{"trigger", j->trigger}, {"improvement", std::to_string(outcome.improvement)},
                 {"held_back", std::to_string(outcome.held_back)}});
        j->done(200, std::move(body));
        return;
    }
    j->body = std::move(body);
    j->outcome = std::move(outcome);
    write_plan(std::move(j));
}

// The plan is written in slices (requests keep being answered); the job stays, so this service is
// busy until the writer is done.
void balance_service::write_plan(std::unique_ptr<job> j) {
    std::vector<affinity_change> changes;
    changes.reserve(j->outcome.moves.size());
    for (const auto& m : j->outcome.moves) changes.push_back({m.irq, core::cpu_set::of({m.to})});
    j->applying = true;
    j->apply_started = std::chrono::steady_clock::now();
    job_ = std::move(j);
    writer_.start_batch(std::move(changes), samples_.online_cpus(), [this](affinity_writer::batch_result r) { applied(std::move(r)); });
}

void balance_service::applied(affinity_writer::batch_result r) {
    if (!job_) return;                                           // stopped meanwhile
    std::unique_ptr<job> j = std::move(job_);
    auto& body = j->body;
    const auto& outcome = j->outcome;
    if (auto* f = std::get_if<batch_failure>(&r)) {
        log(log_level::warn, "balance_apply_failed",
            {{"trigger", j->trigger}, {"irq", std::to_string(f->irq)}, {"code", f->error.code},
             {"rolled_back", std::to_string(f->rolled_back.size())},
             {"rollback_failed", std::to_string(f->rollback_failed.size())}});
        auto answer = batch_failure_json(*f);
        answer["plan"] = std::move(body);
        j->done(f->error.status, std::move(answer));
        return;
    }
    const auto& outs = std::get<std::vector<affinity_outcome>>(r);
    journal_entry entry{j->plan_id, {}};
    std::size_t changed = 0;
    for (const auto& o : outs) {
        changed += o.changed;
        if (o.changed && o.before) entry.previous.push_back({o.irq, *o.before});
    }
    const auto id = entry.plan_id;
    journal_.push_back(std::move(entry));
    while (journal_.size() > cfg_.balance.journal_limit) journal_.pop_front();

    json::array shown;
    for (std::size_t i = 0; i < outcome.moves.size() && i < history_moves_shown; ++i) shown.push_back(body["moves"].as_array()[i]);
    record(json::object{{"id", id},
                        {"kind", "plan"},
                        {"trigger", j->trigger},
                        {"moves", std::move(shown)},
                        {"move_count", outcome.moves.size()},
                        {"forced_moves", outcome.forced_moves},
                        {"changed", changed},
                        {"improvement", outcome.improvement},
                        {"before", json::value_from(outcome.before)},
                        {"after", json::value_from(outcome.after)},
                        {"window", body["window"]}});
    log(log_level::info, "balance_applied",
        {{"id", std::to_string(id)}, {"trigger", j->trigger}, {"moves", std::to_string(outcome.moves.size())},
         {"max_load_before", std::to_string(outcome.before.max_load)},
         {"max_load_after", std::to_string(outcome.after.max_load)},
         {"improvement", std::to_string(outcome.improvement)}});
    if (auto* kept = find_plan(id)) kept->applied = true;
    body["applied"] = true;
    body["dry_run"] = false;
    body["plan_id"] = id;
    body["changed"] = changed;
    body["applying_ms"] = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - j->apply_started).count();
    j->done(200, std::move(body));
}

void balance_service::record(json::object entry) {
    entry["time"] = core::format_rfc3339(std::chrono::system_clock::now());
    if (on_record) on_record(entry);
    history_.push_back(std::move(entry));
    while (history_.size() > cfg_.balance.history_limit) history_.pop_front();
}

void balance_service::revert(std::string trigger, on_done done) {
    auto error = [&](unsigned status, std::string_view code, std::string message) {
        done(status, error_json(code, message));
    };
    if (cfg_.read_only) return error(403, "read_only", "irqd runs with --read-only; affinities cannot be changed");
    if (journal_.empty()) return error(409, "nothing_to_revert", "no applied plan to revert (see GET /api/v1/balance/history)");
    if (job_ && job_->applying)
        return error(409, "busy", "a plan is being applied (" + job_->trigger + "); revert it when that has ended");
    const auto id = journal_.back().plan_id;
    writer_.start_batch(journal_.back().previous, samples_.online_cpus(), [this, id, trigger = std::move(trigger), done = std::move(done)](affinity_writer::batch_result r) {
        if (auto* f = std::get_if<batch_failure>(&r)) {
            log(log_level::warn, "balance_revert_failed", {{"plan", std::to_string(id)}, {"code", f->error.code}});
            return done(f->error.status, batch_failure_json(*f));
        }
        const auto& outs = std::get<std::vector<affinity_outcome>>(r);
        json::array restored;
        std::size_t changed = 0;
        for (const auto& o : outs) {
            changed += o.changed;
            restored.push_back(json::object{{"irq", std::to_string(o.irq)}, {"cpus", o.requested.to_list()}, {"changed", o.changed}});
        }
        std::erase_if(journal_, [id](const journal_entry& e) { return e.plan_id == id; });
        record(json::object{{"id", next_id_++}, {"kind", "revert"}, {"trigger", trigger}, {"reverts", id}, {"changed", changed}});
        log(log_level::info, "balance_reverted", {{"plan", std::to_string(id)}, {"changed", std::to_string(changed)}});
            done(200, json::object{{"reverted", id}, {"restored", std::move(restored)}, {"changed", changed},
                               {"journal", journal_.size()}});
    });
}

json::value balance_service::history_json() const {
    json::array list;
    for (auto it = history_.rbegin(); it != history_.rend(); ++it) list.push_back(*it);
    return json::object{{"plans", std::move(list)}, {"limit", cfg_.balance.history_limit}, {"revertible", journal_.size()},
                        {"busy", busy()}};
}

plan_reading balance_service::read_machine() const {
    plan_reading r;
    r.online = samples_.online_cpus();
    for (const auto& row : samples_.latest().rows)
        if (row.number) r.placement.emplace_back(*row.number, placement_of(samples_.irq_info(*row.number)));
    std::sort(r.placement.begin(), r.placement.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    return r;
}

balance_service::kept_plan* balance_service::find_plan(std::uint64_t id) {
    auto it = std::find_if(plans_.begin(), plans_.end(), [id](const kept_plan& k) { return k.id == id; });
    return it == plans_.end() ? nullptr : &*it;
}

const balance_service::kept_plan* balance_service::find_plan(std::uint64_t id) const {
    return const_cast<balance_service*>(this)->find_plan(id);
}

void balance_service::apply_plan(std::uint64_t id, std::string trigger, on_done done) {
    auto error = [&](unsigned status, std::string_view code, std::string message) {
        done(status, error_json(code, message));
    };
    if (cfg_.read_only) return error(403, "read_only", "irqd runs with --read-only; plans cannot be applied");
    kept_plan* kept = find_plan(id);
    if (!kept)
        return error(404, "unknown_plan", "no plan " + std::to_string(id) + " (irqd keeps the last " +
                                              std::to_string(cfg_.balance.plans_limit) +
                                              "; see GET /api/v1/balance/plans)");
    if (kept->applied) return error(409, "plan_applied", "plan " + std::to_string(id) + " has been applied already");
    if (job_)
        return error(409, "busy", std::string("a plan is being ") + (job_->applying ? "applied (" : "computed (") +
                                      job_->trigger + "); try again in a moment");
    // What the plan writes is read again now; the other IRQs are as the sampler last read them.
    for (const auto& m : kept->outcome.moves) samples_.refresh_irq(m.irq);
    auto drift = compare_readings(kept->reading, read_machine());
    if (!drift.empty()) {
        auto body = error_json("plan_stale", "plan " + std::to_string(id) + " no longer fits the machine: " +
                                                 drift_text(drift) + "; make a new plan");
        body["error"].as_object()["changed"] = drift_json(drift);
        return done(409, std::move(body));
    }
    auto body = json::parse(kept->body).as_object();
    body["dry_run"] = false;
    if (kept->outcome.moves.empty()) return done(200, std::move(body));
    auto j = std::make_unique<job>();
    j->opts = kept->opts;
    j->opts.apply = true;
    j->trigger = std::move(trigger);
    j->done = std::move(done);
    j->plan_id = id;
    j->body = std::move(body);
    j->outcome = kept->outcome;
    write_plan(std::move(j));
}

json::value balance_service::plans_json() const {
    json::array list;
    for (auto it = plans_.rbegin(); it != plans_.rend(); ++it) {
        auto entry = it->summary;
        entry["applied"] = it->applied;
        list.push_back(std::move(entry));
    }
    return json::object{{"plans", std::move(list)}, {"limit", cfg_.balance.plans_limit}};
}

std::optional<json::value> balance_service::plan_json(std::uint64_t id) const {
    const kept_plan* kept = find_plan(id);
    if (!kept) return std::nullopt;
    auto body = json::parse(kept->body).as_object();
    body["applied"] = kept->applied;
    body["time"] = kept->time;
    auto drift = compare_readings(kept->reading, read_machine());
    body["stale"] = !drift.empty();
    if (!drift.empty()) body["changed"] = drift_json(drift);
    return body;
}

void balance_service::start_auto() {
    if (cfg_.balance.interval.count() <= 0) return;
    if (cfg_.read_only) {
        log(log_level::warn, "balance_auto_off", {{"reason", "--read-only"}});
        return;
    }
    log(log_level::info, "balance_auto", {{"interval", core::format_duration(cfg_.balance.interval)}});
    schedule_auto();
}

void balance_service::schedule_auto() {
    auto_timer_.expires_after(cfg_.balance.interval);
    auto_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || stopped_) return;
        if (!busy()) {
            balance_options o = default_balance_options(cfg_.balance);
            o.apply = true;
            plan(o, "auto", [](unsigned status, const json::value& body) {
                if (status != 200)
                    log(log_level::warn, "balance_auto_failed",
                        {{"status", std::to_string(status)}, {"reason", json::serialize(body)}});
            });
        }
        schedule_auto();
    });
}

void balance_service::stop() {
    stopped_ = true;
    auto_timer_.cancel();
    job_.reset();
}

}  // namespace irqd::service
