// How irqctl writes numbers: exact for pipes and scripts, compact ("12.3M") where a terminal's width
// is the constraint. Shares are percentages with one decimal.
#pragma once

#include <cstdint>
#include <string>

namespace irqd::client {

// 1234567 -> "1234567", or compact "1.23M": three significant digits and a k/M/G/T/P/E suffix.
std::string format_count(std::uint64_t value, bool compact);
// Rates per second: whole numbers from 100 up, one decimal below (so 0.5/s is not "0"); compact as above.
std::string format_rate(double per_second, bool compact);
// 0.4961 -> "49.6%".
std::string format_share(double share);

}  // namespace irqd::client
