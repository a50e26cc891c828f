// The /proc sampler: a drift-free timer, a reused read buffer and parse target, and history.
#include "irqd/service/sampler.hpp"

#include "irqd/service/log.hpp"

namespace irqd::service {

sampler::sampler(boost::asio::io_context& io, const settings& s)
    : io_(io), settings_(s), timer_(io), history_(s.history) {}

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
        sample_once(std::chrono::system_clock::now());
        if (now >= next_topology_) {
            cpu_topology t = read_cpu_topology(settings_.sysfs);
            topology_ = std::move(t);
            next_topology_ = now + settings_.topology_interval;
        }
        // Per-IRQ files are refreshed a slice at a time so a machine with thousands of IRQs never
        // spends one tick re-reading them all.
        refresh_some_irqs(256);
        schedule();
    });
}

bool sampler::sample_once(core::clock_time now) {
    auto t0 = std::chrono::steady_clock::now();
    if (before_sample) before_sample(now);
    if (auto ec = read_file(settings_.procfs / "interrupts", spare_text_)) {
        ++stats_.skipped;
        if (stats_.last_error.empty() || stats_.skipped % 60 == 1)
            log(log_level::warn, "sample_skipped", {{"reason", ec.message()}, {"skipped", std::to_string(stats_.skipped)}});
        stats_.last_error = "read " + (settings_.procfs / "interrupts").string() + ": " + ec.message();
        return false;
    }
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
    if (auto frame = tracker_.next(parsing_)) {
        history_.add(latest_time_, now, *frame);
        last_frame_seconds_ = std::chrono::duration<double>(now - latest_time_).count();
        last_frame_ = std::move(*frame);
        has_frame_ = true;
    }
    std::swap(latest_, parsing_);
    std::swap(text_, spare_text_);
    bool first = stats_.samples == 0;
    latest_time_ = now;
    ++stats_.samples;
    stats_.last_error.clear();
    stats_.last_duration = std::chrono::steady_clock::now() - t0;
    stats_.total_duration += stats_.last_duration;
    if (first) refresh_some_irqs(latest_.rows.size());
    for (auto& f : observers_) f();
    return true;
}

const irq_kernel_info* sampler::irq_info(unsigned irq) const {
    auto it = irqs_.find(irq);
    return it == irqs_.end() ? nullptr : &it->second;
}

void sampler::refresh_irq(unsigned irq) { irqs_[irq] = read_irq_info(settings_.procfs, irq); }

void sampler::refresh_topology() {
    topology_ = read_cpu_topology(settings_.sysfs);
    irqs_.clear();
    for (const auto& r : latest_.rows)
        if (r.number) refresh_irq(*r.number);
}

void sampler::refresh_some_irqs(std::size_t budget) {
    const auto& rows = latest_.rows;
    if (rows.empty()) return;
    budget = std::min(budget, rows.size());
    for (std::size_t i = 0; i < budget; ++i) {
        refresh_cursor_ = (refresh_cursor_ + 1) % rows.size();
        if (rows[refresh_cursor_].number) refresh_irq(*rows[refresh_cursor_].number);
    }
}

}  // namespace irqd::service
