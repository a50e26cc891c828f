// The /proc sampler: a drift-free timer, a reused read buffer and parse target, and history.
#include "irqd/service/sampler.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include "irqd/service/log.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace irqd::service {

sampler::sampler(boost::asio::io_context& io, const settings& s)
    : settings_(s), timer_(io), history_(s.history), cpu_history_(s.history) {
    history_.set_budget(s.history_memory);
}

void sampler::start() {
    running_ = true;
    refresh_topology();
    sample_once(std::chrono::system_clock::now());
    next_tick_ = std::chrono::steady_clock::now() + settings_.interval;
    next_topology_ = std::chrono::steady_clock::now() + settings_.topology_interval;
    schedule();
}

void sampler::stop() {
    running_ = false;
    timer_.cancel();
}

void sampler::schedule() {
    timer_.expires_at(next_tick_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !running_) return;
        auto now = std::chrono::steady_clock::now();
        // Keep to the grid; when the loop was busy past whole ticks, skip them rather than bunch up.
        next_tick_ += settings_.interval;
        if (next_tick_ <= now) {
            auto behind = (now - next_tick_) / settings_.interval + 1;
            stats_.late += static_cast<std::uint64_t>(behind);
            next_tick_ += behind * settings_.interval;
        }
        // A sample of a big machine is tens of milliseconds on this one thread: its four steps are
        // posted one after the other, so requests that came meanwhile are answered between them.
        const auto sample_time = std::chrono::system_clock::now();
        if (!read_text(sample_time)) return after_sample(now);
        then([this, sample_time, now] {
            if (!parse_text()) return after_sample(now);
            then([this, sample_time, now] {
                add_sample(sample_time);
                then([this, now] { after_sample(now); });
            });
        });
    });
}

// The next step of a sample, after whatever else is queued; none once the sampler is stopped.
void sampler::then(std::function<void()> step) {
    boost::asio::post(timer_.get_executor(), [this, step = std::move(step)] {
        if (running_) step();
    });
}

// The last step of a tick: the per-IRQ files due, the topology when due, and the next tick.
void sampler::after_sample(std::chrono::steady_clock::time_point tick) {
    if (has_sample()) refresh_irq_files();
    if (tick >= next_topology_) {
        cpu_topology t = read_cpu_topology(settings_.sysfs);
        topology_ = std::move(t);
        devices_ = read_irq_devices(settings_.sysfs);
        next_topology_ = tick + settings_.topology_interval;
    }
    schedule();
}

bool sampler::sample_once(core::clock_time now) {
    if (!read_text(now) || !parse_text()) return false;
    add_sample(now);
    refresh_irq_files();
    return true;
}

// Reads /proc/interrupts into spare_text_, then parses it into parsing_; the current sample stays as
// it was. False when the text cannot be a sample (the reason is in the stats).
bool sampler::read_text(core::clock_time now) {
    auto t0 = std::chrono::steady_clock::now();
    if (before_sample) before_sample(now);
    if (auto ec = read_file(settings_.procfs / "interrupts", spare_text_)) {
        ++stats_.skipped;
        if (stats_.last_error.empty() || stats_.skipped % 60 == 1)
            log(log_level::warn, "sample_skipped", {{"reason", ec.message()}, {"skipped", std::to_string(stats_.skipped)}});
        stats_.last_error = "read " + (settings_.procfs / "interrupts").string() + ": " + ec.message();
        return false;
    }
    // The kernel ends every line with '\n': text without one was cut short (a read that raced a
    // hot-unplug, a broken fake root). Parsing it would make the cut rows look vanished and lose
    // their counts; skipping keeps the previous sample, so the next good one counts the whole gap.
    if (spare_text_.empty() || spare_text_.back() != '\n') {
        ++stats_.skipped;
        stats_.last_error = "truncated " + (settings_.procfs / "interrupts").string() + " (" +
                            std::to_string(spare_text_.size()) + " bytes, no final newline)";
        if (stats_.skipped % 60 == 1) log(log_level::warn, "sample_skipped", {{"reason", stats_.last_error}});
        return false;
    }
    parse_duration_ = std::chrono::steady_clock::now() - t0;
    return true;
}

