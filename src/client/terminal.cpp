// Terminal probing, display widths and raw mode for irqctl.
#include "irqd/client/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <string>

namespace irqd::client {

namespace {
std::optional<std::size_t> env_size(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    std::size_t n = 0;
    std::string_view s(v);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || p != s.data() + s.size() || n == 0) return std::nullopt;
    return n;
}

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
}  // namespace

terminal_facts probe_terminal() {
    terminal_facts t;
    t.stdout_is_terminal = ::isatty(STDOUT_FILENO) == 1;
    t.stdin_is_terminal = ::isatty(STDIN_FILENO) == 1;
    if (t.stdout_is_terminal) {
        winsize ws{};
        if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0) {
            if (ws.ws_col > 0) t.columns = ws.ws_col;
            if (ws.ws_row > 0) t.rows = ws.ws_row;
        }
    }
    if (!t.columns) t.columns = env_size("COLUMNS");
    if (!t.rows) t.rows = env_size("LINES");
    t.no_color = std::getenv("NO_COLOR") != nullptr;
    return t;
}

output_style style_for(const terminal_facts& t) {
    output_style s;
    s.color = t.stdout_is_terminal && !t.no_color;
    s.compact = t.stdout_is_terminal;
    s.width = t.columns;
    return s;
}

std::string paint(std::string_view text, std::string_view code, bool color) {
    if (!color || text.empty()) return std::string(text);
    std::string out;
    out.reserve(code.size() + text.size() + ansi::reset.size());
    out.append(code).append(text).append(ansi::reset);
    return out;
}

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) continue;
        // U+0080..U+009F, the C1 controls (CSI is U+009B), are C2 80..C2 9F in UTF-8.
        if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F &&
            utf8_continuation(text[i + 1])) {
            ++i;
            continue;
        }
        out += text[i];
    }
    return out;
}

std::size_t display_width(std::string_view text) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
            // CSI: parameters and intermediates up to a final byte in @..~
            i += 2;
            while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) ++i;
            continue;
        }
        if (!utf8_continuation(text[i])) ++w;
    }
    return w;
}

std::string truncate_to_width(std::string_view text, std::size_t width) {
    if (display_width(text) <= width) return std::string(text);
    if (width == 0) return {};
    std::string out;
    std::size_t w = 0;
    bool escapes = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
            // Escape sequences are copied whole and take no room.
            auto start = i;
            i += 2;
            while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) ++i;
            out.append(text.substr(start, i - start + 1));
            escapes = true;
            continue;
        }
        if (!utf8_continuation(text[i])) {
            if (w + 1 == width) break;   // keep the last column for the ellipsis
            ++w;
        }
        out += text[i];
    }
    out += "…";
    if (escapes) out += ansi::reset;
    return out;
}

raw_terminal::raw_terminal(int fd) : fd_(fd) {
    if (::isatty(fd_) != 1 || ::tcgetattr(fd_, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
    raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    active_ = ::tcsetattr(fd_, TCSANOW, &raw) == 0;
}

raw_terminal::~raw_terminal() { restore(); }

void raw_terminal::restore() {
    if (!active_) return;
    ::tcsetattr(fd_, TCSANOW, &saved_);
    active_ = false;
}

}  // namespace irqd::client
