// GET / (the web dashboard) and GET /assets/{file}: the files under web/, served from the binary.
#pragma once

#include "irqd/service/api.hpp"

namespace irqd::service {

// Adds the routes to ctx.routes and their lines to the GET /api/v1 index.
void add_dashboard_routes(api_context& ctx);

}  // namespace irqd::service
