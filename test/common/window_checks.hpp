// Two window sums compared field by field, for the history tests.
#pragma once

#include <boost/test/unit_test.hpp>

#include "clock_time_print.hpp"
#include "irqd/core/history.hpp"

namespace irqd::test {

// The same window and counts over the same layout (the one pointer: a window of one layout).
inline void same_window(const core::window_counts& a, const core::window_counts& b) {
    BOOST_TEST(a.from == b.from);
    BOOST_TEST(a.to == b.to);
    BOOST_TEST(a.resolution == b.resolution);
    BOOST_TEST(a.complete == b.complete);
    BOOST_TEST(a.frames == b.frames);
    BOOST_TEST(a.shape == b.shape);
    BOOST_TEST(a.counts == b.counts);
}

// A frame's counts as the tracker hands them over (core::delta_frame holds a big_vector).
inline core::big_vector<std::uint64_t> big(const std::vector<std::uint64_t>& c) { return {c.begin(), c.end()}; }

}  // namespace irqd::test
