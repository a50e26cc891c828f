// GET /api/v1/interrupts (rows of a window, selected by core::irq_selection), /interrupts/{irq} and
// /cpus; and the window a query asks for, with its JSON.
#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api_call.hpp"
#include "irqd/core/irq_selection.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/service/irq_devices.hpp"
#include "irqd/service/json_text.hpp"

namespace irqd::service {
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

bool plain_row_id(std::string_view s) {
    if (s.empty() || s.size() > 32) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

double per_second(std::uint64_t count, double seconds) { return seconds > 0 ? static_cast<double>(count) / seconds : 0.0; }

// Answers with more cells (rows x CPUs) than this are streamed; 256 x 256 is ~1 MB of JSON.
constexpr std::size_t stream_cells = 64 * 1024;

// The answer of GET /api/v1/interrupts as JSON text in slices of about 256 kB: the window and CPUs,
// the rows a batch at a time, then the CPU totals. Each row's name, device and affinity come from the
// sample current when its slice is made.
class interrupts_slices final : public body_source {
public:
    interrupts_slices(api_context& ctx, core::window_counts w, json::object window, std::vector<std::size_t> cols,
                      core::selected_rows picked)
        : ctx_(ctx), w_(std::move(w)), window_(std::move(window)), cols_(std::move(cols)), picked_(std::move(picked)),
          seconds_(std::chrono::duration<double>(w_.to - w_.from).count()) {}

    std::size_t cells() const { return picked_.rows.size() * cols_.size(); }

    bool next(std::string& out) override {
        const std::size_t until = out.size() + slice_bytes;
        const auto& shape = w_.shape;
        if (at_ == 0) {
            out += "{\"window\":";
            append_json(out, window_);
            out += ",\"cpus\":[";
            for (std::size_t k = 0; k < cols_.size(); ++k) {
                if (k) out += ',';
                out += std::to_string(shape->cpus[cols_[k]]);
            }
            out += "],\"irqs\":[";
        }
        for (; at_ < picked_.rows.size() && out.size() < until; ++at_) {
            if (at_) out += ',';
            append_json(out, row_json(picked_.rows[at_]));
        }
        if (at_ < picked_.rows.size()) return true;
        const std::uint64_t grand = picked_.total;
        json::array totals;
        for (std::size_t k = 0; k < cols_.size(); ++k)
            totals.push_back(json::object{{"cpu", shape->cpus[cols_[k]]},
                                          {"count", picked_.per_column[k]},
                                          {"rate", per_second(picked_.per_column[k], seconds_)},
                                          {"share", grand ? static_cast<double>(picked_.per_column[k]) / static_cast<double>(grand) : 0.0}});
        out += "],\"cpu_totals\":";
        append_json(out, totals);
        out += ",\"total\":";
        append_json(out, grand);
        out += ",\"rate\":";
        append_json(out, per_second(grand, seconds_));
        out += "}\n";
        return false;
    }

private:
    static constexpr std::size_t slice_bytes = 256 * 1024;

    json::object row_json(const core::selected_rows::row& p) {
        const auto& snap = ctx_.samples.latest();
        // Row ids to rows of the latest sample, made again when a sample came since the last slice.
        if (row_of_samples_ != ctx_.samples.stats().samples + 1) {
            row_of_samples_ = ctx_.samples.stats().samples + 1;
            row_of_.clear();
            row_of_.reserve(snap.rows.size());
            for (std::size_t i = 0; i < snap.rows.size(); ++i) row_of_.emplace(snap.rows[i].id, i);
        }
        const auto& shape = w_.shape;
        const auto& id = shape->row_ids[p.index];
        json::object o;
        o["irq"] = id;
        auto it = row_of_.find(id);
        if (it != row_of_.end()) {
            const auto& row = snap.rows[it->second];
            o["name"] = row.name;
            o["chip"] = row.chip;
            add_device_json(ctx_.samples.devices(), row, o);
            if (row.number)
                if (auto* info = ctx_.samples.irq_info(*row.number)) {
                    o["affinity"] = set_json(info->affinity);
                    o["effective"] = set_json(info->effective);
                }
        } else {
            o["name"] = "";
            o["gone"] = true;
        }
        json::array counts;
        counts.reserve(cols_.size());
        for (auto k : cols_) counts.push_back(w_.counts[p.index * shape->cpus.size() + k]);
        o["counts"] = std::move(counts);
        o["total"] = p.total;
        o["rate"] = per_second(p.total, seconds_);
        return o;
    }

    api_context& ctx_;
    core::window_counts w_;
    json::object window_;
    std::vector<std::size_t> cols_;
    core::selected_rows picked_;
    double seconds_;
    std::size_t at_ = 0;
    std::unordered_map<std::string_view, std::size_t> row_of_;
    std::uint64_t row_of_samples_ = 0;   // samples + 1 when row_of_ was made; 0: not yet
};

}  // namespace

namespace {

// GET /api/v1/interrupts once its window is summed.
void answer_interrupts(api_call& c, core::window_counts& w, const query_window& a,
                       const std::optional<core::cpu_set>& cpu_filter, const core::irq_selection& sel) {
    const auto& snap = c.ctx.samples.latest();
    const auto& shape = w.shape;
    std::vector<std::size_t> cols;
    if (shape)
        for (std::size_t k = 0; k < shape->cpus.size(); ++k)
            if (!cpu_filter || cpu_filter->contains(shape->cpus[k])) cols.push_back(k);
    core::selected_rows picked;
    picked.per_column.assign(cols.size(), 0);
    const device_filter devices{c.t.param("device"), c.t.param("netdev"), c.t.param("driver")};
    core::row_predicate on_device;
    if (!devices.empty())
        on_device = [&](const core::irq_row* row) { return devices.matches(c.ctx.samples.devices(), row); };
    if (shape) picked = core::select_rows(*shape, w.counts, cols, sel, snap, on_device);
    auto window = window_json(w, a.from, a.to);
    auto body = std::make_unique<interrupts_slices>(c.ctx, std::move(w), std::move(window), std::move(cols),
                                                    std::move(picked));
    response res{http::status::ok, c.req.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::server, "irqd");
    res.keep_alive(c.req.keep_alive());
    // A big answer (the whole table of a big machine) is streamed, a slice of rows at a time, so other
    // requests are answered meanwhile; a small one is made at once, and kept per sample.
    if (body->cells() > stream_cells) return c.send.stream(std::move(res), std::move(body));
    while (body->next(res.body())) {
    }
    c.send(std::move(res));
}

}  // namespace

void get_interrupts(api_call& c) {
    if (c.reject_unknown({"window", "from", "to", "cpus", "irqs", "name", "top", "device", "netdev", "driver"})) return;
    auto asked = c.asked(60s);
    if (!asked) return;
    std::optional<core::cpu_set> cpu_filter;
    core::irq_selection sel;
    if (auto* v = c.t.param("cpus")) {
        auto r = core::parse_cpu_list(*v);
        if (!r) return c.fail(400, "bad_cpus", "cpus: " + r.error_message());
        cpu_filter = *r;
    }
    if (auto* v = c.t.param("irqs")) {
        auto r = core::parse_irq_list(*v);
        if (!r) return c.fail(400, "bad_irqs", "irqs: " + r.error_message());
        for (auto n : *r) sel.ids.insert(std::to_string(n));
    }
    if (auto* v = c.t.param("top")) {
        std::size_t n = 0;
        auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc{} || p != v->data() + v->size() || n == 0)
            return c.fail(400, "bad_top", "top must be a positive integer");
        sel.top = n;
    }
    if (const std::string* name_glob = c.t.param("name")) sel.pattern = *name_glob;

