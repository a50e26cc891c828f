// irqctl's command line: global options (accepted before or after the verb), the verb, and each
// verb's own options, checked here so a mistake is a usage error (exit 2) before any request.
#pragma once

#include <chrono>
#include <cstdlib>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "irqd/client/affinity_plan.hpp"
#include "irqd/client/http_client.hpp"
#include "irqd/core/result.hpp"

namespace irqd::client {

inline constexpr std::string_view default_url = "http://127.0.0.1:8080";

struct global_options {
    base_url url;                                  // --url, else $IRQCTL_URL, else default_url
    bool json = false;                             // print the server's JSON (or the offline plan's)
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    bool help = false;
    bool version = false;
};

// A time window as the API takes it; empty strings are "not given" (the server's default is 60s).
struct window_options {
    std::string window;                            // a duration: "60s", "5m"
    std::string from, to;                          // RFC 3339 or Unix seconds
};

inline constexpr std::size_t default_overview_top = 20;

struct overview_options {
    window_options when;
    std::string cpus;                              // a CPU list, passed to the server
    bool every_cpu = false;                        // a column for every CPU: --cpus all or a CPU list
    std::size_t top = default_overview_top;        // 0 = every IRQ (--top all)
    std::string sort = "load";                     // load (= rate) | rate | irq | name
    std::string name;                              // a glob over IRQ names (or ids)
    std::string netdev, driver, device;            // only IRQs of this interface, driver, PCI device
    bool exact = false;                            // no compact numbers, even on a terminal
};

struct devices_options {
    window_options when;
    bool exact = false;
};

struct summary_options {
    window_options when;
    std::string sort;                              // cpu | rate (= load); parse_command_line makes none cpu
    bool sort_given = false;                       // --top alone sorts by rate
    std::optional<std::size_t> top;                // --top N; 0 = every CPU (--top all); none = summary_view's default
    bool exact = false;
};

struct show_options {
    std::string irq;                               // a number or a row name like NMI
    window_options when;
};

struct health_options {};
struct history_options {
    window_options when;                           // of the events (default 1h)
};

struct set_options {
    std::vector<planned_change> changes;           // from IRQ CPUS pairs
    std::string file;                              // or a plan file ("-" = stdin)
    bool mask = false;
};

struct balance_options {
    std::string file;                              // empty = ask the daemon
    std::string cpus;                              // empty = the file's CPUs (the daemon's choice)
    // Against the daemon only:
    bool apply = false;
    std::string window;                            // empty = the daemon's default (5m)
    std::optional<std::size_t> max_moves;
    std::optional<double> min_improvement;
    std::optional<double> tolerance;
    std::string numa;                              // empty = the daemon's default
    std::string banned_cpus;                       // on top of irqd's --banned-cpus
    std::vector<std::string> banned_irqs;          // numbers or name globs, on top of irqd's --banned-irqs
    std::string policy;                            // empty = the daemon's default (balance)
    std::vector<std::string> devices, netdevs;     // what --policy spread spreads
    bool distinct = false;                         // each device's queues on distinct CPUs where it can
};

struct revert_options {};

struct apply_options {
    std::uint64_t plan_id = 0;                     // a plan irqd made (irqctl balance prints its id)
};

struct watch_options {
    std::size_t top = 10;                          // busiest IRQs shown
    unsigned every = 1;                            // one update per this many samples
    std::string name;                              // a glob over IRQ names (or ids)
    std::size_t count = 0;                         // exit after this many samples; 0 = until q
};

using verb_options =
    std::variant<std::monostate, overview_options, summary_options, set_options, balance_options, watch_options,
                 revert_options, devices_options, show_options, health_options, history_options,
                 apply_options>;

struct invocation {
    global_options global;
    std::string verb;                              // empty when only --help/--version was given
    verb_options options;                          // monostate with --help
};

// `args` without the program name; `url_env` is $IRQCTL_URL (or null), `token_env` $IRQCTL_TOKEN_FILE.
// Errors are one sentence that ends with a pointer to the right --help.
core::result<invocation> parse_command_line(const std::vector<std::string>& args, const char* url_env,
                                           const char* token_env = std::getenv("IRQCTL_TOKEN_FILE"));

// `irqctl --help` (verb empty) or `irqctl VERB --help`.
std::string help_text(std::string_view verb);

}  // namespace irqd::client
