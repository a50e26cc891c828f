// Test helper: HTTP over a plain socket to 127.0.0.1, byte by byte if need be, so tests can send what
// a well-behaved client never would (slow headers, oversized parts, odd methods) and see every header.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace irqd::test {

class raw_socket {
public:
    explicit raw_socket(unsigned short port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket failed");
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
            ::close(fd_);
            throw std::runtime_error("connect to 127.0.0.1 failed");
        }
    }
    ~raw_socket() { ::close(fd_); }
    raw_socket(const raw_socket&) = delete;
    raw_socket& operator=(const raw_socket&) = delete;

    // False when the peer has gone (reset or closed for writing).
    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    // Everything the peer sends until it closes or `limit` passes (then `closed()` is false).
    std::string read_all(std::chrono::milliseconds limit = std::chrono::seconds(10)) {
        std::string out;
        auto end = std::chrono::steady_clock::now() + limit;
        char buf[16384];
        while (!closed_) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
            auto n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) closed_ = true;
            else out.append(buf, static_cast<std::size_t>(n));
        }
        return out;
    }

    // True when the peer has closed the connection (or reset it) within `wait`; drops any data.
    bool peer_closed(std::chrono::milliseconds wait) {
        read_all(wait);
        return closed_;
    }
    bool closed() const { return closed_; }

private:
    int fd_ = -1;
    bool closed_ = false;
};

struct raw_response {
    unsigned status = 0;
    std::map<std::string, std::string> headers;   // names in lower case
    std::string body;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// Parses one HTTP/1.1 response (status line, headers, the rest as body); status 0 when there is none.
inline raw_response parse_response(const std::string& text) {
    raw_response r;
    auto head_end = text.find("\r\n\r\n");
    if (text.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return r;
    r.status = static_cast<unsigned>(std::stoul(text.substr(9, 3)));
    std::size_t pos = text.find("\r\n") + 2;
    while (pos < head_end) {
        auto eol = text.find("\r\n", pos);
        auto line = text.substr(pos, eol - pos);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            r.headers[name] = value;
        }
        pos = eol + 2;
    }
    r.body = text.substr(head_end + 4);
    return r;
}

// The body of a chunked response (Transfer-Encoding: chunked) without its framing; empty when the
// framing is broken or the last chunk is missing.
inline std::string dechunk(std::string_view body) {
    std::string out;
    for (;;) {
        auto eol = body.find("\r\n");
        if (eol == std::string_view::npos) return {};
        const auto size = std::stoul(std::string(body.substr(0, eol)), nullptr, 16);
        body.remove_prefix(eol + 2);
        if (size == 0) return out;
        if (body.size() < size + 2) return {};
        out.append(body.substr(0, size));
        body.remove_prefix(size + 2);
    }
}

// One request on a new connection (Connection: close), the whole answer read back.
inline raw_response raw_request(unsigned short port, std::string_view method, std::string_view target,
                                std::string_view body = {},
                                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    raw_socket s(port);
    std::string req = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    bool typed = false;
    for (const auto& [k, v] : headers) {
        req += k + ": " + v + "\r\n";
        typed = typed || k == "Content-Type";
    }
    // A body is JSON, as irqd wants it on a mutation, unless the test says otherwise.
    if (!body.empty() && !typed) req += "Content-Type: application/json\r\n";
    if (!body.empty() || method == "PUT" || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "Connection: close\r\n\r\n";
    req += body;
    s.send(req);
    return parse_response(s.read_all());
}

}  // namespace irqd::test
