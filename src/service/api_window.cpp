// The window a query asks for, summed from history: at once when it is small, else by a job that sums a
// slice of rows per turn of the io_context (like affinity batches and balance plans), so no request
// waits behind a whole-table window of a big machine.
#include <algorithm>

#include <boost/asio/post.hpp>

#include "api_call.hpp"
#include "irqd/core/sliced_window_sum.hpp"
#include "irqd/service/log.hpp"

namespace irqd::service {

namespace {

// The window `t` asks for as of now. A window ending now ends at the newest sample: the moments since
// were not sampled yet, and a window that counted them would cover less than asked (`window=2s`
// answered with 1 s).
core::result<query_window> resolve(const target& t, std::chrono::milliseconds def, const core::history& h) {
    auto w = window_from_query(t, std::chrono::system_clock::now(), def);
    if (!w) return core::error{w.error_message()};
    query_window a{w->first, w->second, def};
    if (!t.param("from") && !t.param("to") && !h.empty() && a.to > h.newest()) {
        a.from -= a.to - h.newest();
        a.to = h.newest();
    }
    return a;
}

// A sample that lands between two slices leaves the closed frames alone but may drop the oldest ones
// (and changes open buckets): the sum goes on while the frames it still needs are kept, so the answer
// is the one an unsliced query gave when the job began. When one was dropped it starts again on the new
// history, and after two restarts it is made in one piece (core::sliced_window_sum); here a window
// ending now moves to the newest sample when it starts again.
class window_job : public std::enable_shared_from_this<window_job> {
public:
    window_job(api_call&& c, query_window w, core::sliced_window_sum sum, api_call::window_then then)
        : c_(std::move(c)), asked_(w), sum_(std::move(sum)), then_(std::move(then)) {
        sum_.on_restart = [this](core::clock_time& from, core::clock_time& to) {
            log(log_level::debug, "window_restarted", {{"target", std::string(c_.req.target())}});
            if (auto again = resolve(c_.t, asked_.def, c_.ctx.samples.history())) asked_ = *again;
            from = asked_.from;
            to = asked_.to;
        };
    }

    void post() { boost::asio::post(*c_.ctx.io, [self = shared_from_this()] { self->slice(); }); }

private:
    void slice() {
        if (c_.send.client_gone()) {
            log(log_level::debug, "window_abandoned", {{"target", std::string(c_.req.target())}});
            return;   // the last owner of the job lets go: the request is dropped with it
        }
        if (!sum_.step(c_.ctx.config.limit.query_slice_cells)) return post();
        auto w = sum_.take();
        then_(c_, w, asked_);
    }

    api_call c_;
    query_window asked_;
    core::sliced_window_sum sum_;
    api_call::window_then then_;
};

}  // namespace

std::optional<query_window> api_call::asked(std::chrono::milliseconds def) {
    auto w = resolve(t, def, ctx.samples.history());
    if (!w) {
        fail(400, "bad_window", w.error_message());
        return std::nullopt;
    }
    return *w;
}

void api_call::sum_window(const query_window& w, window_then then) {
    core::sliced_window_sum sum(ctx.samples.history(), w.from, w.to, &ctx.samples.sliced_sums());
    if (sum.work() <= ctx.config.limit.query_slice_cells || !ctx.io) {
        sum.finish();
        auto counts = sum.take();
        return then(*this, counts, w);
    }
    std::make_shared<window_job>(std::move(*this), w, std::move(sum), std::move(then))->post();
}

std::optional<core::window_counts> sum_one_row(const core::history& h, const query_window& w, std::string_view id) {
    auto plan = h.plan_query(w.from, w.to);
    if (!plan.by_rows) return std::nullopt;
    if (!plan.answer.shape) return std::move(plan.answer);   // an empty history
    const auto& rows = plan.answer.shape->row_ids;
    const auto r = static_cast<std::size_t>(std::find(rows.begin(), rows.end(), id) - rows.begin());
    h.sum_rows(plan, r, r + 1);
    return std::move(plan.answer);
}

}  // namespace irqd::service
