// GET /api/v1/openapi.json: the OpenAPI 3.1 description of every endpoint, kept in web/openapi.json
// (compiled in). An operation marked "x-irqd-when-listed": true is left out unless the server lists it in
// the GET /api/v1 index, so routes wired only in some builds (the balancer) are described only there.
// test/e2e/openapi_test.cpp checks that the document and the routes the daemon serves agree: a new
// route adds its line to the index and its operation to web/openapi.json.
#pragma once

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "irqd/service/api.hpp"

namespace irqd::service {

// "POST /api/v1/balance[?apply=true] {...}" -> "POST /api/v1/balance": method and path template.
std::string endpoint_key(std::string_view index_line);

// The document for a server whose index lists `listed` (only consulted for "x-irqd-when-listed").
boost::json::object openapi_document(const std::vector<std::string>& listed);

// Adds the route to ctx.routes and its line to the index.
void add_openapi_route(api_context& ctx);

}  // namespace irqd::service