bool sampler::parse_text() {
    auto t0 = std::chrono::steady_clock::now();
    // The last parse was not added (a skipped sample): parsing_ holds its rows, not the sample
    // before previous_, so the rows of the samples before say nothing of what this parse compares.
    if (!parse_added_) same_rows_run_ = 0;
    parse_added_ = false;
    core::parse_interrupts(spare_text_, parsing_);
    if (parsing_.cpus.empty()) {
        ++stats_.skipped;
        stats_.last_error = "no CPU header in " + (settings_.procfs / "interrupts").string();
        log(log_level::warn, "sample_skipped", {{"reason", stats_.last_error}});
        return false;
    }
    stats_.parse_issues += parsing_.issues.size();
    if (!parsing_.issues.empty() && log_enabled(log_level::debug))
        log(log_level::debug, "parse_issue",
            {{"line", std::to_string(parsing_.issues.front().line)}, {"reason", parsing_.issues.front().reason}});
    parse_duration_ += std::chrono::steady_clock::now() - t0;
    return true;
}

// Makes the parsed snapshot the sample: deltas, history, the CPU counters, then the observers.
void sampler::add_sample(core::clock_time now) {
    auto t0 = std::chrono::steady_clock::now();
    // A CPU that went offline or came back (the header's CPUs changed) can move IRQs without their
    // affinity lists changing: every IRQ's files are read again (refresh_new_irqs, nothing kept).
    const bool cpus_changed = stats_.samples > 0 && parsing_.cpus != latest_.cpus;
    if (cpus_changed) irq_descriptions_.clear();
    // When the parse went over the sample before previous_, no row changed from that one (the parser
    // says so) and none from it to previous_ and latest_, the rows are latest_'s: no row's strings
    // are compared again (at 256 x 4096, 5 % of a sample, in memory touched only for it).
    const bool same_rows = (parsing_.rows_as_before && same_rows_run_ >= 2) || rows_equal(parsing_, latest_);
    const bool irq_set_changed = stats_.samples == 0 || cpus_changed || (!same_rows && !same_irqs(parsing_, latest_));
    read_cpu_counters(parsing_);
    // Against latest_, the previous sample: the tracker keeps no copy. In the usual sample the history
    // takes the deltas into its finest open bucket alone, and they are summed there as they are made,
    // with no frame written (one pass over the counts instead of three); last_frame() makes the frame
    // if someone asks. Otherwise (a changed layout, a bucket that closes) the frame is made and added.
    std::uint64_t* bucket = history_.summing_bucket(latest_time_, now, tracker_.shape());
    const bool summed = tracker_.sum_next(latest_, parsing_, bucket);
    if (summed || tracker_.next(latest_, parsing_, last_frame_)) {
        auto dropped = history_.frames_dropped_for_budget();
        if (summed) history_.add_summed(latest_time_, now, tracker_.shape());
        else history_.add(latest_time_, now, last_frame_);
        frame_pending_ = summed;
        frame_made_ = true;
        if (dropped == 0 && history_.frames_dropped_for_budget() > 0)
            log(log_level::warn, "history_over_budget",
                {{"cells", std::to_string(tracker_.shape()->row_ids.size() * tracker_.shape()->cpus.size())},
                 {"tiers", core::format_tiers(history_.tiers())},
                 {"budget", std::to_string(history_.budget() >> 20) + "MiB"},
                 {"note", "the table grew after start; the oldest frames go to stay within --history-memory"}});
        // Both trackers saw their first snapshot in the same sample, so they give frames together.
        if (cpu_tracker_.next(cpu_latest_, cpu_frame_)) cpu_history_.add(latest_time_, now, cpu_frame_);
        last_frame_seconds_ = std::chrono::duration<double>(now - latest_time_).count();
        has_frame_ = true;
    }
    if (stats_.samples == 0) {
        fit_history(parsing_);
        cpu_history_ = core::history(history_.tiers());   // the same tiers, whatever fit_history chose
        cpu_tracker_.next(cpu_latest_, cpu_frame_);
    }
    // The sample before latest_ stays as it is until the next one is added (last_frame() may need it);
    // the next parse goes into the one before that.
    std::swap(previous_, latest_);
    std::swap(latest_, parsing_);
    std::swap(text_, spare_text_);
    same_rows_run_ = same_rows && stats_.samples > 0 ? same_rows_run_ + 1 : 0;
    parse_added_ = true;
    release_slack();
    latest_time_ = now;
    ++stats_.samples;
    stats_.last_error.clear();
    if (irq_set_changed) refresh_new_irqs();
    for (auto& f : observers_) f();
    stats_.last_duration = parse_duration_ + (std::chrono::steady_clock::now() - t0);
    stats_.total_duration += stats_.last_duration;
}

