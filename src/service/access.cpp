// The bearer token: loading it safely, checking a request's Authorization header, the 401 answer.
#include "irqd/service/access.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "irqd/service/kernel_files.hpp"

namespace irqd::service {

bool constant_time_equal(std::string_view given, std::string_view expected) {
    // Every byte of `expected` is compared whatever `given` holds; volatile keeps the compiler from
    // stopping at the first difference.
    volatile unsigned char diff = given.size() == expected.size() ? 0 : 1;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
        diff = diff | (g ^ static_cast<unsigned char>(expected[i]));
    }
    return diff == 0;
}

core::result<access_guard> access_guard::from_file(const std::filesystem::path& file, bool required_for_reads) {
    auto where = "--token-file " + file.string() + ": ";
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) return core::error{where + "cannot read it: " + std::strerror(errno)};
    if (!S_ISREG(st.st_mode)) return core::error{where + "not a regular file"};
    if (st.st_uid != ::geteuid())
        return core::error{where + "owned by uid " + std::to_string(st.st_uid) + ", not by irqd's user (uid " +
                           std::to_string(::geteuid()) + ")"};
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return core::error{where + "mode " + mode + " lets others read it; chmod 600 " + file.string()};
    }
    std::string text;
    if (auto ec = read_file(file, text, small_file_limit)) return core::error{where + "cannot read it: " + ec.message()};
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    for (char c : text)
        if (c <= ' ' || c == 0x7f) return core::error{where + "the token must be one line of printable characters without spaces"};
    if (text.size() < 16)
        return core::error{where + "the token is shorter than 16 characters (try: head -c 32 /dev/urandom | base64)"};
    access_guard g;
    g.token_ = std::move(text);
    g.reads_ = required_for_reads;
    return g;
}

bool access_guard::needs_token(const request& req) const {
    return reads_ || (req.method() != http::verb::get && req.method() != http::verb::head);
}

bool access_guard::authorized(const request& req) const {
    auto it = req.find(http::field::authorization);
    if (it == req.end()) return false;
    std::string_view value = it->value();
    constexpr std::string_view scheme = "bearer ";
    if (value.size() < scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (static_cast<char>(std::tolower(static_cast<unsigned char>(value[i]))) != scheme[i]) return false;
    value.remove_prefix(scheme.size());
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    return constant_time_equal(value, token_);
}

response access_guard::unauthorized(const request& req) const {
    bool offered = req.find(http::field::authorization) != req.end();
    auto res = http_server::json_error(
        401, "unauthorized",
        offered ? "the bearer token does not match irqd's --token-file"
                : "this request needs 'Authorization: Bearer TOKEN' (irqd runs with --token-file; irqctl: --token-file)",
        req.version(), req.keep_alive());
    res.set(http::field::www_authenticate,
            offered ? "Bearer realm=\"irqd\", error=\"invalid_token\"" : "Bearer realm=\"irqd\"");
    return res;
}

}  // namespace irqd::service