    c.sum_window(*asked, [cpu_filter, sel](api_call& c, core::window_counts& w, const query_window& a) {
        answer_interrupts(c, w, a, cpu_filter, sel);
    });
}

namespace {

// GET /api/v1/interrupts/{irq} once its window is summed. The row is looked up in
// the latest sample again: a window summed in slices may have seen samples arrive.
void answer_one_irq(api_call& c, const std::string& id, const core::window_counts& w, const query_window& window) {
    const auto& snap = c.ctx.samples.latest();
    auto row = snap.find_row(id);
    if (!row) return c.fail(404, "irq_not_found", "IRQ " + id + " is not in /proc/interrupts");
    const auto& r = snap.rows[*row];
    json::object o;
    o["irq"] = r.id;
    o["name"] = r.name;
    o["chip"] = r.chip;
    o["hwirq"] = r.hwirq;
    o["trigger"] = r.trigger;
    o["per_cpu"] = r.per_cpu;
    add_device_json(c.ctx.samples.devices(), r, o);
    json::array cpus, counts;
    for (std::size_t c = 0; c < snap.cpus.size(); ++c) {
        cpus.push_back(snap.cpus[c]);
        counts.push_back(snap.count(*row, c));
    }
    o["cpus"] = std::move(cpus);
    o["counts"] = std::move(counts);
    o["total"] = snap.row_total(*row);
    if (r.number) {
        const irq_kernel_info* info = c.ctx.samples.irq_info(*r.number);
        irq_kernel_info fresh;
        if (!info) {
            fresh = read_irq_info(c.ctx.config.procfs, *r.number);
            info = &fresh;
        }
        o["affinity"] = set_json(info->affinity);
        o["affinity_mask"] = info->affinity ? json::value(info->affinity->to_mask()) : json::value(nullptr);
        o["effective"] = set_json(info->effective);
        o["node"] = info->node;
    }
    double seconds = std::chrono::duration<double>(w.to - w.from).count();
    json::array wc;
    std::uint64_t wt = 0;
    if (w.shape) {
        auto wr = std::find(w.shape->row_ids.begin(), w.shape->row_ids.end(), r.id);
        for (std::size_t c = 0; c < w.shape->cpus.size(); ++c) {
            std::uint64_t v = wr == w.shape->row_ids.end()
                                  ? 0
                                  : w.counts[static_cast<std::size_t>(wr - w.shape->row_ids.begin()) * w.shape->cpus.size() + c];
            wc.push_back(json::object{{"cpu", w.shape->cpus[c]}, {"count", v}, {"rate", per_second(v, seconds)}});
            wt += v;
        }
    }
    o["window"] = window_json(w, window.from, window.to);
    o["window_counts"] = std::move(wc);
    o["window_total"] = wt;
    o["rate"] = per_second(wt, seconds);
    c.reply(200, o);
}

}  // namespace

