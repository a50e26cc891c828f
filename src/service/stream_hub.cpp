// Builds live-rate messages from the sampler's newest delta and fans them out, one shared string
// per distinct subscription.
#include "irqd/service/stream_hub.hpp"

#include <algorithm>
#include <unordered_map>

#include <boost/json.hpp>

#include "irqd/core/time_parse.hpp"
#include "irqd/service/cpu_load.hpp"
#include "irqd/service/json_text.hpp"

namespace irqd::service {
namespace json = boost::json;

namespace {

std::string key_of(const subscription& s) {
    std::vector<std::string_view> ids(s.rows.ids.begin(), s.rows.ids.end());
    std::sort(ids.begin(), ids.end());
    std::string k = s.cpus ? "c1|" : "c0|";
    for (auto id : ids) (k += id) += ',';
    k += "|" + s.rows.pattern + "|" + std::to_string(s.rows.top) + "|" + std::to_string(s.every);
    k += "|" + s.netdev + "|" + s.driver + "|" + s.device;
    return k;
}

}  // namespace

core::result<subscription> parse_subscription(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return core::error{"not valid JSON: " + ec.message()};
    if (auto key = duplicate_json_key(text)) return core::error{"'" + *key + "' is named twice"};
    if (!v.is_object()) return core::error{"a subscribe message is a JSON object"};
    const auto& o = v.as_object();
    subscription s;
    for (const auto& kv : o) {
        auto k = kv.key();
        if (k != "type" && k != "cpus" && k != "irqs" && k != "top" && k != "every" && k != "netdev" && k != "driver" &&
            k != "device")
            return core::error{"unknown field '" + std::string(k) + "' (type, cpus, irqs, top, every, netdev, driver, device)"};
    }
    for (auto [key, out] : {std::pair{"netdev", &s.netdev}, {"driver", &s.driver}, {"device", &s.device}})
        if (auto* f = o.if_contains(key)) {
            if (!f->is_string() || f->as_string().empty() || f->as_string().size() > 64)
                return core::error{"'" + std::string(key) + "' must be a name of 1-64 characters"};
            *out = std::string(f->as_string());
        }
    auto* type = o.if_contains("type");
    if (!type || !type->is_string() || type->as_string() != "subscribe")
        return core::error{"expected {\"type\":\"subscribe\", ...}"};
    if (auto* c = o.if_contains("cpus")) {
        if (!c->is_bool()) return core::error{"'cpus' must be true or false"};
        s.cpus = c->as_bool();
    }
    if (auto* i = o.if_contains("irqs")) {
        if (i->is_string()) {
            s.rows.pattern = std::string(i->as_string());
            if (s.rows.pattern.empty() || s.rows.pattern.size() > 256) return core::error{"'irqs' pattern must be 1-256 characters"};
        } else if (i->is_array()) {
            if (i->as_array().size() > core::max_selected_ids)
                return core::error{"'irqs' names " + std::to_string(i->as_array().size()) + " IRQs; at most " +
                                   std::to_string(core::max_selected_ids) + " (or a name pattern like \"eth0-*\")"};
            s.rows.ids.reserve(i->as_array().size());
            for (const auto& e : i->as_array()) {
                if (e.is_int64() && e.as_int64() >= 0) s.rows.ids.insert(std::to_string(e.as_int64()));
                else if (e.is_string() && !e.as_string().empty() && e.as_string().size() <= 32)
                    s.rows.ids.emplace(e.as_string());
                else return core::error{"'irqs' entries must be IRQ numbers or ids like \"NMI\""};
            }
        } else if (!i->is_null()) {
            return core::error{"'irqs' must be a list of IRQs or a name pattern like \"eth0-*\""};
        }
    }
    if (auto* t = o.if_contains("top")) {
        if (!t->is_int64() || t->as_int64() < 0 || t->as_int64() > 100000) return core::error{"'top' must be 0-100000"};
        s.rows.top = static_cast<std::size_t>(t->as_int64());
    }
    if (auto* e = o.if_contains("every")) {
        if (!e->is_int64() || e->as_int64() < 1 || e->as_int64() > 3600) return core::error{"'every' must be 1-3600 samples"};
        s.every = static_cast<unsigned>(e->as_int64());
    }
    s.key = key_of(s);
    s.key_hash = std::hash<std::string>{}(s.key);
    return s;
}

bool stream_hub::join(subscriber* s) {
    if (stopped_) return false;
    if (full()) {
        ++stats_.rejected;
        return false;
    }
    subs_.push_back(s);
    return true;
}

void stream_hub::leave(subscriber* s) { std::erase(subs_, s); }

void stream_hub::stop() {
    stopped_ = true;
    auto subs = subs_;
    for (auto* s : subs) s->stop();
}

// What every message of one sample shares, made once per sample: the CPUs' rates and the total (over
// every row), and each row's {"irq","name","rate","rates"} text, made the first time a message
// shows the row. A message is then these pieces joined: its cost is copying what it shows, whatever
// the subscription names.
const stream_hub::sample_parts& stream_hub::parts() const {
    const auto generation = sampler_.stats().samples;
    if (parts_.generation == generation && parts_.valid) return parts_;
    parts_ = sample_parts{};
    parts_.generation = generation;
    parts_.valid = true;
    const auto* frame = sampler_.last_frame();
    const double secs = sampler_.last_frame_seconds();
    if (!frame || !frame->shape || secs <= 0) return parts_;
    const auto& shape = *frame->shape;
    parts_.columns = core::all_columns(shape);
    parts_.all = core::select_rows(shape, frame->counts, parts_.columns, {}, sampler_.latest());
    json::array cpus, cpu_ids;
    for (std::size_t c = 0; c < shape.cpus.size(); ++c) {
        cpus.push_back(json::object{{"cpu", shape.cpus[c]}, {"rate", static_cast<double>(parts_.all.per_column[c]) / secs}});
        cpu_ids.push_back(shape.cpus[c]);
    }
    add_last_cpu_load(sampler_, overload_share, cpus);
    parts_.cpus = to_json_text(cpus);
    parts_.irq_cpus = to_json_text(cpu_ids);
    parts_.rows.resize(shape.row_ids.size());
    for (const auto& r : sampler_.latest().rows) parts_.names.emplace(r.id, &r.name);
    return parts_;
}

const std::string& stream_hub::row_text(std::size_t r, std::uint64_t row_total) const {
    auto& text = parts_.rows[r];
    if (!text.empty()) return text;
    const auto* frame = sampler_.last_frame();
    const double secs = sampler_.last_frame_seconds();
    const auto& id = frame->shape->row_ids[r];
    const auto ncpu = frame->shape->cpus.size();
    json::array per_cpu;
    for (std::size_t c = 0; c < ncpu; ++c) per_cpu.push_back(static_cast<double>(frame->counts[r * ncpu + c]) / secs);
    auto it = parts_.names.find(id);
    text = to_json_text(json::object{{"irq", id},
                                     {"name", it == parts_.names.end() ? std::string_view() : std::string_view(*it->second)},
                                     {"rate", static_cast<double>(row_total) / secs},
                                     {"rates", std::move(per_cpu)}});
    return text;
}

std::string stream_hub::build(const subscription& sub, std::string_view type) const {
    const auto* frame = sampler_.last_frame();
    double secs = sampler_.last_frame_seconds();
    json::object head{{"type", type}, {"time", core::format_rfc3339(sampler_.latest_time())}, {"interval_s", secs}};
    if (!frame || !frame->shape || secs <= 0) {
        head["cpus"] = json::array();
        head["irqs"] = json::array();
        head["total_rate"] = 0.0;
        return to_json_text(head);
    }
    const auto& p = parts();
    std::string out = to_json_text(head);
    out.pop_back();                                          // the closing brace: the parts follow
    if (sub.cpus) (out += ",\"cpus\":") += p.cpus;
    const device_filter devices{sub.device.empty() ? nullptr : &sub.device, sub.netdev.empty() ? nullptr : &sub.netdev,
                                sub.driver.empty() ? nullptr : &sub.driver};
    if (sub.rows.filters() || !devices.empty()) {
        core::row_predicate on_device;
        if (!devices.empty())
            on_device = [&](const core::irq_row* row) { return devices.matches(sampler_.devices(), row); };
        const auto picked =
            core::select_rows(*frame->shape, frame->counts, p.columns, sub.rows, sampler_.latest(), on_device);
        out += ",\"irqs\":[";
        bool first = true;
        for (const auto& [r, row_total] : picked.rows) {
            if (!first) out += ',';
            out += row_text(r, row_total);
            first = false;
        }
        (out += "],\"irq_cpus\":") += p.irq_cpus;
    }
    (out += ",\"total_rate\":") += to_json_text(json::value(static_cast<double>(p.all.total) / secs));
    out += '}';
    return out;
}

std::shared_ptr<const std::string> stream_hub::snapshot_for(const subscription& sub) const {
    return std::make_shared<const std::string>(build(sub, "snapshot"));
}

void stream_hub::on_sample() {
    ++tick_;
    // One message per distinct subscription, found by the hash computed when it subscribed.
    // (The key is copied once per distinct message: a subscriber may leave, and free its own, in deliver().)
    std::unordered_map<std::size_t, std::vector<std::pair<std::string, std::shared_ptr<const std::string>>>> cache;
    // Copy: a deliver() may end in a close that leaves the hub.
    auto subs = subs_;
    for (auto* s : subs) {
        const auto& want = s->wants();
        if (tick_ % want.every != 0) continue;
        auto& same_hash = cache[want.key_hash];
        auto it = std::find_if(same_hash.begin(), same_hash.end(), [&](const auto& e) { return e.first == want.key; });
        if (it == same_hash.end()) {
            same_hash.emplace_back(want.key, std::make_shared<const std::string>(build(want, "sample")));
            it = same_hash.end() - 1;
            ++stats_.built;
        }
        ++stats_.messages;
        s->deliver(it->second);
    }
}

void stream_hub::broadcast(std::shared_ptr<const std::string> message) {
    auto subs = subs_;   // a deliver() may end in a close that leaves the hub
    for (auto* s : subs) {
        ++stats_.messages;
        s->deliver(message);
    }
}

}  // namespace irqd::service
