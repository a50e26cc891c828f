// Raising RLIMIT_NOFILE at start: upstart, SysV init and a shell often leave irqd 1024 descriptors,
// fewer than --max-connections plus --ws-max-subscribers.
#include "irqd/service/fd_limit.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "irqd/service/log.hpp"

namespace irqd::service {

std::size_t fds_needed(const settings& s) {
    constexpr std::size_t margin = 64;
    return (s.listen_tcp ? s.limit.max_connections : 0) + (s.unix_socket.empty() ? 0 : s.limit.max_unix_connections) +
           s.limit.ws_max_subscribers + margin;
}

std::size_t raise_fd_limit(std::size_t need) {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
    const auto wanted = static_cast<rlim_t>(need);
    std::string failure;
    if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < wanted) {
        rlimit raised = lim;
        raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, lim.rlim_max);
        if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
        else failure = std::strerror(errno);
    }
    auto soft = lim.rlim_cur == RLIM_INFINITY ? need : static_cast<std::size_t>(lim.rlim_cur);
    if (soft < need)
        log(log_level::warn, "fd_limit_low",
            {{"soft", std::to_string(soft)},
             {"hard", lim.rlim_max == RLIM_INFINITY ? std::string("unlimited") : std::to_string(lim.rlim_max)},
             {"needed", std::to_string(need)},
             {"effect", "past the limit, new connections wait (accept pauses) until others close; raise the hard "
                        "limit (ulimit -Hn, LimitNOFILE=, 'limit nofile') or lower --max-connections/--ws-max-subscribers"},
             {"error", failure.empty() ? std::string("none") : failure}});
    return soft;
}

}  // namespace irqd::service
