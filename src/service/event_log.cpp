// The placement events: a writer batch waits one turn for the balancer to claim it as a plan or a
// revert, then becomes an "affinity" event; every event is kept (bounded) and handed to the stream.
#include "irqd/service/event_log.hpp"

#include <algorithm>

namespace irqd::service {
namespace json = boost::json;

namespace {

std::string irq_count(std::size_t n) { return std::to_string(n) + (n == 1 ? " IRQ" : " IRQs"); }

std::string id_text(const json::value* v) {
    if (!v) return {};
    if (v->is_string()) return std::string(v->as_string());
    if (v->is_uint64()) return std::to_string(v->as_uint64());
    if (v->is_int64()) return std::to_string(v->as_int64());
    return {};
}

std::size_t size_of(const json::value* v) {
    if (v && v->is_uint64()) return static_cast<std::size_t>(v->as_uint64());
    if (v && v->is_int64() && v->as_int64() > 0) return static_cast<std::size_t>(v->as_int64());
    return 0;
}

}  // namespace

json::object event_json(const placement_event& e) {
    return json::object{{"time", core::format_rfc3339(e.time)},
                        {"type", e.type},
                        {"summary", e.summary},
                        {"source", e.source},
                        {"irqs", e.irqs},
                        {"plan_id", e.plan_id ? json::value(*e.plan_id) : json::value(nullptr)}};
}

void event_log::applied(const std::vector<affinity_outcome>& outcomes, core::clock_time now) {
    std::vector<const affinity_outcome*> changed;
    for (const auto& o : outcomes)
        if (o.changed) changed.push_back(&o);
    const std::string& source = source_;
    if (changed.empty()) return;
    placement_event e{now, "affinity", {}, source, changed.size(), std::nullopt};
    if (changed.size() == 1)
        e.summary = "IRQ " + std::to_string(changed[0]->irq) + " set to CPUs " + changed[0]->requested.to_list() +
                    " (" + source + ")";
    else
        e.summary = irq_count(changed.size()) + " moved (" + source + ")";
    if (pending_) flush();
    pending_ = std::move(e);
    if (post) post([this] { flush(); });
    else flush();
}

void event_log::balance_recorded(const json::object& entry, core::clock_time now) {
    pending_.reset();   // the writer batch just observed was this plan or revert
    const auto* kind = entry.if_contains("kind");
    const auto* trigger = entry.if_contains("trigger");
    placement_event e;
    e.time = now;
    e.source = trigger && trigger->is_string() ? std::string(trigger->as_string()) : "api";
    e.irqs = size_of(entry.if_contains("changed"));
    if (kind && kind->is_string() && kind->as_string() == "revert") {
        e.type = "revert";
        e.plan_id = id_text(entry.if_contains("reverts"));
        e.summary = "plan " + *e.plan_id + " reverted: " + irq_count(e.irqs) + " put back (" + e.source + ")";
    } else {
        e.type = "plan_applied";
        e.plan_id = id_text(entry.if_contains("id"));
        e.summary = "plan " + *e.plan_id + " applied: " + irq_count(size_of(entry.if_contains("move_count"))) +
                    " moved, " + std::to_string(e.irqs) + " changed (" + e.source + ")";
    }
    add(std::move(e));
}

void event_log::flush() {
    if (!pending_) return;
    auto e = std::move(*pending_);
    pending_.reset();
    add(std::move(e));
}

void event_log::add(placement_event e) {
    events_.push_back(std::move(e));
    while (events_.size() > limit) events_.pop_front();
    if (on_event) on_event(events_.back());
}

std::vector<const placement_event*> event_log::between(core::clock_time from, core::clock_time to) const {
    std::vector<const placement_event*> out;
    for (const auto& e : events_)
        if (e.time >= from && e.time <= to) out.push_back(&e);
    return out;
}

}  // namespace irqd::service
