// A history window summed a slice at a time while samples keep coming: what the API's window job and
// the balancer's rates both do. Pure, like history: the caller runs step() once per turn of its loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "irqd/core/history.hpp"

namespace irqd::core {

// How often sliced sums had to start again, for health and metrics. One per history owner.
struct sliced_sum_counters {
    std::uint64_t restarts = 0;    // a sample dropped a frame the sum still had to read
    std::uint64_t one_piece = 0;   // after a restart, the rest was summed in one piece
};

// Follows the plan across samples (history::follow) while the frames it still has to read are kept.
// When one was dropped the sum starts again on the new history; after max_restarts restarts it is made
// in one piece: a loop too busy to finish in time pays one long turn rather than never answering. A
// window spanning several layouts (rows or CPUs came or went) is sliced like any other. Done, the sum
// is history::query()'s over the window as planned last (at the plan's generation).
class sliced_window_sum {
public:
    static constexpr int max_restarts = 2;

    // `h` must outlive this object; `counters` may be null.
    sliced_window_sum(const history& h, clock_time from, clock_time to, sliced_sum_counters* counters = nullptr);

    // Called before each restart with the window, which it may move (a window ending now moves to
    // the newest sample).
    std::function<void(clock_time& from, clock_time& to)> on_restart;

    // Cell additions of the whole sum as planned (over several layouts: at most that).
    std::size_t work() const { return plan_.work(); }
    // About `cells` more additions (at least a row of a frame); true once the sum is done.
    bool step(std::size_t cells);
    // The rest in one go (a small window, or no loop to slice on), done afterwards.
    void finish();
    // The sum, once done; empty afterwards.
    window_counts take() { return std::move(plan_.answer); }
    clock_time from() const { return from_; }
    clock_time to() const { return to_; }
    int restarts() const { return restarts_; }

private:
    void whole();

    const history* h_;
    clock_time from_, to_;
    sliced_sum_counters* counters_;
    history::query_plan plan_;
    int restarts_ = 0;
    bool started_ = false;   // sum_some() has added something into the plan
    bool done_ = false;
};

}  // namespace irqd::core
