// The window a query asks for, summed from history: at once when it is small, else by a job that sums a
// slice of rows per turn of the io_context (like affinity batches and balance plans), so no request
// waits behind a whole-table window of a big machine.
#include <algorithm>

#include <boost/asio/post.hpp>

#include "api_call.hpp"
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
// is the one an unsliced query gave when the job began. When one was dropped (the window reaches the
// oldest frame of its tier, and samples came before that chunk was summed: it is summed first), the
// sum starts again on the new history (a window ending now moves to the newest sample). After this
// many restarts the sum is made in one piece: a loop too busy to finish in time pays one long turn
// rather than never answering.
constexpr int max_restarts = 2;

class window_job : public std::enable_shared_from_this<window_job> {
public:
    window_job(api_call&& c, query_window w, core::history::query_plan plan, api_call::window_then then)
        : c_(std::move(c)), asked_(w), plan_(std::move(plan)), then_(std::move(then)) {}

    void post() { boost::asio::post(*c_.ctx.io, [self = shared_from_this()] { self->slice(); }); }

private:
    const core::history& history() const { return c_.ctx.samples.history(); }

    void slice() {
        if (c_.send.client_gone()) {
            log(log_level::debug, "window_abandoned", {{"target", std::string(c_.req.target())}});
            return;   // the last owner of the job lets go: the request is dropped with it
        }
        const auto& h = history();
        if (!h.follow(plan_)) {
            ++restarts_;
            log(log_level::debug, "window_restarted", {{"target", std::string(c_.req.target())}});
            if (auto again = resolve(c_.t, asked_.def, h)) asked_ = *again;
            plan_ = h.plan_query(asked_.from, asked_.to);
            if (restarts_ > max_restarts || !plan_.by_rows) return finish(h.query(asked_.from, asked_.to));
        }
        if (h.sum_some(plan_, c_.ctx.config.limit.query_slice_cells)) return finish(std::move(plan_.answer));
        post();
    }

    void finish(core::window_counts w) { then_(c_, w, asked_); }

    api_call c_;
    query_window asked_;
    core::history::query_plan plan_;
    api_call::window_then then_;
    int restarts_ = 0;
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
    const auto& h = ctx.samples.history();
    auto plan = h.plan_query(w.from, w.to);
    const bool small = plan.work() <= ctx.config.limit.query_slice_cells;
    if (!plan.by_rows) {
        auto sum = h.query(w.from, w.to);   // frames of several layouts (rows came or went): rare, one piece
        return then(*this, sum, w);
    }
    if (small || !ctx.io) {
        h.sum_rows(plan, 0, plan.rows);
        return then(*this, plan.answer, w);
    }
    std::make_shared<window_job>(std::move(*this), w, std::move(plan), std::move(then))->post();
}

core::window_counts sum_one_row(const core::history& h, const query_window& w, std::string_view id) {
    auto plan = h.plan_query(w.from, w.to);
    if (!plan.by_rows) return h.query(w.from, w.to);
    if (!plan.answer.shape) return std::move(plan.answer);   // an empty history
    const auto& rows = plan.answer.shape->row_ids;
    const auto r = static_cast<std::size_t>(std::find(rows.begin(), rows.end(), id) - rows.begin());
    h.sum_rows(plan, r, r + 1);
    return std::move(plan.answer);
}

}  // namespace irqd::service
