// The open-file limit at start: what the configured limits need, raised up to the hard limit, never
// lowered. Each case runs in a child process, so the test's own limit is left alone.
#define BOOST_TEST_MODULE fd_limit
#include <boost/test/unit_test.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "irqd/service/fd_limit.hpp"
#include "irqd/service/log.hpp"

using namespace irqd::service;

namespace {
// Runs `body` in a child with the soft and hard limits given; its return value is the exit status.
int in_child(rlim_t soft, rlim_t hard, const std::function<int()>& body) {
    pid_t pid = ::fork();
    if (pid == 0) {
        rlimit lim{soft, hard};
        if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) ::_exit(100);
        set_log_level(log_level::error);   // the warning is not the test's output
        ::_exit(body());
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 200;
}

rlim_t soft_limit() {
    rlimit lim{};
    ::getrlimit(RLIMIT_NOFILE, &lim);
    return lim.rlim_cur;
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_need_is_every_connection_and_subscriber_plus_a_margin) {
    settings s;
    BOOST_TEST(fds_needed(s) == 512u + 2048u + 64u);   // TCP only by default
    s.unix_socket = "/run/irqd/irqd.sock";
    BOOST_TEST(fds_needed(s) == 512u + 64u + 2048u + 64u);
    s.listen_tcp = false;
    BOOST_TEST(fds_needed(s) == 64u + 2048u + 64u);
}

BOOST_AUTO_TEST_CASE(the_soft_limit_is_raised_up_to_the_hard_one_and_never_lowered) {
    // Room under the hard limit: raised to the need exactly.
    BOOST_TEST(in_child(256, 1024, [] { return raise_fd_limit(600) == 600 && soft_limit() == 600 ? 0 : 1; }) == 0);
    // Not enough: up to the hard limit, and what is in force is said.
    BOOST_TEST(in_child(256, 512, [] { return raise_fd_limit(3000) == 512 && soft_limit() == 512 ? 0 : 1; }) == 0);
    // Already more than needed: left as it is.
    BOOST_TEST(in_child(900, 1024, [] { return raise_fd_limit(300) == 900 && soft_limit() == 900 ? 0 : 1; }) == 0);
}
