// Every signal whose default action would kill irqd (no rollback of a running batch, no log line, the
// Unix socket left behind, and for SIGHUP a death systemd calls clean) gets an answer instead.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <functional>
#include <string>
#include <vector>

namespace irqd::service {

// SIGINT, SIGTERM, SIGQUIT: on_stop (a graceful stop: a running batch is rolled back); later signals
// are held, not acted on, while the daemon winds down. SIGHUP: the configuration is read again (the same command line and
// --config file) and its log level applied; everything else takes effect at the next start, and a
// configuration that no longer parses is logged and changes nothing. SIGUSR1, SIGUSR2, SIGALRM:
// logged and ignored. Create it after the last io_context::run() that must return by itself (it keeps
// one wait pending until a stop signal); a signal that arrives before run() waits for it.
class signal_handler {
public:
    signal_handler(boost::asio::io_context& io, std::vector<std::string> config_args);
    ~signal_handler();   // the signals are ignored from here to the exit
    signal_handler(const signal_handler&) = delete;
    signal_handler& operator=(const signal_handler&) = delete;

    std::function<void(const char* signal)> on_stop;   // unset: the io_context is stopped

private:
    void wait();
    void reload();

    boost::asio::io_context& io_;
    boost::asio::signal_set set_;
    std::vector<std::string> config_args_;
    bool stopping_ = false;
};

const char* signal_name(int sig);   // "SIGHUP", ...; "signal N" for others

}  // namespace irqd::service
