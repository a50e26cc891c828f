// Checks of a request's head before irqd acts on it: what HTTP/1.1 requires (one Host, a framing it
// can trust, an Expect it understands, a well-formed WebSocket key), and what keeps browsers out
// (a Host that is not a rebound name, a same-site Origin, JSON content on mutations). No sockets.
#pragma once

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "irqd/service/settings.hpp"

namespace irqd::service {

using request_head = boost::beast::http::request_header<>;

// Why a request is refused: the status, the JSON error's code and message. Every refusal of the
// protocol checks also closes the connection (the framing of what follows cannot be trusted).
struct refusal {
    unsigned status;
    std::string code;
    std::string message;
};

// RFC 9112/9110: HTTP/1.1 with other than exactly one Host (400); Transfer-Encoding other than one
// final "chunked" (400 when chunked is not last, 501 for codings irqd does not decode), with
// Content-Length too (400); an Expect other than 100-continue (417).
std::optional<refusal> check_framing(const request_head& h);

// Who a change is recorded as coming from (the event log, the balance history): "irqctl", which
// names itself in its User-Agent, or "api" for any other client.
std::string_view request_source(const request_head& h);

// Whether the client asked for "100 Continue" before it sends the body.
bool expects_continue(const request_head& h);

// RFC 6455 4.2.1: the key is base64 of 16 bytes (24 characters ending in "==").
bool valid_websocket_key(std::string_view key);

// Browser protections (docs/security.md). `unix_socket`: the request came through --unix-socket,
// where the Host names nothing and is not checked.
//  - Host: an IP literal, localhost, or one of policy.allowed_hosts; else 421 (DNS rebinding).
//  - Origin, when present: http(s):// plus the Host, or one of policy.allowed_origins; else 403.
//  - a PUT/POST/DELETE/PATCH with a body or a Content-Type: application/json; else 415.
std::optional<refusal> check_browser(const request_head& h, const browser_policy& policy, bool unix_socket);

}  // namespace irqd::service
