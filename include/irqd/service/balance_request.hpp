// The balance endpoints: the JSON body of POST /api/v1/balance made into options (or a 4xx), and the
// routes POST /api/v1/balance, GET /api/v1/balance/plans[/{id}], POST /api/v1/balance/plans/{id}/apply,
// POST /api/v1/balance/revert and GET /api/v1/balance/history.
#pragma once

#include <boost/json/value.hpp>

#include <variant>

#include "irqd/service/balance_plan.hpp"
#include "irqd/service/request_error.hpp"
#include "irqd/service/settings.hpp"

namespace irqd::service {

struct api_context;
class balance_service;

// The JSON body of POST /api/v1/balance (null or {} = the defaults) and its ?apply=true.
std::variant<balance_options, request_error> parse_balance_options(const boost::json::value& body, bool apply_query,
                                                                   const balance_settings& defaults);

// Adds the balance routes and their lines in the GET /api/v1 index to `ctx`.
void add_balance_routes(api_context& ctx, balance_service& balancing);

}  // namespace irqd::service
