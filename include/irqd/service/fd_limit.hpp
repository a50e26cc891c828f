// The open-file limit irqd needs for its connection limits: raised at start as far as the hard
// limit allows, with one warning when that is not enough (accept() would then fail with EMFILE).
#pragma once

#include <cstddef>

#include "irqd/service/settings.hpp"

namespace irqd::service {

// Descriptors the configured limits can hold at once: every TCP and Unix connection, every WebSocket
// subscriber, and a margin for the listeners, /proc and /sys reads, the state file and the log.
std::size_t fds_needed(const settings& s);

// Raises the soft RLIMIT_NOFILE to `need` (never lowers it; at most the hard limit). Returns the
// soft limit now in force; logs one warning when it stays below `need`.
std::size_t raise_fd_limit(std::size_t need);

}  // namespace irqd::service
