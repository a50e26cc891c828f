// The first lines of a windowed table: which window the daemon actually used (it snaps to sample
// boundaries and may have less history than asked), so nobody misreads a 12 s table as a minute.
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

// "<what> from 2026-11-23T19:31:56Z to 2026-11-23T19:32:56Z (1m, 60 samples at 1s resolution)\n",
// plus a line when the history starts after the asked start or the window holds no sample.
std::string window_heading(std::string_view what, const boost::json::value& window, const output_style& style);

}  // namespace irqd::client
