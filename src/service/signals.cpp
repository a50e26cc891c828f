// The daemon's signals: stop gracefully, reload the log level, or log and ignore (signals.hpp).
#include "irqd/service/signals.hpp"

#include <csignal>

#include "irqd/service/config.hpp"
#include "irqd/service/log.hpp"

namespace irqd::service {
namespace {
constexpr int handled[] = {SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM};
}  // namespace

const char* signal_name(int sig) {
    switch (sig) {
        case SIGINT: return "SIGINT";
        case SIGTERM: return "SIGTERM";
        case SIGQUIT: return "SIGQUIT";
        case SIGHUP: return "SIGHUP";
        case SIGUSR1: return "SIGUSR1";
        case SIGUSR2: return "SIGUSR2";
        case SIGALRM: return "SIGALRM";
    }
    return "signal";
}

signal_handler::signal_handler(boost::asio::io_context& io, std::vector<std::string> config_args)
    : io_(io), set_(io), config_args_(std::move(config_args)) {
    for (int sig : handled) set_.add(sig);
    wait();
}

signal_handler::~signal_handler() {
    // Past this point main is returning (the simulated machine may still be removing its files): a
    // late SIGTERM must not turn a clean exit into death by signal. clear() first, since the set
    // puts back the default actions when it lets its signals go.
    boost::system::error_code ec;
    set_.clear(ec);
    for (int sig : handled) std::signal(sig, SIG_IGN);
}

void signal_handler::wait() {
    set_.async_wait([this](boost::system::error_code ec, int sig) {
        if (ec) return;
        const char* name = signal_name(sig);
        if (sig == SIGINT || sig == SIGTERM || sig == SIGQUIT) {
            stopping_ = true;
            log(log_level::info, "stopping", {{"signal", name}});
            if (on_stop) on_stop(name);
            else io_.stop();
        } else if (sig == SIGHUP) {
            reload();
        } else {
            log(log_level::info, "signal_ignored", {{"signal", name}});
        }
        // Not while stopping: io_context::run() must run out of work. The set stays open until main
        // returns, so a second signal is queued, not taken by its default action.
        if (!stopping_) wait();
    });
}

void signal_handler::reload() {
    auto parsed = parse_config(config_args_);
    if (!parsed) {
        log(log_level::error, "reload_failed", {{"signal", "SIGHUP"}, {"reason", parsed.error_message()}, {"kept", "everything"}});
        return;
    }
    set_log_level(parsed->values.level);
    log(log_level::info, "reloaded",
        {{"signal", "SIGHUP"}, {"log_level", log_level_name(parsed->values.level)},
         {"note", "other options take effect at the next start"}});
}

}  // namespace irqd::service
