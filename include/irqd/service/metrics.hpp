// GET /metrics: the Prometheus text exposition (format 0.0.4) of the latest sample and of the daemon's
// own counters. Rendered from memory (never re-reads /proc) into one reused string with to_chars.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "irqd/service/affinity_writer.hpp"
#include "irqd/service/api.hpp"
#include "irqd/service/http_server.hpp"
#include "irqd/service/sampler.hpp"
#include "irqd/service/stream_hub.hpp"

namespace irqd::service {

// Where the numbers come from; pointers may be null in tests (their metrics are then left out).
struct metrics_sources {
    const sampler& samples;
    const affinity_writer& writer;
    const http_server* server = nullptr;
    stream_hub* hub = nullptr;
    std::function<std::uint64_t()> balance_runs{};   // 0 until a balancer is wired
};

class metrics_renderer {
public:
    explicit metrics_renderer(metrics_sources src) : src_(std::move(src)) {}

    // Replaces `out` with the whole exposition. With `flush`, `out` is handed to it whenever it passes
    // about a megabyte (and at the end), so a caller that compresses never holds the whole text.
    // Without `per_irq`, the IRQ x CPU and per-IRQ series are left out (GET /metrics?per_irq=false): what
    // a fleet scrapes from big hosts, a few series per CPU instead of one per IRQ and CPU.
    void render(std::string& out, const std::function<void(std::string&)>& flush = {}, bool per_irq = true);
    // The same exposition made in slices of at most `slice_bytes` (GET /metrics streams it): the IRQ x
    // CPU series a batch of rows at a time, each from the sample current when it is made, then the
    // rest. Should the rows or CPUs change between two slices (a sample with new IRQs), the rows not
    // yet written are left out of this scrape. A slice exceeds the limit only for a single row longer
    // than it (thousands of CPUs). The source must not outlive the renderer.
    // 256 kB: a quarter of the CPU time per scrape of 1 MB slices (docs/benchmarks.md), which leave
    // the cache before the kernel copies them and wait on the socket's buffer.
    static constexpr std::size_t default_slice_bytes = 256 * 1024;
    std::unique_ptr<body_source> slices(bool per_irq = true, std::size_t slice_bytes = default_slice_bytes);

private:
    struct label_set;
    class slice_source;
    std::shared_ptr<const label_set> labels();
    void irq_header(std::string& out);
    void cpu_totals(std::string& out);
    void cpu_load(std::string& out);
    // The affinity lines of rows [row, ...) until `out` reaches `until`; returns the next row.
    std::size_t affinity(std::string& out, std::size_t row, std::size_t until);
    void daemon(std::string& out);

    metrics_sources src_;
    // Label text per row and per CPU column, rebuilt only when the rows or CPUs change, so one scrape is
    // mostly memcpy and to_chars; shared with the scrapes being streamed, which keep the set they began with.
    std::shared_ptr<const label_set> labels_;
    std::size_t last_size_ = 0;
};

// Serves GET /metrics from `r` (which must outlive ctx) and lists it in the GET /api/v1 index.
void add_metrics_route(api_context& ctx, metrics_renderer& r);

// gzip (zlib, level 1: the labels repeat a lot, so even the fastest level shrinks the text about
// tenfold) of what `plain` produces, slice by slice, as Prometheus asks with Accept-Encoding: gzip.
std::unique_ptr<body_source> gzip_source(std::unique_ptr<body_source> plain);
// The whole gzip body at once (tests, benches).
std::string gzip_exposition(metrics_renderer& r, bool per_irq = true);

// The label value as the exposition format wants it: backslash, double quote and newline escaped.
void append_label_value(std::string& out, std::string_view v);

}  // namespace irqd::service
