// Turns the command line and the optional config file into settings. Every option is in --help;
// a bad option is one readable sentence, and the caller exits 2.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "irqd/core/result.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::service {

struct config_outcome {
    settings values;
    bool show_help = false;
    bool show_version = false;
    std::string help_text;
};

core::result<config_outcome> parse_config(const std::vector<std::string>& args);

// The rates file --simulate uses when given no file: the seed installed with the program.
std::filesystem::path default_simulation_file();

}  // namespace irqd::service
