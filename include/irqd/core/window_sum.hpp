// Windows of counts over several layouts: the union of layouts (rows and CPUs in the order first seen),
// and a running sum of successive windows (a plan's chunks) over that union. Pure, like history.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "irqd/core/history.hpp"

namespace irqd::core {

// The union of layouts; a row or CPU keeps the position it got when first seen.
class layout_union {
public:
    struct mapping {
        std::vector<std::size_t> rows, cols;   // the union position of each row and CPU of a layout
    };
    // Adds the rows and CPUs of `l` not yet in the union and says where all of `l`'s are.
    mapping add(const layout& l);
    const layout& joined() const { return joined_; }
    layout take();                             // the union; this one is empty afterwards

private:
    layout joined_;
    std::unordered_map<std::string, std::size_t> row_index_;
    std::unordered_map<unsigned, std::size_t> cpu_index_;
};

// Sums disjoint windows into one: from the first window with frames to the last one's end, the
// coarsest resolution, complete when the first window added reached back to its start (and had frames).
class window_sum {
public:
    void add(const window_counts& w);
    std::size_t frames() const { return sum_.frames; }
    // The sum as one window_counts, CPUs ascending, rows in the order first seen. Empty afterwards.
    window_counts seal();

private:
    window_counts sum_;
    bool first_ = true;
    layout_union union_;
    std::vector<std::vector<std::uint64_t>> rows_;   // per union row, per union CPU
    layout_ptr mapped_;                              // the layout `map_` is for
    layout_union::mapping map_;
};

}  // namespace irqd::core
