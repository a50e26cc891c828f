// irqd: main(), wiring and signals. One thread runs one io_context: the sampler's timer, the HTTP
// and WebSocket sessions and the balancer's slices all take turns on it.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "irqd/core/version.hpp"
#include "irqd/service/affinity_writer.hpp"
#include "irqd/service/api.hpp"
#include "irqd/service/config.hpp"
#include "irqd/service/dashboard.hpp"
#include "irqd/service/http_server.hpp"
#include "irqd/service/log.hpp"
#include "irqd/service/metrics.hpp"
#include "irqd/service/openapi.hpp"
#include "irqd/service/sampler.hpp"
#include "irqd/service/simulated_machine.hpp"
#include "irqd/service/stream_hub.hpp"
#include "irqd/service/url.hpp"
#include "irqd/service/websocket_session.hpp"

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
    std::signal(SIGPIPE, SIG_IGN);

    boost::asio::io_context io{1};
    std::unique_ptr<simulated_machine> sim;
    if (cfg.simulate) {
        simulated_machine::options o{*cfg.simulate, cfg.simulate_speed, cfg.simulate_faults, {}};
        auto m = simulated_machine::create(o, std::chrono::system_clock::now());
        if (!m) {
            std::cerr << "irqd: " << m.error_message() << "\n";
            return 2;
        }
        sim = std::move(*m);
        cfg.procfs = sim->procfs();
        cfg.sysfs = sim->sysfs();
    }
    procfs_affinity_port real_port(cfg.procfs);
    affinity_port& port = sim ? static_cast<affinity_port&>(*sim) : real_port;

    sampler samples(io, cfg);
    if (sim) samples.before_sample = [&](core::clock_time t) { sim->advance(t); };
    affinity_writer writer(port, cfg.read_only);
    writer.on_written = [&](unsigned irq) { samples.refresh_irq(irq); };

    stream_hub hub(samples, cfg.limit.ws_max_subscribers);
    samples.add_observer([&] { hub.on_sample(); });

    api_context ctx{.config = cfg, .samples = samples, .writer = writer};
    ctx.simulated = sim != nullptr;
    ctx.hub = &hub;
    http_server server(
        io, cfg.limit, [&](request&& req, responder send) { handle_request(std::move(req), std::move(send), ctx); },
        [&](boost::beast::tcp_stream&& stream, request&& req) {
            auto t = parse_target(req.target());
            if (!t || t->path != "/api/v1/stream")
                return websocket_session::refuse(std::move(stream), req, 404, "not_found",
                                                 "WebSocket endpoint is /api/v1/stream");
            if (hub.full()) {
                ++hub.stats().rejected;
                return websocket_session::refuse(std::move(stream), req, 503, "too_many_subscribers",
                                                 "irqd is at its WebSocket subscriber limit");
            }
            std::make_shared<websocket_session>(std::move(stream), hub, cfg.limit)->run(std::move(req));
        });
    ctx.server = &server;
    metrics_renderer metrics({.samples = samples, .writer = writer, .server = &server, .hub = &hub});
    add_metrics_route(ctx, metrics);
    add_dashboard_routes(ctx);
    add_openapi_route(ctx);

    auto bound = server.listen(cfg.listen_address, cfg.port);
    if (!bound) {
        std::cerr << "irqd: " << bound.error_message() << "\n";
        return 1;
    }
    samples.start();
    if (!samples.has_sample())
        log(log_level::warn, "first_sample_failed", {{"reason", samples.stats().last_error}});

    std::string host = bound->address().is_v6() ? "[" + bound->address().to_string() + "]" : bound->address().to_string();
    std::cout << "irqd " << core::version() << " listening on http://" << host << ":" << bound->port() << "/";
    if (sim)
        std::cout << " (simulated machine: " << samples.latest().cpus.size() << " CPUs, " << sim->irq_count()
                  << " IRQs from " << cfg.simulate->string() << ", speed x" << cfg.simulate_speed << ")";
    std::cout << std::endl;
    log(log_level::info, "started",
        {{"listen", host + ":" + std::to_string(bound->port())},
         {"procfs", cfg.procfs.string()},
         {"simulated", sim ? "true" : "false"},
         {"read_only", cfg.read_only ? "true" : "false"}});

    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int sig) {
        if (ec) return;
        log(log_level::info, "stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
        server.stop();
        hub.stop();
        samples.stop();
    });
    io.run();
    log(log_level::info, "stopped");
    return 0;
}
