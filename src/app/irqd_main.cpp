// irqd: main() and wiring (signals: service/signals.cpp). One thread runs one io_context: the
// sampler's timer, the HTTP and WebSocket sessions and the balancer's slices all take turns on it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "irqd/core/version.hpp"
#include "irqd/service/access.hpp"
#include "irqd/service/affinity_writer.hpp"
#include "irqd/service/api.hpp"
#include "irqd/service/balance_request.hpp"
#include "irqd/service/balance_service.hpp"
#include "irqd/service/config.hpp"
#include "irqd/service/cpu_load.hpp"
#include "irqd/service/dashboard.hpp"
#include "irqd/service/event_log.hpp"
#include "irqd/service/fd_limit.hpp"
#include "irqd/service/http_server.hpp"
#include "irqd/service/json_text.hpp"
#include "irqd/service/log.hpp"
#include "irqd/service/metrics.hpp"
#include "irqd/service/openapi.hpp"
#include "irqd/service/sampler.hpp"
#include "irqd/service/signals.hpp"
#include "irqd/service/simulated_machine.hpp"
#include "irqd/service/state_file.hpp"
#include "irqd/service/stream_hub.hpp"
#include "irqd/service/url.hpp"
#include "irqd/service/websocket_session.hpp"
#include "oneshot.hpp"

using namespace irqd;
using namespace irqd::service;

