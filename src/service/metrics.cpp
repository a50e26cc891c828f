// The Prometheus exposition: node_exporter-compatible interrupt counters, per-CPU totals, affinity info
// and the daemon's own counters, written with to_chars into one string whose capacity is kept.
#include "irqd/service/metrics.hpp"

#include <charconv>
#include <cstring>

#include <unistd.h>
#include <zlib.h>

#include "irqd/core/cpu_counters.hpp"
#include "irqd/core/decimal.hpp"
#include "irqd/core/version.hpp"

namespace irqd::service {
namespace {
constexpr std::size_t flush_bytes = 1024 * 1024;

void append_number(std::string& out, std::uint64_t v) {
    char buf[24];
    out.append(buf, core::write_decimal(buf, v));
}

void append_number(std::string& out, double v) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

template <class T>
void sample(std::string& out, std::string_view name, T value) {
    out += name;
    out += ' ';
    append_number(out, value);
    out += '\n';
}

template <class T>
void single(std::string& out, std::string_view name, std::string_view type, std::string_view help, T value) {
    header(out, name, type, help);
    sample(out, name, value);
}

// node_exporter's `info` and `devices` of a row: the fields after the counts, split on blanks; for a
// numeric IRQ the first is `info` and the rest, joined by one space, are `devices`; for a named row
// (NMI, LOC) all of them are `info`.
std::pair<std::string, std::string> info_and_devices(const core::irq_row& row) {
    std::string info, devices;
    std::string_view rest = row.description;
    bool first = true;
    while (true) {
        auto b = rest.find_first_not_of(" \t");
        if (b == std::string_view::npos) break;
        auto e = std::min(rest.find_first_of(" \t", b), rest.size());
        std::string& to = (row.number && !first) ? devices : info;
        if (!to.empty()) to += ' ';
        to += rest.substr(b, e - b);
        rest.remove_prefix(e);
        first = false;
    }
    return {std::move(info), std::move(devices)};
}

double seconds(std::chrono::nanoseconds d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

void append_label_value(std::string& out, std::string_view v) {
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
}

struct metrics_renderer::label_set {
    std::vector<std::pair<std::string, std::string>> row_keys;   // id and name the labels were built for
    std::vector<unsigned> cpus;
    std::vector<std::string> row_labels;             // `",type="30",info="...",devices="..."} `
    std::vector<std::string> cpu_labels;             // `node_interrupts_total{cpu="3`
    std::size_t cpu_label_max = 0;                   // the longest of cpu_labels

    bool fits(const core::snapshot& snap) const {
        if (cpus != snap.cpus || row_keys.size() != snap.rows.size()) return false;
        for (std::size_t r = 0; r < snap.rows.size(); ++r)
            if (row_keys[r].first != snap.rows[r].id || row_keys[r].second != snap.rows[r].name) return false;
        return true;
    }
};

std::shared_ptr<const metrics_renderer::label_set> metrics_renderer::labels() {
    const auto& snap = src_.samples.latest();
    if (labels_ && labels_->fits(snap)) return labels_;
    // A new set, not an edit of the old one: a scrape still being streamed keeps the set it began with.
    auto l = std::make_shared<label_set>();
    l->cpus = snap.cpus;
    for (auto c : l->cpus) {
        l->cpu_labels.push_back("node_interrupts_total{cpu=\"" + std::to_string(c));
        l->cpu_label_max = std::max(l->cpu_label_max, l->cpu_labels.back().size());
    }
    for (const auto& r : snap.rows) {
        l->row_keys.emplace_back(r.id, r.name);
        const auto [info, devices] = info_and_devices(r);
        std::string text = "\",type=\"";
        append_label_value(text, r.id);
        text += "\",info=\"";
        append_label_value(text, info);
        text += "\",devices=\"";
        append_label_value(text, devices);
        text += "\"} ";
        l->row_labels.push_back(std::move(text));
    }
    labels_ = std::move(l);
    return labels_;
}

void metrics_renderer::irq_header(std::string& out) {
    header(out, "node_interrupts_total", "counter",
           "Interrupts serviced per IRQ and CPU since boot, from /proc/interrupts (labels as node_exporter's "
           "interrupts collector; cpu is the CPU number).");
}

// Per CPU, all rows and the numbered IRQs alone: the rules' imbalance uses the second, what a plan
// can move, without the local timer and IPIs that every CPU gets alike. Then ERR and MIS.
void metrics_renderer::cpu_totals(std::string& out) {
    const auto& snap = src_.samples.latest();
    const std::size_t ncpu = snap.cpus.size();
    std::vector<std::uint64_t> totals(ncpu, 0), devices(ncpu, 0);
    for (std::size_t r = 0; r < snap.rows.size(); ++r) {
        if (!snap.rows[r].per_cpu) continue;
        const std::uint64_t* counts = snap.counts.data() + r * ncpu;
        for (std::size_t c = 0; c < ncpu; ++c) totals[c] += counts[c];
        if (snap.rows[r].number)
            for (std::size_t c = 0; c < ncpu; ++c) devices[c] += counts[c];
    }
    auto per_cpu = [&](std::string_view name, std::string_view help, const std::vector<std::uint64_t>& values) {
        header(out, name, "counter", help);
        for (std::size_t c = 0; c < ncpu; ++c) {
            out += name;
            out += "{cpu=\"";
            append_number(out, std::uint64_t{snap.cpus[c]});
            out += "\"} ";
            append_number(out, values[c]);
            out += '\n';
        }
    };
    per_cpu("irqd_cpu_interrupts_total", "Interrupts serviced per CPU since boot, all IRQs.", totals);
    per_cpu("irqd_cpu_device_interrupts_total",
            "Interrupts serviced per CPU since boot, numbered IRQs only (those whose affinity can be set).", devices);
    header(out, "irqd_interrupt_errors_total", "counter", "The kernel's ERR and MIS counts (spurious and missed interrupts).");
    for (const auto& r : snap.rows) {
        if (r.per_cpu) continue;
        auto row = &r - snap.rows.data();
        out += "irqd_interrupt_errors_total{type=\"";
        append_label_value(out, r.id);
        out += "\"} ";
        append_number(out, ncpu ? snap.count(static_cast<std::size_t>(row), 0) : 0);
        out += '\n';
    }
}

std::size_t metrics_renderer::affinity(std::string& out, std::size_t row, std::size_t until) {
    const auto& snap = src_.samples.latest();
    if (row == 0)
        header(out, "irqd_irq_affinity_info", "gauge",
               "1 per IRQ: its smp_affinity_list, effective_affinity_list and NUMA node as labels.");
    for (; row < snap.rows.size() && out.size() < until; ++row) {
        const auto& r = snap.rows[row];
        if (!r.number) continue;
        const auto* info = src_.samples.irq_info(*r.number);
        if (!info) continue;
        out += "irqd_irq_affinity_info{irq=\"";
        out += r.id;
        out += "\",name=\"";
        append_label_value(out, r.name);
        out += "\",affinity=\"";
        if (info->affinity) out += info->affinity->to_list();
        out += "\",effective=\"";
        if (info->effective) out += info->effective->to_list();
        out += "\",node=\"";
        out += std::to_string(info->node);
        out += "\"} 1\n";
    }
    return row;
}

void metrics_renderer::daemon(std::string& out) {
    const auto& st = src_.samples.stats();
    header(out, "irqd_build_info", "gauge", "1, with the irqd version as a label.");
    out += "irqd_build_info{version=\"";
    out += core::version();
    out += "\"} 1\n";
    single(out, "irqd_cpus", "gauge", "CPU columns in the latest /proc/interrupts.", std::uint64_t{src_.samples.latest().cpus.size()});
    single(out, "irqd_irqs", "gauge", "Rows in the latest /proc/interrupts.", std::uint64_t{src_.samples.latest().rows.size()});
    single(out, "irqd_samples_total", "counter", "Samples of /proc/interrupts taken.", st.samples);
    single(out, "irqd_samples_skipped_total", "counter", "Samples that could not be read or parsed.", st.skipped);
    single(out, "irqd_samples_late_total", "counter", "Sampling ticks missed because the daemon was busy.", st.late);
    single(out, "irqd_parse_issues_total", "counter", "Lines of /proc/interrupts the parser skipped.", st.parse_issues);
    single(out, "irqd_sample_duration_seconds", "gauge", "How long the latest sample took (read, parse, history).",
           seconds(st.last_duration));
    single(out, "irqd_sample_duration_seconds_total", "counter", "Time spent sampling, all samples.",
           seconds(st.total_duration));
    if (src_.samples.has_sample())
        single(out, "irqd_last_sample_timestamp_seconds", "gauge", "When the latest sample was taken (Unix time).",
               std::chrono::duration<double>(src_.samples.latest_time().time_since_epoch()).count());
    single(out, "irqd_history_bytes", "gauge", "Memory held by the interrupt history.",
           std::uint64_t{src_.samples.history().memory_bytes()});
    single(out, "irqd_sliced_sum_restarts_total", "counter",
           "Window sums made in slices that started again: a sample dropped a frame still to be read.",
           src_.samples.sliced_sums().restarts);
    single(out, "irqd_sliced_sum_one_piece_total", "counter",
           "Window sums made in slices that were finished in one piece after restarting.",
           src_.samples.sliced_sums().one_piece);

    single(out, "irqd_affinity_writes_total", "counter", "Affinity writes the kernel accepted.", src_.writer.writes());
    single(out, "irqd_affinity_failures_total", "counter", "Affinity requests refused (by irqd's checks or the kernel).",
           src_.writer.failures());
    header(out, "irqd_affinity_write_errors_total", "counter", "Affinity writes the kernel refused, by errno.");
    for (auto [err, n] : src_.writer.write_errors()) {
        out += "irqd_affinity_write_errors_total{errno=\"";
        const char* name = strerrorname_np(err);
        if (name) out += name;
        else out += std::to_string(err);
        out += "\"} ";
        append_number(out, n);
        out += '\n';
    }
    single(out, "irqd_balance_runs_total", "counter", "Balance plans computed.",
           src_.balance_runs ? src_.balance_runs() : std::uint64_t{0});

    if (const auto* server = src_.server) {
        const auto& hs = server->stats();
        header(out, "irqd_http_responses_total", "counter", "HTTP responses sent, by status code.");
        for (auto [code, n] : hs.responses) {
            out += "irqd_http_responses_total{code=\"";
            append_number(out, std::uint64_t{code});
            out += "\"} ";
            append_number(out, n);
            out += '\n';
        }
        single(out, "irqd_http_connections_accepted_total", "counter", "HTTP connections accepted.", hs.connections_accepted);
        single(out, "irqd_http_connections_rejected_total", "counter", "HTTP connections refused at the connection limit.",
               hs.connections_rejected);
        single(out, "irqd_http_accept_errors_total", "counter",
               "accept() failures (EMFILE, ENFILE, ...); each pauses accepting for 100 ms.", hs.accept_errors);
        single(out, "irqd_http_connections", "gauge", "Open HTTP and WebSocket connections.",
               std::uint64_t{server->open_connections()});
    }
    if (auto* hub = src_.hub) {
        const auto& ws = hub->stats();
        single(out, "irqd_websocket_subscribers", "gauge", "WebSocket stream subscribers now.", std::uint64_t{hub->size()});
        single(out, "irqd_websocket_messages_total", "counter", "Stream messages handed to subscribers.", ws.messages);
        single(out, "irqd_websocket_coalesced_total", "counter", "Stream messages dropped for a newer one (slow consumers).",
               ws.coalesced);
        single(out, "irqd_websocket_closed_slow_total", "counter", "Subscribers closed for staying behind.", ws.closed_slow);
        single(out, "irqd_websocket_rejected_total", "counter", "WebSocket upgrades refused at the subscriber limit.",
               ws.rejected);
    }
}

// The per-CPU load counters of the latest sample: node_exporter's softnet and softirqs families (same
// names and labels), and /proc/stat's irq and softirq time as irqd_ counters in seconds.
void metrics_renderer::cpu_load(std::string& out) {
    namespace series = core::cpu_series;
    struct family {
        std::string_view series, name, help;
    };
    static constexpr family families[] = {
        {series::irq_time, "irqd_cpu_irq_seconds_total", "Seconds each CPU spent in hard interrupts, from /proc/stat."},
        {series::softirq_time, "irqd_cpu_softirq_seconds_total", "Seconds each CPU spent in softirqs, from /proc/stat."},
        {series::total_time, "irqd_cpu_seconds_total", "Seconds each CPU accounted in /proc/stat, all modes."},
        {series::processed, "node_softnet_processed_total", "Number of processed packets"},
        {series::dropped, "node_softnet_dropped_total", "Number of dropped packets"},
        {series::time_squeezed, "node_softnet_times_squeezed_total",
         "Number of times processing packets ran out of quota"},
        {series::received_rps, "node_softnet_received_rps_total", "Number of times cpu woken up received_rps"},
        {series::flow_limit_count, "node_softnet_flow_limit_count_total", "Number of times flow limit has been reached"},
    };
    const auto& snap = src_.samples.cpu_latest();
    const std::size_t ncpu = snap.cpus.size();
    static const double tick = [] {
        const long hz = ::sysconf(_SC_CLK_TCK);
        return hz > 0 ? 1.0 / static_cast<double>(hz) : 0.01;
    }();
    auto per_cpu = [&](std::string_view name, std::size_t row, std::string_view type, bool seconds) {
        for (std::size_t c = 0; c < ncpu; ++c) {
            out += name;
            out += "{cpu=\"";
            append_number(out, std::uint64_t{snap.cpus[c]});
            if (!type.empty()) {
                out += "\",type=\"";
                append_label_value(out, type);
            }
            out += "\"} ";
            if (seconds) append_number(out, static_cast<double>(snap.count(row, c)) * tick);
            else append_number(out, snap.count(row, c));
            out += '\n';
        }
    };
    for (const auto& f : families)
        if (auto row = snap.find_row(f.series)) {
            header(out, f.name, "counter", f.help);
            per_cpu(f.name, *row, {}, f.name.starts_with("irqd_"));
        }
    bool first = true;
    for (std::size_t r = 0; r < snap.rows.size(); ++r) {
        std::string_view id = snap.rows[r].id;
        if (!id.starts_with(series::softirq_prefix)) continue;
        if (first) header(out, "node_softirqs_functions_total", "counter", "Softirq counts per CPU.");
        first = false;
        per_cpu("node_softirqs_functions_total", r, id.substr(series::softirq_prefix.size()), false);
    }
}

// One scrape in slices of at most `limit` bytes: the rows of the IRQ x CPU series a batch at a
// time (a row is one line per CPU, so at least one row whatever its size), then the per-CPU
// families, then the per-IRQ affinity lines a batch at a time, then the daemon's own counters.
class metrics_renderer::slice_source final : public body_source {
public:
    slice_source(metrics_renderer& r, bool per_irq, std::size_t limit)
        : r_(r), per_irq_(per_irq), limit_(limit), labels_(r.labels()), samples_(r.src_.samples.stats().samples),
          stage_(per_irq ? stage::rows : stage::per_cpu) {}

    bool next(std::string& out) override {
        const std::size_t start = out.size(), until = start + limit_;
        if (stage_ == stage::rows) {
            if (row_ == 0) r_.irq_header(out);
            if (rows(out, until)) return true;
            stage_ = stage::per_cpu;
        }
        // Each later stage starts in this slice only while it is less than half full. The per-CPU stage
        // is whole (about 1 kB per CPU with softirqs and softnet), so past ~128 CPUs its slice passes
        // the 256 kB default: about 400 kB at 256 CPUs, 1 MB at 1,000.
        const auto room = [&] { return out.size() - start < limit_ / 2; };
        if (stage_ == stage::per_cpu) {
            if (!room()) return true;
            r_.cpu_totals(out);
            r_.cpu_load(out);
            stage_ = per_irq_ ? stage::affinity : stage::daemon;
            row_ = 0;
        }
        if (stage_ == stage::affinity) {
            if (!room()) return true;
            // Rows that moved between two slices (a sample with new IRQs) would repeat or skip an IRQ:
            // the rest is left out of this scrape then, as for the counts.
            if (row_ > 0 && samples_ != r_.src_.samples.stats().samples) {
                samples_ = r_.src_.samples.stats().samples;
                if (!labels_->fits(r_.src_.samples.latest())) row_ = r_.src_.samples.latest().rows.size();
            }
            row_ = r_.affinity(out, row_, until);
            if (row_ < r_.src_.samples.latest().rows.size()) return true;
            stage_ = stage::daemon;
        }
        r_.daemon(out);
        return false;
    }

private:
    enum class stage { rows, per_cpu, affinity, daemon };

    // The IRQ x CPU lines from row_ on, while they fit before `until`; true if rows are left.
    bool rows(std::string& out, std::size_t until) {
        const auto& snap = r_.src_.samples.latest();
        if (samples_ != r_.src_.samples.stats().samples) {
            samples_ = r_.src_.samples.stats().samples;
            if (!labels_->fits(snap)) return false;   // the rows moved: the rest is left out
        }
        const std::size_t ncpu = labels_->cpus.size();
        bool wrote_row = false;
        for (; row_ < labels_->row_labels.size(); ++row_) {
            if (!snap.rows[row_].per_cpu) continue;    // ERR, MIS: one value, not per CPU (node_exporter skips them too)
            // A row's lines written through a pointer into room made once for the row (at most the
            // longest CPU label, the row's labels, 20 digits and a newline per CPU): one 100-byte line
            // per cell is the whole cost of a big scrape, so no per-piece append bookkeeping.
            const std::string& rl = labels_->row_labels[row_];
            const std::size_t bound = ncpu * (labels_->cpu_label_max + rl.size() + 21);
            if (out.size() + bound > until && wrote_row) return true;
            wrote_row = true;
            const std::uint64_t* counts = snap.counts.data() + row_ * ncpu;
            const std::size_t old = out.size();
            out.resize(old + bound);
            char* p = out.data() + old;
            for (std::size_t c = 0; c < ncpu; ++c) {
                const std::string& cl = labels_->cpu_labels[c];
                std::memcpy(p, cl.data(), cl.size());
                p += cl.size();
                std::memcpy(p, rl.data(), rl.size());
                p += rl.size();
                p = core::write_decimal(p, counts[c]);
                *p++ = '\n';
            }
            out.resize(static_cast<std::size_t>(p - out.data()));
        }
        return false;
    }

    metrics_renderer& r_;
    bool per_irq_;
    std::size_t limit_;
    std::shared_ptr<const label_set> labels_;
    std::uint64_t samples_;
    stage stage_;
    std::size_t row_ = 0;
};

std::unique_ptr<body_source> metrics_renderer::slices(bool per_irq, std::size_t slice_bytes) {
    return std::make_unique<slice_source>(*this, per_irq, slice_bytes);
}

void metrics_renderer::render(std::string& out, const std::function<void(std::string&)>& flush, bool per_irq) {
    out.clear();
    // One allocation per scrape at most: the size of the previous one plus some slack.
    out.reserve(flush ? flush_bytes + 64 * 1024 : per_irq ? last_size_ + last_size_ / 8 + 4096 : 64 * 1024);
    slice_source s(*this, per_irq, flush_bytes);
    while (s.next(out))
        if (flush && out.size() >= flush_bytes) flush(out);
    if (flush) flush(out);
    else if (per_irq) last_size_ = out.size();
}

namespace {
// A gzip stream (zlib's deflate with the gzip wrapper) of another source's slices: each slice in, its
// compressed bytes out, so no more than a slice of text and one of gzip is held at a time.
class gzip_slices final : public body_source {
public:
    explicit gzip_slices(std::unique_ptr<body_source> plain) : plain_(std::move(plain)) {
        // windowBits 15 + 16: a gzip header and trailer around the deflate data (zlib.h).
        ok_ = deflateInit2(&zs_, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~gzip_slices() override { deflateEnd(&zs_); }
    gzip_slices(const gzip_slices&) = delete;
    gzip_slices& operator=(const gzip_slices&) = delete;

    bool next(std::string& out) override {
        text_.clear();
        const bool more = plain_->next(text_);
        if (!ok_) return false;   // zlib had no memory: the body ends short, the client sees a bad gzip
        zs_.next_in = reinterpret_cast<Bytef*>(text_.data());
        zs_.avail_in = static_cast<uInt>(text_.size());
        const int flush = more ? Z_NO_FLUSH : Z_FINISH;
        for (;;) {
            const std::size_t old = out.size();
            const std::size_t room = deflateBound(&zs_, zs_.avail_in) + 64;
            out.resize(old + room);
            zs_.next_out = reinterpret_cast<Bytef*>(out.data() + old);
            zs_.avail_out = static_cast<uInt>(room);
            const int rc = deflate(&zs_, flush);
            out.resize(old + room - zs_.avail_out);
            if (rc == Z_STREAM_END) return false;
            if (rc == Z_STREAM_ERROR) return ok_ = false;
            // All of this slice taken in (deflate may keep some output back for the next one).
            if (flush == Z_NO_FLUSH && zs_.avail_in == 0) return true;
        }
    }

private:
    std::unique_ptr<body_source> plain_;
    std::string text_;
    z_stream zs_{};
    bool ok_ = false;
};
}  // namespace

std::unique_ptr<body_source> gzip_source(std::unique_ptr<body_source> plain) {
    return std::make_unique<gzip_slices>(std::move(plain));
}

std::string gzip_exposition(metrics_renderer& r, bool per_irq) {
    std::string body;
    auto z = gzip_source(r.slices(per_irq, metrics_renderer::default_slice_bytes / 2));
    while (z->next(body)) {
    }
    return body;
}

}  // namespace irqd::service

namespace irqd::service {
namespace {
// "gzip", "deflate, gzip;q=1.0, *;q=0.5": gzip unless given q=0.
bool accepts_gzip(std::string_view header) {
    for (std::size_t at = header.find("gzip"); at != std::string_view::npos; at = header.find("gzip", at + 4)) {
        auto end = header.find(',', at);
        auto item = header.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        auto q = item.find("q=");
        if (q == std::string_view::npos || item.substr(q + 2).find_first_not_of("0.") != std::string_view::npos) return true;
    }
    return false;
}
}  // namespace

void add_metrics_route(api_context& ctx, metrics_renderer& r) {
    ctx.routes.push_back([&r](const request& req, const target& t, responder& send) {
        if (t.path != "/metrics") return false;
        if (!allow_only(req, http::verb::get, send)) return true;
        bool per_irq = true;
        if (auto* k = t.unknown_param({"per_irq"})) {
            send(error_response(req, 400, "unknown_parameter", "unknown query parameter '" + *k + "' (allowed: per_irq)"));
            return true;
        }
        if (auto* v = t.param("per_irq")) {
            if (*v == "false" || *v == "0") per_irq = false;
            else if (*v != "true" && *v != "1") {
                send(error_response(req, 400, "bad_per_irq", "per_irq must be true or false"));
                return true;
            }
        }
        response head{http::status::ok, req.version()};
        head.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        head.set(http::field::server, "irqd");
        head.keep_alive(req.keep_alive());
        head.set(http::field::vary, "Accept-Encoding");
        // Streamed as it is made, a slice at a time, so other requests are answered in between.
        if (accepts_gzip(req[http::field::accept_encoding])) {
            head.set(http::field::content_encoding, "gzip");
            // Half-size text slices: the slice and its deflate output together stay within one slice's size.
            send.stream(std::move(head), gzip_source(r.slices(per_irq, metrics_renderer::default_slice_bytes / 2)));
        } else {
            send.stream(std::move(head), r.slices(per_irq));
        }
        return true;
    });
    ctx.extra_endpoints.push_back("GET /metrics[?per_irq=false] (Prometheus text format 0.0.4)");
}

}  // namespace irqd::service