// The affinity lists due this sample (see refresh_some_irqs), timed with the sample.
void sampler::refresh_irq_files() {
    auto t0 = std::chrono::steady_clock::now();
    refresh_some_irqs();
    const auto spent = std::chrono::steady_clock::now() - t0;
    stats_.last_duration += spent;
    stats_.total_duration += spent;
}

// The default tiers keep 1 s frames for an hour: 14 GiB on 256 CPUs x 4096 IRQs. Unless the user
// chose tiers, take the finest of a ladder of coarser ones that fits the memory budget.
void sampler::fit_history(const core::snapshot& first) {
    const std::size_t cells = first.rows.size() * first.cpus.size();
    auto estimate = [&](const std::vector<core::tier_config>& t) {
        return core::history_memory_estimate(t, cells, settings_.interval);
    };
    const auto& tiers = settings_.history;
    if (estimate(tiers) <= settings_.history_memory) return;
    auto mib = [](std::size_t b) { return std::to_string(b >> 20) + "MiB"; };
    if (settings_.history_given) {
        log(log_level::warn, "history_large",
            {{"tiers", core::format_tiers(tiers)}, {"cells", std::to_string(cells)}, {"full_bytes", mib(estimate(tiers))}});
        return;
    }
    const auto finest_ok = std::chrono::ceil<std::chrono::seconds>(settings_.interval);
    std::vector<core::tier_config> chosen;
    for (const char* text : {"1s:10m,1m:1d,1h:30d", "1s:2m,1m:6h,1h:7d", "10s:10m,5m:1d,1h:7d", "10s:2m,5m:1h,1h:1d",
                             "1m:10m,1h:1d"}) {
        auto t = core::parse_tiers(text);
        if (!t || t->front().resolution < finest_ok) continue;
        chosen = *t;
        if (estimate(chosen) <= settings_.history_memory) break;
    }
    if (chosen.empty()) return;
    log(log_level::info, "history_fitted",
        {{"tiers", core::format_tiers(chosen)}, {"instead_of", core::format_tiers(tiers)},
         {"cells", std::to_string(cells)}, {"full_bytes", mib(estimate(chosen))},
         {"budget", mib(settings_.history_memory)}});
    history_ = core::history(std::move(chosen));
    history_.set_budget(settings_.history_memory);
}

// A burst (a /proc/interrupts of 100 MB for a few samples) grows the read buffers, the parsed
// snapshots and the delta to its size; once the table is small again they are given back, and so is
// the heap's free memory at its top (malloc_trim), so RSS returns to what the small table needs.
void sampler::release_slack() {
    bool released = false;
    // `keep`: the elements needed now, or by the next sample of a table this size (spare buffers).
    auto shrink = [&](auto& v, std::size_t keep) {
        using element = typename std::remove_reference_t<decltype(v)>::value_type;
        if (v.capacity() * sizeof(element) > (std::size_t{1} << 20) && v.capacity() > 4 * keep) {
            v.resize(std::min(v.size(), keep));
            v.shrink_to_fit();
            released = true;
        }
    };
    shrink(text_, text_.size());
    shrink(spare_text_, text_.size());
    for (auto* s : {&latest_, &previous_, &parsing_}) {
        shrink(s->rows, latest_.rows.size());
        shrink(s->counts, latest_.counts.size());
    }
    shrink(last_frame_.counts, last_frame_.counts.size());
    if (released) {
#ifdef __GLIBC__
        ::malloc_trim(0);
#endif
        log(log_level::info, "buffers_released", {{"irqs", std::to_string(latest_.rows.size())}});
    }
}

// Reads one file under <procfs> into cpu_text_; a failure leaves its fields out and is noted once.
bool sampler::read_source(const char* name, bool& present) {
    const auto path = settings_.procfs / name;
    const auto ec = read_file(path, cpu_text_, small_file_limit * 64);
    present = !ec;
    if (present) return true;
    const auto prefix = path.string() + ":";
    auto& missing = cpu_sources_.missing;
    if (std::none_of(missing.begin(), missing.end(), [&](const std::string& m) { return m.starts_with(prefix); })) {
        log(log_level::info, "source_missing", {{"path", path.string()}, {"reason", ec.message()}});
        missing.push_back(prefix + " " + ec.message());
    }
    return false;
}