int main(int argc, char** argv) {
    auto parsed = parse_config(std::vector<std::string>(argv + 1, argv + argc));
    if (!parsed) {
        std::cerr << "irqd: " << parsed.error_message() << " (see irqd --help)\n";
        return 2;
    }
    if (parsed->show_help) {
        std::cout << parsed->help_text;
        return 0;
    }
    if (parsed->show_version) {
        std::cout << "irqd " << core::version() << "\n";
        return 0;
    }
    settings cfg = parsed->values;
    set_log_level(cfg.level);
    raise_fd_limit(fds_needed(cfg));
    std::signal(SIGPIPE, SIG_IGN);
    std::optional<access_guard> access;
    if (!cfg.token_file.empty()) {
        auto g = access_guard::from_file(cfg.token_file, cfg.token_required_for_reads);
        if (!g) {
            std::cerr << "irqd: " << g.error_message() << "\n";
            return 2;
        }
        access = std::move(*g);
    }

    boost::asio::io_context io{1};
    std::unique_ptr<simulated_machine> sim;
    if (cfg.simulate) {
        simulated_machine::options o{*cfg.simulate, cfg.simulate_speed, cfg.simulate_faults, {}, cfg.simulate_capacity};
        auto m = simulated_machine::create(o, std::chrono::system_clock::now());
        if (!m) {
            std::cerr << "irqd: " << m.error_message() << "\n";
            return 2;
        }
        sim = std::move(*m);
        cfg.procfs = sim->procfs();
        cfg.sysfs = sim->sysfs();
        // A demo never touches /var/lib: its saved affinities live and die with the simulated machine.
        if (!cfg.state_file_given) cfg.state_file = sim->procfs().parent_path() / "state.json";
    } else if (!cfg.state_file_given && cfg.procfs != "/proc") {
        // The default file holds the real kernel's placements: a fake --procfs root neither reads nor
        // overwrites it (tests never touch /var/lib). An explicit --state-file is used as given.
        cfg.state_file.clear();
    }
    procfs_affinity_port real_port(cfg.procfs);
    affinity_port& port = sim ? static_cast<affinity_port&>(*sim) : real_port;

    sampler samples(io, cfg);
    if (sim) samples.before_sample = [&](core::clock_time t) { sim->advance(t); };
    affinity_writer writer(port, cfg.read_only);
    writer.on_written = [&](unsigned irq) { samples.refresh_irq(irq); };
    writer.post = [&io](std::function<void()> f) { boost::asio::post(io, std::move(f)); };
    auto row_of = [&](unsigned irq) -> const core::irq_row* {
        auto r = samples.latest().find_row(std::to_string(irq));
        return r ? &samples.latest().rows[*r] : nullptr;
    };
    writer.identity = [&](unsigned irq) {
        auto* r = row_of(irq);
        return r ? r->chip + " " + r->hwirq + " " + r->name : std::string();
    };
    // Saved affinities: every applied change, whoever made it, goes through the writer's observers.
    std::optional<state_store> state;
    if (!cfg.state_file.empty() && !cfg.read_only) {
        if (auto why = state_store::refuse(cfg.state_file)) {
            std::cerr << "irqd: " << *why << "\n";
            return 2;
        }
        state.emplace(cfg.state_file);
        auto name_of = [&](unsigned irq) { auto* r = row_of(irq); return r ? r->name : std::string(); };
        writer.add_applied_observer([&, name_of](const std::vector<affinity_outcome>& outs) {
            state->record(outs, name_of, std::chrono::system_clock::now());
        });
        // The batch journal: a batch cut short by kill -9 is undone at the next start.
        writer.on_batch_start = [&, name_of](const std::vector<affinity_change>& previous) {
            state->begin_batch(previous, name_of, std::chrono::system_clock::now());
        };
        writer.on_batch_end = [&] { state->end_batch(); };
    }
    event_log events;
    events.post = writer.post;
    writer.add_applied_observer([&](const std::vector<affinity_outcome>& outs) {
        events.applied(outs, std::chrono::system_clock::now());
    });
    balance_service balancing(io, cfg, samples, writer);
    balancing.on_record = [&](const boost::json::object& entry) {
        events.balance_recorded(entry, std::chrono::system_clock::now());
    };
    if (cfg.balance.oneshot) return app::run_oneshot(io, cfg, samples, balancing, std::cout);
    signal_handler signals(io, std::vector<std::string>(argv + 1, argv + argc));

    stream_hub hub(samples, cfg.limit.ws_max_subscribers);
    hub.overload_share = cfg.overload_share;
    samples.add_observer([&] { hub.on_sample(); });

    api_context ctx{.config = cfg, .samples = samples, .writer = writer};
    ctx.simulated = sim != nullptr;
    ctx.hub = &hub;
    answer_cache answers(cfg.limit.answer_cache_entries, cfg.limit.answer_cache_bytes);
    ctx.answers = &answers;
    ctx.io = &io;
    // A sample makes every kept answer old: free them now rather than at the next request.
    samples.add_observer([&] { answers.clear(); });
    ctx.health_sections.push_back(
        {.add = [&](boost::json::object& o) {
             const auto& n = answers.counters();
             o["answer_cache"] = boost::json::object{{"entries", answers.size()}, {"bytes", answers.bytes()},
                                                     {"hits", n.hits}, {"misses", n.misses}};
         },
         .key = [&](health_key& k) {
             k.insert(k.end(), {answers.size(), answers.bytes(), answers.counters().hits, answers.counters().misses});
         }});
    ctx.events = &events;
    events.on_event = [&](const placement_event& e) {
        // The event's fields beside "type":"event" (its own type as "event_type"), and the whole
        // object as "event", exactly as GET /api/v1/events lists it.
        auto message = event_json(e);
        message["event"] = event_json(e);
        message["event_type"] = e.type;
        message["type"] = "event";
        hub.broadcast(std::make_shared<const std::string>(to_json_text(message)));
    };
    http_server server(
        io, cfg.limit, [&](request&& req, responder send) { handle_request(std::move(req), std::move(send), ctx); },
        [&](server_stream&& stream, request&& req, boost::beast::flat_buffer&& early) {
            accept_stream_upgrade(std::move(stream), std::move(req), std::move(early), hub, cfg.limit,
                                  access ? &*access : nullptr);
        });
    ctx.server = &server;
    server.set_browser_policy(cfg.browser);
    add_balance_routes(ctx, balancing);
    metrics_renderer metrics({.samples = samples,
                              .writer = writer,
                              .server = &server,
                              .hub = &hub,
                              .balance_runs = [&] { return balancing.runs(); }});
    add_metrics_route(ctx, metrics);
    add_dashboard_routes(ctx);
    add_openapi_route(ctx);
    add_cpu_load_routes(ctx);

    // Where the API answers, as printed and in /health: "http://127.0.0.1:8080/", "unix:/run/irqd/irqd.sock".
    std::vector<std::string> listeners;
    std::string tcp_address = "none";
    if (cfg.listen_tcp) {
        auto bound = server.listen(cfg.listen_address, cfg.port);
        if (!bound) {
            std::cerr << "irqd: " << bound.error_message() << "\n";
            return 1;
        }
        auto ip = bound->address().to_string();
        tcp_address = (bound->address().is_v6() ? "[" + ip + "]" : ip) + ":" + std::to_string(bound->port());
        listeners.push_back("http://" + tcp_address + "/");
    }
    if (!cfg.unix_socket.empty()) {
        auto made = server.listen_unix(cfg.unix_socket, cfg.unix_socket_mode);
        if (!made) {
            std::cerr << "irqd: " << made.error_message() << "\n";
            return 1;
        }
        listeners.push_back("unix:" + cfg.unix_socket.string());
    }
    ctx.health_sections.push_back({.add =
                                       [&](boost::json::object& o) {
                                           boost::json::array a;
                                           for (const auto& l : listeners) a.emplace_back(l);
                                           o["listeners"] = std::move(a);
                                       },
                                   .key = [](health_key&) {}});   // fixed at start
    samples.start();
    if (!samples.has_sample())
        log(log_level::warn, "first_sample_failed", {{"reason", samples.stats().last_error}});
    // First what a killed irqd left half written (whatever --restore says: a batch is all or
    // nothing), then the saved choices.
    restore_report undone;
    if (state && !state->interrupted().empty()) {
        undone = undo_interrupted_batch(state->interrupted(), port, samples.latest());
        for (const auto& e : state->interrupted()) samples.refresh_irq(e.irq);
        state->end_batch();
    }
    restore_report restored;
    if (state && cfg.restore) {
        events.set_source("restore");
        restored = restore_affinities(state->entries(), writer, samples.latest(), samples.online_cpus());
        events.set_source("api");
    } else if (cfg.restore && cfg.read_only) {
        log(log_level::info, "restore_skipped", {{"reason", "--read-only"}});
    }
    if (state && samples.has_sample())
        state->prune(samples.latest(), std::chrono::system_clock::now(), cfg.state_prune_after);
    ctx.access = access ? &*access : nullptr;
    // restored and undone are final from here on; the store moves with writes and prunes.
    ctx.health_sections.push_back(
        {.add = [&](boost::json::object& o) { add_state_health(o, state ? &*state : nullptr, restored, undone); },
         .key = [&](health_key& k) { add_state_health_key(k, state ? &*state : nullptr); }});
    balancing.start_auto();

    std::cout << "irqd " << core::version() << " listening on " << listeners.front();
    if (listeners.size() > 1) std::cout << " and " << listeners.back();
    if (sim)
        std::cout << " (simulated machine: " << samples.latest().cpus.size() << " CPUs, " << sim->irq_count()
                  << " IRQs from " << cfg.simulate->string() << ", speed x" << cfg.simulate_speed << ")";
    std::cout << std::endl;
    log(log_level::info, "started",
        {{"listen", tcp_address},
         {"unix_socket", cfg.unix_socket.empty() ? "none" : cfg.unix_socket.string()},
         {"procfs", cfg.procfs.string()},
         {"simulated", sim ? "true" : "false"},
         {"read_only", cfg.read_only ? "true" : "false"}});

    signals.on_stop = [&](const char*) {
        // A batch half written is rolled back (its client gets 503), so what the state file says holds.
        writer.abort_batch();
        server.stop();
        hub.stop();
        samples.stop();
        balancing.stop();
    };
    io.run();
    log(log_level::info, "stopped");
    return 0;
}
