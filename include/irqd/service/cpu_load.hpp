// Per-CPU interrupt load over a window: the share of time in hard and soft interrupts, softirqs by
// type, softnet processed/dropped/time_squeezed, and the overload verdict. Adds these fields to
// GET /api/v1/cpus, serves GET /api/v1/softirqs and reports missing source files in health.
#pragma once

#include <cstddef>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "irqd/core/history.hpp"
#include "irqd/service/api.hpp"

namespace irqd::service {

// The fields of one CPU column of a window queried from sampler::cpu_history(): irq_time_share,
// softirq_time_share (when /proc/stat was read), softirqs {TYPE: {count, rate}}, softnet {processed,
// dropped, time_squeezed, received_rps, flow_limit_count: {count, rate}} (when their files were),
// overloaded and overload_reasons ("drops", "time_squeezed", "interrupt_time"). Added to `o`.
void add_cpu_load_fields(const core::window_counts& w, std::size_t column, double overload_share, boost::json::object& o);

// Adds each CPU's fields (matched by its "cpu" key) to the objects of `cpus`, for [from, to].
void add_cpu_load(const sampler& s, double overload_share, core::clock_time from, core::clock_time to,
                  boost::json::array& cpus);

// The same for the newest frame (what the last sample added), for the stream's cpus.
void add_last_cpu_load(const sampler& s, double overload_share, boost::json::array& cpus);

// GET /api/v1/softirqs, the /api/v1/cpus fields and the health section "cpu_sources".
void add_cpu_load_routes(api_context& ctx);

}  // namespace irqd::service
