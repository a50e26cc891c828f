// JSON text for people as well as programs: like boost::json::serialize, but a double is written in
// its shortest round-trip form without an exponent where one is not needed ("54985.58", not
// "5.498558E4"), and non-finite values (which JSON cannot hold) as null.
#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace irqd::service {

void append_json(std::string& out, const boost::json::value& v);
std::string to_json_text(const boost::json::value& v);

}  // namespace irqd::service
