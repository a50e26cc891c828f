// What happened to the IRQ placement, for charts and people: applied plans, reverts and other
// affinity changes, the last event_log::limit kept for GET /api/v1/events and each one handed to the
// stream's subscribers as {"type":"event", ...} as it happens.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "irqd/core/time_parse.hpp"
#include "irqd/service/affinity_writer.hpp"

namespace irqd::service {

struct placement_event {
    core::clock_time time;
    std::string type;                      // plan_applied | revert | affinity
    std::string summary;                   // one line for people
    std::string source;                    // api | auto | irqctl | restore | oneshot
    std::size_t irqs = 0;                  // IRQs whose affinity changed
    std::optional<std::string> plan_id;
};
boost::json::object event_json(const placement_event& e);

class event_log {
public:
    static constexpr std::size_t limit = 1000;

    // A writer batch is an event of its own unless the balancer records it as a plan or a revert on
    // the same turn (it does so right after the writer's observers ran): `post` defers the decision.
    std::function<void(std::function<void()>)> post;
    std::function<void(const placement_event&)> on_event;   // the stream's broadcast

    // Who asks for the affinity changes that follow (api, irqctl, restore): the API sets it per request,
    // startup around the restore.
    void set_source(std::string source) { source_ = std::move(source); }
    // The writer's applied observer.
    void applied(const std::vector<affinity_outcome>& outcomes, core::clock_time now);
    // An entry of the balancer's history (kind "plan" or "revert").
    void balance_recorded(const boost::json::object& entry, core::clock_time now);
    void add(placement_event e);

    // Oldest first, those whose time lies in [from, to].
    std::vector<const placement_event*> between(core::clock_time from, core::clock_time to) const;
    std::size_t size() const { return events_.size(); }

private:
    void flush();
    std::deque<placement_event> events_;
    std::optional<placement_event> pending_;
    std::string source_ = "api";
};

}  // namespace irqd::service
