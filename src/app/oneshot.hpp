// irqd --oneshot: sample a few intervals, plan over what history holds, apply (unless --read-only),
// print the answer as JSON and exit.
#pragma once

#include <boost/asio/io_context.hpp>

#include <iosfwd>

#include "irqd/service/balance_service.hpp"
#include "irqd/service/sampler.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::app {

// Prints the answer as JSON on `out` and returns the exit code (0 applied or nothing to do, 1 refused
// or failed). Runs `io` until then.
int run_oneshot(boost::asio::io_context& io, const service::settings& cfg, service::sampler& samples,
                service::balance_service& balancing, std::ostream& out);

}  // namespace irqd::app
