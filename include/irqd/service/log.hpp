// One line per event on stderr: time, level, event, then key=value fields (journald keeps it as is).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "irqd/service/settings.hpp"

namespace irqd::service {

using log_field = std::pair<std::string_view, std::string>;

void set_log_level(log_level level);
const char* log_level_name(log_level level);   // "debug", "info", "warn", "error"
bool log_enabled(log_level level);
void log(log_level level, std::string_view event, std::initializer_list<log_field> fields = {});

}  // namespace irqd::service
