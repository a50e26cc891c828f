// The version string, from the CMake project version.
#include "irqd/core/version.hpp"
namespace irqd::core {
std::string_view version() { return IRQD_VERSION; }
}  // namespace irqd::core
