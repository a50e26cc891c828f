// The live stream's hub: knows the subscribers (an abstract interface, not Beast), turns each sample
// into messages, and shares one message among all subscribers that asked for the same thing.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "irqd/core/irq_selection.hpp"
#include "irqd/core/result.hpp"
#include "irqd/service/sampler.hpp"

namespace irqd::service {

// What a subscriber wants, from its {"type":"subscribe", ...} message.
struct subscription {
    bool cpus = true;                      // per-CPU rates
    core::irq_selection rows;              // these IRQs, or those whose name (or id) matches a glob,
                                           // limited to the N busiest (no IRQs at all when it has no filter)
    std::string netdev, driver, device;    // and of this interface, driver, PCI device (irq_devices)
    unsigned every = 1;                    // one message per this many samples
    std::string key;                       // equal keys receive the same shared message (ids sorted)
    std::size_t key_hash = 0;              // of `key`, once: a key of thousands of ids is not hashed per sample
};
// At most core::max_selected_ids ids; each message then costs one hash look-up per row, whatever the list.
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

    bool join(subscriber* s);              // false when full or stopped
    void leave(subscriber* s);
    void stop();                           // closes every subscriber (graceful shutdown)
    bool stopped() const { return stopped_; }
    std::size_t size() const { return subs_.size(); }
    bool full() const { return subs_.size() >= max_; }

    // Called by the sampler after each sample: sends every due subscriber its message.
    void on_sample();
    // One message for every subscriber, whatever it subscribed to (type "event").
    void broadcast(std::shared_ptr<const std::string> message);
    // The message a new or re-subscribing client gets at once (type "snapshot").
    std::shared_ptr<const std::string> snapshot_for(const subscription& sub) const;

    hub_stats& stats() { return stats_; }

private:
    // The pieces every message of the newest sample shares (see stream_hub.cpp).
    struct sample_parts {
        std::uint64_t generation = 0;
        bool valid = false;
        std::vector<std::size_t> columns;
        core::selected_rows all;
        std::string cpus, irq_cpus;                           // JSON text of "cpus" and "irq_cpus"
        std::vector<std::string> rows;                        // per layout row; empty until first shown
        std::unordered_map<std::string_view, const std::string*> names;
    };
    const sample_parts& parts() const;
    const std::string& row_text(std::size_t row, std::uint64_t row_total) const;
    std::string build(const subscription& sub, std::string_view type) const;

    const sampler& sampler_;
    std::size_t max_;
    std::vector<subscriber*> subs_;
    bool stopped_ = false;                 // a handshake that ends after stop() is not let in
    std::uint64_t tick_ = 0;
    hub_stats stats_;
    mutable sample_parts parts_;
};

}  // namespace irqd::service
