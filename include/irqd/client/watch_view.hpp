// `irqctl watch` without the I/O: the stream's messages as values, the one-line form for pipes and
// the full-screen form for terminals. The session (watch_session.hpp) feeds these.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "irqd/core/result.hpp"

namespace irqd::client {

struct stream_cpu {
    unsigned cpu = 0;
    double rate = 0;
    bool overloaded = false;       // in the last sample (softnet drops or squeezes, or interrupt time)
    std::string reasons;           // "drops+time_squeezed"
};

struct stream_irq {
    std::string irq;
    std::string name;
    double rate = 0;
    std::vector<double> rates;                 // per CPU, parallel to stream_message::irq_cpus
};

// A message of /api/v1/stream: "snapshot", "sample" or "error".
struct stream_message {
    std::string type;
    std::string error;                         // the message of an "error"
    std::string time;
    double interval_s = 0;
    double total_rate = 0;
    std::vector<stream_cpu> cpus;
    std::vector<stream_irq> irqs;
    std::vector<unsigned> irq_cpus;
};
core::result<stream_message> parse_stream_message(std::string_view text);

// The {"type":"subscribe",...} message for these choices (empty glob = by rate only).
std::string subscribe_message(std::size_t top, unsigned every, std::string_view name_glob);

// "2026-11-23T19:32:56.100Z total=12345/s cpu0=6000/s(48.6%) cpu1=6345/s(51.4%) irq132=800/s ..."
std::string plain_line(const stream_message& m);

struct screen_layout {
    std::size_t width = 80;
    std::size_t height = 24;
    bool color = false;
    std::string url;                           // shown in the title line
    std::size_t top = 10;                      // IRQ rows at most
    std::size_t samples = 0;                   // received so far
};
// Exactly the lines to draw, each at most `width` columns, at most `height` lines: a title, per-CPU
// bars (scaled to the busiest CPU, in several columns when there are many CPUs) and the busiest IRQs
// with their per-CPU rates (or, when those do not fit, the CPUs that take most of each).
std::vector<std::string> screen_lines(const stream_message& m, const screen_layout& layout);

}  // namespace irqd::client
