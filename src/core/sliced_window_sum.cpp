// A window summed in slices across samples: one policy for following the plan, starting again and
// giving up into one piece, shared by the API's window job and the balancer.
#include "irqd/core/sliced_window_sum.hpp"

namespace irqd::core {

sliced_window_sum::sliced_window_sum(const history& h, clock_time from, clock_time to, sliced_sum_counters* counters)
    : h_(&h), from_(from), to_(to), counters_(counters), plan_(h.plan_query(from, to)) {}

bool sliced_window_sum::step(std::size_t cells) {
    if (done_) return true;
    if (!h_->follow(plan_)) {
        ++restarts_;
        if (counters_) ++counters_->restarts;
        if (on_restart) on_restart(from_, to_);
        plan_ = h_->plan_query(from_, to_);
        started_ = false;
        if (restarts_ > max_restarts) {
            if (counters_) ++counters_->one_piece;
            whole();
            return true;
        }
    }
    started_ = true;
    done_ = h_->sum_some(plan_, cells);
    return done_;
}

void sliced_window_sum::finish() {
    if (done_) return;
    // A plan not begun and still current is summed as planned; anything else is asked again.
    if (started_ || !plan_.by_rows || plan_.generation != h_->generation()) return whole();
    h_->sum_rows(plan_, 0, plan_.rows);
    done_ = true;
}

void sliced_window_sum::whole() {
    plan_.answer = h_->query(from_, to_);
    done_ = true;
}

}  // namespace irqd::core
