// `irqctl watch`'s event loop: one io_context runs the WebSocket reads, the keyboard (stdin in raw
// mode when it is a terminal) and the signals (SIGINT/SIGTERM/SIGHUP to quit, SIGWINCH to redraw).
// The terminal is put back however the loop ends.
#pragma once

#include <iosfwd>

#include "irqd/client/cli_options.hpp"
#include "irqd/client/terminal.hpp"

namespace irqd::client {

// Full screen when stdout is a terminal (and not --json); otherwise one line per sample (the raw
// message with --json). Returns the exit code: 0 after q, Ctrl-C, a signal or --count samples;
// 1 when irqd cannot be reached, refuses the subscription or closes the stream.
int run_watch(const global_options& global, const watch_options& options, const terminal_facts& terminal,
              std::ostream& out, std::ostream& err);

}  // namespace irqd::client