void get_one_irq(api_call& c, std::string_view id) {
    if (!plain_row_id(id)) return c.fail(400, "bad_irq", "IRQ must be a number or a row name like NMI");
    if (c.reject_unknown({"window", "from", "to"})) return;
    if (!c.ctx.samples.latest().find_row(id))
        return c.fail(404, "irq_not_found", "IRQ " + std::string(id) + " is not in /proc/interrupts");
    auto asked = c.asked(60s);
    if (!asked) return;
    // One row of the window: summing the whole table to read one row would cost the whole table. A
    // window over several layouts (a device or CPU came or went inside it) has no row to sum alone:
    // it is summed whole, in slices like any big window, and the row read from that.
    if (auto w = sum_one_row(c.ctx.samples.history(), *asked, id)) return answer_one_irq(c, std::string(id), *w, *asked);
    c.sum_window(*asked, [id = std::string(id)](api_call& c, core::window_counts& w, const query_window& a) {
        answer_one_irq(c, id, w, a);
    });
}

namespace {

// GET /api/v1/cpus once its window is summed.
void answer_cpus(api_call& c, const core::window_counts& w, core::clock_time from, core::clock_time to) {
    const auto& topo = c.ctx.samples.topology();
    const auto& snap = c.ctx.samples.latest();
    double seconds = std::chrono::duration<double>(w.to - w.from).count();
    std::map<unsigned, std::uint64_t> totals;
    std::uint64_t grand = 0;
    for (auto c : snap.cpus) totals[c] = 0;
    if (w.shape) {
        // Column sums first: a map look-up per cell costs 20x the sum on 256 CPUs x 4096 IRQs.
        const auto ncpu = w.shape->cpus.size();
        std::vector<std::uint64_t> column(ncpu, 0);
        for (std::size_t r = 0; r < w.shape->row_ids.size(); ++r) {
            const auto* row = w.counts.data() + r * ncpu;
            for (std::size_t c = 0; c < ncpu; ++c) column[c] += row[c];
        }
        for (std::size_t c = 0; c < ncpu; ++c) {
            totals[w.shape->cpus[c]] += column[c];
            grand += column[c];
        }
    }
    for (auto c : topo.online.cpus()) totals.try_emplace(c, 0);
    std::map<unsigned, std::size_t> irqs_on;
    for (const auto& row : snap.rows)
        if (row.number)
            if (auto* info = c.ctx.samples.irq_info(*row.number); info && info->effective)
                for (auto c : info->effective->cpus()) ++irqs_on[c];
    json::array list;
    for (auto [cpu, count] : totals) {
        list.push_back(json::object{
            {"cpu", cpu},
            {"online", topo.online.empty() ? snap.find_cpu(cpu).has_value() : topo.online.contains(cpu)},
            {"isolated", topo.isolated.contains(cpu)},
            {"nohz_full", topo.nohz_full.contains(cpu)},
            {"node", topo.node_of(cpu)},
            {"count", count},
            {"rate", per_second(count, seconds)},
            {"share", grand ? static_cast<double>(count) / static_cast<double>(grand) : 0.0},
            {"irqs", irqs_on[cpu]}});
    }
    for (const auto& section : c.ctx.cpu_sections) section(from, to, list);
    c.reply(200, json::object{{"window", window_json(w, from, to)},
                            {"online", topo.online.to_list()},
                            {"isolated", topo.isolated.to_list()},
                            {"nohz_full", topo.nohz_full.to_list()},
                            {"cpus", std::move(list)},
                            {"total", grand},
                            {"rate", per_second(grand, seconds)}});
}

}  // namespace