void sampler::read_cpu_counters(const core::snapshot& interrupts) {
    const bool has_stat = read_source("stat", cpu_sources_.stat);
    if (has_stat) stat_ = core::parse_proc_stat(cpu_text_);
    const bool has_softirqs = read_source("softirqs", cpu_sources_.softirqs);
    if (has_softirqs) softirqs_ = core::parse_softirqs(cpu_text_);
    const bool has_softnet = read_source("net/softnet_stat", cpu_sources_.softnet);
    if (has_softnet) {
        // Lines without a CPU id are the online CPUs in order: /proc/stat's, else the interrupts header.
        std::vector<unsigned> online;
        if (has_stat)
            for (const auto& t : stat_.cpus) online.push_back(*t.cpu);
        else
            online = interrupts.cpus;
        softnet_ = core::parse_softnet_stat(cpu_text_, online);
    }
    core::cpu_counters_snapshot(has_stat ? &stat_ : nullptr, has_softirqs ? &softirqs_ : nullptr,
                                has_softnet ? &softnet_ : nullptr, cpu_latest_);
}

const core::delta_frame* sampler::last_frame() const {
    if (!has_frame_) return nullptr;
    if (frame_pending_) {
        frame_pending_ = false;
        frame_made_ = tracker_.last_deltas(previous_, latest_, last_frame_);
    }
    return frame_made_ ? &last_frame_ : nullptr;
}

const irq_kernel_info* sampler::irq_info(unsigned irq) const {
    auto it = irqs_.find(irq);
    return it == irqs_.end() ? nullptr : &it->second;
}

void sampler::refresh_irq(unsigned irq) { irqs_[irq] = irq_files_.read_info(irq); }

void sampler::refresh_topology() {
    topology_ = read_cpu_topology(settings_.sysfs);
    devices_ = read_irq_devices(settings_.sysfs);
    irqs_.clear();
    irq_descriptions_.clear();
    refresh_new_irqs();
}

// The same rows, in order: the same ids and text after the counts (what the parser compares).
bool sampler::rows_equal(const core::snapshot& a, const core::snapshot& b) {
    if (a.rows.size() != b.rows.size()) return false;
    for (std::size_t i = 0; i < a.rows.size(); ++i)
        if (a.rows[i].number != b.rows[i].number || a.rows[i].id != b.rows[i].id || a.rows[i].description != b.rows[i].description)
            return false;
    return true;
}

// The same IRQs with the same devices, row for row: the per-IRQ files read so far still apply.
bool sampler::same_irqs(const core::snapshot& a, const core::snapshot& b) {
    if (a.rows.size() != b.rows.size()) return false;
    for (std::size_t i = 0; i < a.rows.size(); ++i)
        if (a.rows[i].number && (a.rows[i].number != b.rows[i].number || a.rows[i].description != b.rows[i].description))
            return false;
    return true;
}

// The IRQ set changed (a device came or went, an IRQ number was reused): read the files of every IRQ
// not read yet or whose row changed, and forget the IRQs that are gone.
void sampler::refresh_new_irqs() {
    std::unordered_map<unsigned, irq_kernel_info> kept;
    kept.reserve(latest_.rows.size());
    for (const auto& r : latest_.rows) {
        if (!r.number) continue;
        auto it = irqs_.find(*r.number);
        auto was = irq_descriptions_.find(*r.number);
        if (it != irqs_.end() && was != irq_descriptions_.end() && was->second == r.description)
            kept.emplace(*r.number, std::move(it->second));
        else
            kept.emplace(*r.number, irq_files_.read_info(*r.number));
    }
    irqs_ = std::move(kept);
    irq_descriptions_.clear();
    for (const auto& r : latest_.rows)
        if (r.number) irq_descriptions_[*r.number] = r.description;
}

// The affinity lists of every IRQ are read again once per --irq-files-interval, a share of them each
// sample, so an outside change (irqbalance, a write to smp_affinity_list) shows within that time
// and no sample reads them all. irqd's own writes re-read at once (refresh_irq).
void sampler::refresh_some_irqs() {
    const auto& rows = latest_.rows;
    if (rows.empty()) return;
    const double share = std::chrono::duration<double>(settings_.interval) /
                         std::chrono::duration<double>(settings_.irq_files_interval);
    irq_refresh_credit_ += std::min(1.0, share) * static_cast<double>(rows.size());
    while (irq_refresh_credit_ >= 1.0) {
        irq_refresh_credit_ -= 1.0;
        refresh_cursor_ = (refresh_cursor_ + 1) % rows.size();
        if (!rows[refresh_cursor_].number) continue;
        auto it = irqs_.find(*rows[refresh_cursor_].number);
        if (it != irqs_.end()) irq_files_.read_affinity(it->first, it->second);
    }
}

}  // namespace irqd::service
