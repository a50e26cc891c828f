// Branch and bound for k >= 3 CPUs, one search node per elementary step.
#include "balance_bnb.hpp"

#include <algorithm>

namespace irqd::core::detail {

void bnb_search::start(const problem& p, std::uint64_t bound_max) {
    pl_.reset(p);
    best_.reset(p);
    frames_.assign(p.size() + 1, frame{});
    suffix_.assign(p.size() + 1, 0);
    for (std::size_t i = p.size(); i-- > 0;) suffix_[i] = suffix_[i + 1] + p.weight[i];
    depth_ = 0;
    cur_max_ = pl_.max_load();
    bound_ = bound_max;
    finished_ = bound_ <= p.lower_bound || p.size() == 0;
    complete_ = finished_;
    if (!finished_) {
        work_meter setup;   // the root's candidates: O(k log k), not worth a slice of its own
        expand(p, setup);
    }
}

// Candidate CPUs for item depth_, given the loads so far.
void bnb_search::expand(const problem& p, work_meter& meter) {
    frame& f = frames_[depth_];
    f.cpus.clear();
    f.next = 0;
    f.max_before = cur_max_;
    const std::uint64_t limit = bound_ - 1;   // the max load to beat
    std::uint64_t room = 0;
    for (std::uint64_t l : pl_.load) room += l < limit ? limit - l : 0;
    meter.charge(p.k / 4 + 2);
    if (room < suffix_[depth_]) return;

    const std::uint64_t w = p.weight[depth_];
    for (std::uint32_t c : p.sets[p.set_of[depth_]].members)
        if (pl_.load[c] + w <= limit) f.cpus.push_back(c);
    std::sort(f.cpus.begin(), f.cpus.end(), [&](std::uint32_t a, std::uint32_t b) {
        return pl_.load[a] < pl_.load[b] || (pl_.load[a] == pl_.load[b] && a < b);
    });
    // Equal loads and the same class: placing the item on either leads to mirror-image subtrees.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < f.cpus.size(); ++i) {
        const std::uint32_t c = f.cpus[i];
        bool mirror = false;
        for (std::size_t j = kept; j-- > 0 && pl_.load[f.cpus[j]] == pl_.load[c];)
            if (p.cpu_class[f.cpus[j]] == p.cpu_class[c]) {
                mirror = true;
                break;
            }
        if (!mirror) f.cpus[kept++] = c;
    }
    f.cpus.resize(kept);
    meter.charge(f.cpus.size() * 2);
}

bnb_search::status bnb_search::run(const problem& p, work_meter& meter) {
    while (!finished_) {
        if (!meter.slice_left()) return status::paused;
        if (!meter.budget_left()) {
            finished_ = true;
            break;
        }
        frame& f = frames_[depth_];
        meter.charge(3);
        // The bound may have dropped since this frame was expanded.
        while (f.next < f.cpus.size() && pl_.load[f.cpus[f.next]] + p.weight[depth_] >= bound_) ++f.next;
        if (f.next == f.cpus.size()) {
            if (depth_ == 0) {
                finished_ = complete_ = true;
                break;
            }
            --depth_;
            pl_.unplace(p, depth_);
            cur_max_ = frames_[depth_].max_before;
            continue;
        }
        const std::uint32_t c = f.cpus[f.next++];
        pl_.place(p, depth_, c);
        cur_max_ = std::max(cur_max_, pl_.load[c]);
        ++depth_;
        if (depth_ == p.size()) {
            bound_ = cur_max_;
            best_ = pl_;
            meter.charge(p.size() / 4);
            --depth_;
            pl_.unplace(p, depth_);
            cur_max_ = frames_[depth_].max_before;
            if (bound_ <= p.lower_bound) finished_ = complete_ = true;
            return status::improved;
        }
        expand(p, meter);
    }
    return status::finished;
}

}  // namespace irqd::core::detail
