// The live stream's hub: knows the subscribers (an abstract interface, not Beast), turns each sample
// into messages, and shares one message among all subscribers that asked for the same thing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irqd/core/result.hpp"
#include "irqd/service/sampler.hpp"

namespace irqd::service {

// What a subscriber wants, from its {"type":"subscribe", ...} message.
struct subscription {
    bool cpus = true;                      // per-CPU rates
    std::vector<std::string> irq_ids;      // these IRQs ...
    std::string pattern;                   // ... or those whose name (or id) matches this glob ...
    std::string netdev, driver, device;    // ... of this interface, driver, PCI device (irq_devices) ...
    std::size_t top = 0;                   // ... limited to the N busiest (0 = no limit; no IRQs at all when
                                           //     neither ids, pattern, a device filter nor top is given)
    unsigned every = 1;                    // one message per this many samples
    std::string key() const;               // equal keys receive the same shared message
};
core::result<subscription> parse_subscription(std::string_view json_text);

class subscriber {
public:
    virtual ~subscriber() = default;
    virtual void deliver(std::shared_ptr<const std::string> message) = 0;
    virtual const subscription& wants() const = 0;
    virtual void stop() = 0;               // the daemon is stopping: say goodbye and close
};

struct hub_stats {
    std::uint64_t messages = 0;            // messages handed to subscribers
    std::uint64_t built = 0;               // distinct messages serialised
    std::uint64_t coalesced = 0;           // dropped in favour of a newer state (slow consumers)
    std::uint64_t closed_slow = 0;         // subscribers closed for staying behind
    std::uint64_t rejected = 0;            // upgrades refused at the subscriber limit
};

class stream_hub {
public:
    stream_hub(const sampler& s, std::size_t max_subscribers) : sampler_(s), max_(max_subscribers) {}
    double overload_share = 0.5;   // --overload-share, for the cpus' overloaded verdict

    bool join(subscriber* s);              // false when full
    void leave(subscriber* s);
    void stop();                           // closes every subscriber (graceful shutdown)
    std::size_t size() const { return subs_.size(); }
    bool full() const { return subs_.size() >= max_; }

    // Called by the sampler after each sample: sends every due subscriber its message.
    void on_sample();
    // The message a new or re-subscribing client gets at once (type "snapshot").
    std::shared_ptr<const std::string> snapshot_for(const subscription& sub) const;

    hub_stats& stats() { return stats_; }

private:
    std::string build(const subscription& sub, std::string_view type) const;

    const sampler& sampler_;
    std::size_t max_;
    std::vector<subscriber*> subs_;
    std::uint64_t tick_ = 0;
    hub_stats stats_;
};

}  // namespace irqd::service
