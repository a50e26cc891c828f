// Everything the daemon can be told, in one place: addresses, kernel roots, sampling, history,
// simulation, and every limit and timeout. Filled from the command line and config file (config.cpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "irqd/core/cpu_set.hpp"
#include "irqd/core/history.hpp"

namespace irqd::service {

enum class log_level { debug, info, warn, error };

struct limits {
    std::size_t body_limit = 1024 * 1024;            // bytes of one request body
    std::size_t header_limit = 8 * 1024;             // bytes of one request's headers
    std::chrono::seconds read_timeout{15};           // a whole request (or keep-alive wait) must arrive within this
    std::size_t max_connections = 512;               // TCP connections at once (WebSocket ones count until upgraded)
    std::size_t max_unix_connections = 64;           // --unix-socket connections at once, apart from TCP's
    std::size_t ws_max_subscribers = 2048;
    std::size_t ws_queue_limit = 4;                  // messages queued per subscriber before coalescing
    std::size_t ws_message_limit = 64 * 1024;        // bytes of one incoming WebSocket message
    std::size_t ws_max_lag = 16;                     // samples a subscriber may fall behind before it is closed
    std::chrono::milliseconds accept_pause{100};     // accepting pauses this long after accept() fails (EMFILE...)
    std::chrono::milliseconds stop_grace{1000};      // at SIGTERM, connections still open after this are closed
    std::size_t answer_cache_entries = 256;          // GET answers kept until the next sample (api.cpp)
    std::size_t answer_cache_bytes = 64 * 1024 * 1024;   // and their bytes, together
    std::size_t query_slice_cells = 2'000'000;       // window sums: cell additions per io_context turn (~1.5 ms)
};

// Who may talk to irqd from a browser (docs/security.md): Host names besides IP literals and
// localhost, and Origins besides the Host's own. "*" admits any.
struct browser_policy {
    std::vector<std::string> allowed_hosts;          // lower case, without a port
    std::vector<std::string> allowed_origins;        // lower case, "scheme://host[:port]"
};

// Balancing as a service (balance_service): defaults of a plan request and the auto mode.
struct balance_settings {
    std::chrono::milliseconds interval{0};           // auto mode re-plans this often; 0 = off
    std::chrono::milliseconds window{5 * 60 * 1000}; // rates over the last this long
    double min_improvement = 0.05;                   // relative drop of the busiest CPU's load below which nothing moves
    double tolerance = 0.01;                         // fewest moves within this fraction above the best max load
    bool distinct = false;                           // policy balance: a device's queues on distinct CPUs where it can
    std::optional<core::cpu_set> cpus;               // plans spread over these; unset: online - isolated - nohz_full - banned
    std::string numa = "prefer";                     // prefer, require or ignore (see balance_plan.hpp)
    std::string policy = "balance";                  // balance or spread (every NIC's queues)
    std::optional<std::size_t> max_moves;            // a plan moves at most this many IRQs; unset: no cap
    std::chrono::milliseconds oneshot_window{10000}; // --oneshot samples at least this long before planning
    core::cpu_set banned_cpus;                       // never given IRQs (besides isolated and nohz_full CPUs)
    std::vector<std::string> banned_irqs;            // IRQ numbers or name globs that are never moved
    bool oneshot = false;                            // sample briefly, plan, apply, print, exit
    std::uint64_t slice_work = 2000;                 // balancer work units per io_context turn (~0.5 ms)
    std::size_t history_limit = 32;                  // applied plans kept for GET /api/v1/balance/history
    std::size_t journal_limit = 16;                  // previous placements kept for revert
    std::size_t plans_limit = 32;                    // plans kept for POST /api/v1/balance/plans/{id}/apply
};

struct settings {
    std::string listen_address = "127.0.0.1";
    unsigned short port = 8080;
    bool listen_tcp = true;                          // false with --listen none: the Unix socket only
    bool allow_remote = false;                       // a non-loopback listen address needs this
    std::filesystem::path unix_socket;               // empty: none; else the API on this Unix stream socket too
    unsigned unix_socket_mode = 0660;                // its permission bits, whatever the umask
    browser_policy browser;                          // --allowed-host, --allowed-origin
    std::filesystem::path token_file;                // empty: no token; else changes need its bearer token
    bool token_required_for_reads = false;           // the token is needed for GETs and the stream too
    std::filesystem::path state_file = "/var/lib/irqd/state.json";   // saved affinities; empty: not saved
    bool state_file_given = false;                   // false: the default (--simulate uses its own dir)
    bool restore = true;                             // re-apply the saved affinities at start
    std::chrono::seconds state_prune_after{30 * 24 * 3600};  // saved entries of IRQs absent this long go; 0: kept
    std::filesystem::path procfs = "/proc";
    std::filesystem::path sysfs = "/sys";
    std::chrono::milliseconds interval{1000};        // sampling period
    std::chrono::milliseconds topology_interval{10000};  // CPU topology and device files re-read period
    std::chrono::milliseconds irq_files_interval{10000}; // every IRQ's affinity lists re-read once per this
    std::vector<core::tier_config> history = core::default_tiers();
    bool history_given = false;                      // --history was set: kept even when it is large
    std::size_t history_memory = std::size_t{256} << 20;  // bytes the default tiers are fitted into
    double overload_share = 0.5;                     // a CPU spending more of its time in irq + softirq is overloaded
    std::optional<std::filesystem::path> simulate;   // rates file; the machine is simulated when set
    double simulate_speed = 1.0;                     // simulated time runs this many times faster
    double simulate_capacity = 1e6;                  // packets/s a simulated CPU's NET_RX can process
    std::optional<std::filesystem::path> simulate_faults;  // "IRQ ERRNO" lines the simulated kernel obeys
    bool read_only = false;
    log_level level = log_level::info;
    limits limit;
    balance_settings balance;
};

}  // namespace irqd::service
