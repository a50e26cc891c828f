// irqctl as a function: parse the command line, run the verb, print, and return the exit code
// (0 ok, 1 irqd unreachable or refusing, 2 usage error). main() only gathers the environment.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

struct exit_code {
    static constexpr int ok = 0;
    static constexpr int server = 1;   // network error, or irqd answered 4xx/5xx
    static constexpr int usage = 2;
};

// `args` without the program name; `url_env` is $IRQCTL_URL or null.
int run_irqctl(const std::vector<std::string>& args, const terminal_facts& terminal, const char* url_env,
               std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace irqd::client
