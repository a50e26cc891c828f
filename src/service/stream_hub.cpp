// Builds live-rate messages from the sampler's newest delta and fans them out, one shared string
// per distinct subscription.
#include "irqd/service/stream_hub.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <unordered_map>

#include <boost/json.hpp>

#include "irqd/core/time_parse.hpp"
#include "irqd/service/cpu_load.hpp"
#include "irqd/service/json_text.hpp"

namespace irqd::service {
namespace json = boost::json;

std::string subscription::key() const {
    std::string k = cpus ? "c1|" : "c0|";
    for (const auto& id : irq_ids) k += id + ",";
    k += "|" + pattern + "|" + std::to_string(top) + "|" + std::to_string(every);
    k += "|" + netdev + "|" + driver + "|" + device;
    return k;
}

core::result<subscription> parse_subscription(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return core::error{"not valid JSON: " + ec.message()};
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
            s.pattern = std::string(i->as_string());
            if (s.pattern.empty() || s.pattern.size() > 256) return core::error{"'irqs' pattern must be 1-256 characters"};
        } else if (i->is_array()) {
            if (i->as_array().size() > 65536) return core::error{"'irqs' lists too many IRQs"};
            for (const auto& e : i->as_array()) {
                if (e.is_int64() && e.as_int64() >= 0) s.irq_ids.push_back(std::to_string(e.as_int64()));
                else if (e.is_string() && !e.as_string().empty() && e.as_string().size() <= 32)
                    s.irq_ids.emplace_back(e.as_string());
                else return core::error{"'irqs' entries must be IRQ numbers or ids like \"NMI\""};
            }
        } else if (!i->is_null()) {
            return core::error{"'irqs' must be a list of IRQs or a name pattern like \"eth0-*\""};
        }
    }
    if (auto* t = o.if_contains("top")) {
        if (!t->is_int64() || t->as_int64() < 0 || t->as_int64() > 100000) return core::error{"'top' must be 0-100000"};
        s.top = static_cast<std::size_t>(t->as_int64());
    }
    if (auto* e = o.if_contains("every")) {
        if (!e->is_int64() || e->as_int64() < 1 || e->as_int64() > 3600) return core::error{"'every' must be 1-3600 samples"};
        s.every = static_cast<unsigned>(e->as_int64());
    }
    return s;
}

bool stream_hub::join(subscriber* s) {
    if (full()) {
        ++stats_.rejected;
        return false;
    }
    subs_.push_back(s);
    return true;
}

void stream_hub::leave(subscriber* s) { std::erase(subs_, s); }

void stream_hub::stop() {
    auto subs = subs_;
    for (auto* s : subs) s->stop();
}

std::string stream_hub::build(const subscription& sub, std::string_view type) const {
    const auto* frame = sampler_.last_frame();
    const auto& snap = sampler_.latest();
    double secs = sampler_.last_frame_seconds();
    json::object msg{{"type", type},
                     {"time", core::format_rfc3339(sampler_.latest_time())},
                     {"interval_s", secs}};
    if (!frame || !frame->shape || secs <= 0) {
        msg["cpus"] = json::array();
        msg["irqs"] = json::array();
        msg["total_rate"] = 0.0;
        return to_json_text(msg);
    }
    const auto& shape = *frame->shape;
    const auto ncpu = shape.cpus.size();
    std::vector<std::uint64_t> cpu_sum(ncpu, 0);
    std::vector<std::uint64_t> row_sum(shape.row_ids.size(), 0);
    std::uint64_t total = 0;
    for (std::size_t r = 0; r < shape.row_ids.size(); ++r)
        for (std::size_t c = 0; c < ncpu; ++c) {
            auto v = frame->counts[r * ncpu + c];
            cpu_sum[c] += v;
            row_sum[r] += v;
            total += v;
        }
    if (sub.cpus) {
        json::array cpus;
        for (std::size_t c = 0; c < ncpu; ++c)
            cpus.push_back(json::object{{"cpu", shape.cpus[c]}, {"rate", static_cast<double>(cpu_sum[c]) / secs}});
        add_last_cpu_load(sampler_, overload_share, cpus);
        msg["cpus"] = std::move(cpus);
    }
    std::vector<std::size_t> rows;
    const device_filter devices{sub.device.empty() ? nullptr : &sub.device, sub.netdev.empty() ? nullptr : &sub.netdev,
                                sub.driver.empty() ? nullptr : &sub.driver};
    bool any_filter = !sub.irq_ids.empty() || !sub.pattern.empty() || sub.top > 0 || !devices.empty();
    if (any_filter) {
        std::unordered_map<std::string_view, const core::irq_row*> meta;
        for (const auto& r : snap.rows) meta.emplace(r.id, &r);
        for (std::size_t r = 0; r < shape.row_ids.size(); ++r) {
            const auto& id = shape.row_ids[r];
            if (!sub.irq_ids.empty() && std::find(sub.irq_ids.begin(), sub.irq_ids.end(), id) == sub.irq_ids.end())
                continue;
            if (!devices.empty()) {
                auto it = meta.find(id);
                if (!devices.matches(sampler_.devices(), it == meta.end() ? nullptr : it->second)) continue;
            }
            if (!sub.pattern.empty()) {
                auto it = meta.find(id);
                std::string name = it == meta.end() ? std::string() : it->second->name;
                if (fnmatch(sub.pattern.c_str(), name.c_str(), 0) != 0 && fnmatch(sub.pattern.c_str(), id.c_str(), 0) != 0)
                    continue;
            }
            rows.push_back(r);
        }
        if (sub.top > 0) {
            std::stable_sort(rows.begin(), rows.end(), [&](auto a, auto b) { return row_sum[a] > row_sum[b]; });
            if (rows.size() > sub.top) rows.resize(sub.top);
        }
        json::array irqs;
        for (auto r : rows) {
            const auto& id = shape.row_ids[r];
            auto it = meta.find(id);
            json::array per_cpu;
            for (std::size_t c = 0; c < ncpu; ++c) per_cpu.push_back(static_cast<double>(frame->counts[r * ncpu + c]) / secs);
            irqs.push_back(json::object{{"irq", id},
                                        {"name", it == meta.end() ? "" : it->second->name},
                                        {"rate", static_cast<double>(row_sum[r]) / secs},
                                        {"rates", std::move(per_cpu)}});
        }
        msg["irqs"] = std::move(irqs);
        json::array cpu_ids;
        for (auto c : shape.cpus) cpu_ids.push_back(c);
        msg["irq_cpus"] = std::move(cpu_ids);
    }
    msg["total_rate"] = static_cast<double>(total) / secs;
    return to_json_text(msg);
}

std::shared_ptr<const std::string> stream_hub::snapshot_for(const subscription& sub) const {
    return std::make_shared<const std::string>(build(sub, "snapshot"));
}

void stream_hub::on_sample() {
    ++tick_;
    std::unordered_map<std::string, std::shared_ptr<const std::string>> cache;
    // Copy: a deliver() may end in a close that leaves the hub.
    auto subs = subs_;
    for (auto* s : subs) {
        const auto& want = s->wants();
        if (tick_ % want.every != 0) continue;
        auto key = want.key();
        auto it = cache.find(key);
        if (it == cache.end()) {
            it = cache.emplace(key, std::make_shared<const std::string>(build(want, "sample"))).first;
            ++stats_.built;
        }
        ++stats_.messages;
        s->deliver(it->second);
    }
}

}  // namespace irqd::service
