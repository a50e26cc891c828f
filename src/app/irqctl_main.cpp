// irqctl: the command-line client of irqd. Everything but the process environment lives in
// irqd_client (run_irqctl), so the verbs are testable without spawning this binary.
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "irqd/client/irqctl.hpp"
#include "irqd/client/terminal.hpp"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);   // `irqctl overview | head` ends with a write error, not a signal
    std::vector<std::string> args(argv + 1, argv + argc);
    int code = irqd::client::run_irqctl(args, irqd::client::probe_terminal(), std::getenv("IRQCTL_URL"), std::cin,
                                        std::cout, std::cerr);
    std::cout.flush();
    return code;
}
