// Failed checks print instants readably (std::chrono has no operator<< for time_points in GCC 12).
#pragma once

#include <boost/test/unit_test.hpp>

#include <ostream>

#include "irqd/core/time_parse.hpp"

template <>
struct boost::test_tools::tt_detail::print_log_value<irqd::core::clock_time> {
    void operator()(std::ostream& os, const irqd::core::clock_time& t) {
        os << irqd::core::format_rfc3339(t) << " (" << t.time_since_epoch().count() << "ns)";
    }
};