void get_cpus(api_call& c) {
    if (c.reject_unknown({"window", "from", "to"})) return;
    auto asked = c.asked(60s);
    if (!asked) return;
    c.sum_window(*asked, [](api_call& c, core::window_counts& w, const query_window& a) { answer_cpus(c, w, a.from, a.to); });
}

core::result<std::pair<core::clock_time, core::clock_time>> window_from_query(const target& t, core::clock_time now,
                                                                              std::chrono::milliseconds def) {
    const auto* w = t.param("window");
    const auto* f = t.param("from");
    const auto* to_s = t.param("to");
    if (w && f) return core::error{"give either window or from/to, not both"};
    std::chrono::milliseconds length = def;
    if (w) {
        auto d = core::parse_duration(*w);
        if (!d) return core::error{"window: " + d.error_message()};
        if (d->count() <= 0) return core::error{"window must be longer than 0s"};
        if (*d > core::max_window) return core::error{"window is longer than " + std::string(core::max_window_text)};
        length = *d;
    }
    core::clock_time to = now;
    if (to_s) {
        auto p = core::parse_time(*to_s);
        if (!p) return core::error{"to: " + p.error_message()};
        to = *p;
        // Nothing is older than 1970; earlier instants (down to 1677) would overflow the
        // nanosecond arithmetic below (found by fuzz/time_window_fuzz).
        if (to < core::clock_time{}) return core::error{"to is before 1970"};
        if (to > now + 1h) return core::error{"to is in the future"};
        if (to > now) to = now;
    }
    core::clock_time from = to - length;
    if (f) {
        auto p = core::parse_time(*f);
        if (!p) return core::error{"from: " + p.error_message()};
        from = *p;
        if (from < core::clock_time{}) return core::error{"from is before 1970"};
        if (from >= to) return core::error{"from must be before to"};
        if (to - from > core::max_window)
            return core::error{"window from..to is longer than " + std::string(core::max_window_text)};
    }
    return std::make_pair(from, to);
}

json::object window_json(const core::window_counts& w, core::clock_time asked_from, core::clock_time asked_to) {
    json::object o{{"from", core::format_rfc3339(w.from)},
                   {"to", core::format_rfc3339(w.to)},
                   {"seconds", std::chrono::duration<double>(w.to - w.from).count()},
                   {"resolution_s", w.resolution.count()},
                   {"complete", w.complete},
                   {"frames", w.frames},
                   {"asked_from", core::format_rfc3339(asked_from)},
                   {"asked_to", core::format_rfc3339(asked_to)}};
    // Covering less than asked is said (a window that history does not reach is `complete` false).
    const auto covered = std::chrono::duration_cast<std::chrono::milliseconds>(w.to - w.from);
    const auto asked = std::chrono::duration_cast<std::chrono::milliseconds>(asked_to - asked_from);
    if (w.frames > 0 && w.complete && covered + 500ms < asked)
        o["note"] = "covers " + core::format_duration(covered) + " of the " + core::format_duration(asked) + " asked (" +
                    (asked_to > w.to + 500ms ? "the newest sample is at " + core::format_rfc3339(w.to)
                                             : "the history tier that answered has " + core::format_duration(w.resolution) +
                                                   " resolution, or samples are missing") +
                    ")";
    return o;
}

}  // namespace irqd::service
