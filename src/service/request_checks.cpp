// Checks of a request's head: HTTP/1.1 framing (RFC 9112 6.1, 6.3; RFC 9110 10.1.1), WebSocket keys
// (RFC 6455 4.2.1) and the browser protections of docs/security.md.
#include "irqd/service/request_checks.hpp"

#include <boost/algorithm/string/case_conv.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <vector>

namespace irqd::service {
namespace http = boost::beast::http;

namespace {
std::string lower(std::string_view s) { return boost::algorithm::to_lower_copy(std::string(s)); }

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The comma-separated items of every `f` field, in order, trimmed and in lower case; empty ones dropped.
std::vector<std::string> items(const request_head& h, http::field f) {
    std::vector<std::string> out;
    for (auto [it, end] = h.equal_range(f); it != end; ++it) {
        std::string_view v = it->value();
        while (!v.empty()) {
            auto comma = std::min(v.find(','), v.size());
            auto item = trim(v.substr(0, comma));
            if (!item.empty()) out.push_back(lower(item));
            v.remove_prefix(std::min(comma + 1, v.size()));
        }
    }
    return out;
}

// "name:port", "[v6]:port", "name" -> the name without the port, in lower case ("[::1]" keeps its
// brackets). A bare IPv6 address ("::1", as irqctl used to send it) is kept whole.
std::string host_name(std::string_view host) {
    if (!host.empty() && host.front() == '[') {
        auto close = host.find(']');
        return lower(close == std::string_view::npos ? host : host.substr(0, close + 1));
    }
    if (std::count(host.begin(), host.end(), ':') > 1) return lower(host);
    return lower(host.substr(0, host.find(':')));
}

// An address, not a name: no DNS answer can make it point elsewhere, so it cannot be rebound.
bool is_ip_literal(const std::string& name) {
    unsigned char buf[sizeof(in6_addr)];
    if (name.size() > 2 && name.front() == '[' && name.back() == ']')
        return ::inet_pton(AF_INET6, name.substr(1, name.size() - 2).c_str(), buf) == 1;
    return ::inet_pton(AF_INET, name.c_str(), buf) == 1 || ::inet_pton(AF_INET6, name.c_str(), buf) == 1;
}

bool listed(const std::vector<std::string>& list, const std::string& value) {
    return std::any_of(list.begin(), list.end(), [&](const std::string& e) { return e == "*" || e == value; });
}

bool is_mutation(http::verb v) { return v != http::verb::get && v != http::verb::head; }
}  // namespace

std::optional<refusal> check_framing(const request_head& h) {
    if (h.version() >= 11) {
        auto hosts = h.count(http::field::host);
        if (hosts == 0) return refusal{400, "bad_host", "an HTTP/1.1 request needs a Host header"};
        if (hosts > 1)
            return refusal{400, "bad_host", "a request may have only one Host header (it has " + std::to_string(hosts) + ")"};
    }
    if (h.count(http::field::transfer_encoding) > 0) {
        auto codings = items(h, http::field::transfer_encoding);
        if (h.version() < 11)
            return refusal{400, "bad_transfer_encoding", "an HTTP/1.0 request may not have a Transfer-Encoding"};
        if (codings.empty() || codings.back() != "chunked")
            return refusal{400, "bad_transfer_encoding",
                           "Transfer-Encoding must end in chunked, or the body's length cannot be known (RFC 9112 6.3)"};
        if (std::count(codings.begin(), codings.end(), "chunked") > 1)
            return refusal{400, "bad_transfer_encoding", "chunked may be applied to a body only once"};
        if (codings.size() > 1)
            return refusal{501, "unsupported_transfer_encoding",
                           "irqd decodes no transfer coding but chunked (the request has '" + codings.front() + "')"};
        if (h.count(http::field::content_length) > 0)
            return refusal{400, "bad_transfer_encoding",
                           "a request may not have both Transfer-Encoding and Content-Length"};
    }
    for (const auto& e : items(h, http::field::expect))
        if (e != "100-continue")
            return refusal{417, "expectation_failed", "irqd meets no expectation but 100-continue (the request has '" + e + "')"};
    return std::nullopt;
}

std::string_view request_source(const request_head& h) {
    return h[boost::beast::http::field::user_agent].starts_with("irqctl/") ? "irqctl" : "api";
}

bool expects_continue(const request_head& h) {
    auto e = items(h, http::field::expect);
    return std::find(e.begin(), e.end(), "100-continue") != e.end();
}

bool valid_websocket_key(std::string_view key) {
    key = trim(key);
    if (key.size() != 24 || key.substr(22) != "==") return false;
    auto base64 = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    };
    // 16 bytes are 128 bits: the last character before "==" holds 2 of them and 4 zero bits.
    static constexpr std::string_view last = "AQgw";
    return std::all_of(key.begin(), key.begin() + 22, base64) && last.find(key[21]) != std::string_view::npos;
}

std::optional<refusal> check_browser(const request_head& h, const browser_policy& policy, bool unix_socket) {
    std::string_view host = h[http::field::host];
    auto name = host_name(host);
    // HTTP/1.0 without a Host has no name to rebind (an HTTP/1.1 one never gets here).
    bool named = h.count(http::field::host) > 0;
    if (!unix_socket && named && !is_ip_literal(name) && name != "localhost" && !listed(policy.allowed_hosts, name))
        return refusal{421, "host_not_allowed",
                       "Host '" + std::string(host) + "' is not an address of irqd (a DNS-rebinding page sends its own " +
                           "name); if irqd is reached by that name, start it with --allowed-host " + name};
    if (auto it = h.find(http::field::origin); it != h.end()) {
        auto origin = lower(trim(it->value()));
        auto own = lower(host);
        if (origin != "http://" + own && origin != "https://" + own && !listed(policy.allowed_origins, origin))
            return refusal{403, "origin_not_allowed",
                           "requests from pages at " + origin + " are refused (irqd's own origin is http://" +
                               std::string(host) + "); to let that page in, start irqd with --allowed-origin " + origin};
    }
    if (is_mutation(h.method())) {
        auto type = h[http::field::content_type];
        bool body = h.count(http::field::transfer_encoding) > 0 ||
                    (h.count(http::field::content_length) > 0 && trim(h[http::field::content_length]) != "0");
        if (type.empty() ? body : lower(trim(type.substr(0, std::min(type.find(';'), type.size())))) != "application/json")
            return refusal{415, "unsupported_media_type",
                           "a " + std::string(h.method_string()) + " with a body needs 'Content-Type: application/json'" +
                               (type.empty() ? std::string(" (it has none)") : " (it has '" + std::string(type) + "')")};
    }
    return std::nullopt;
}

}  // namespace irqd::service
