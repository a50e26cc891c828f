// What irqctl knows about where its output goes (a terminal or a pipe, how wide, colour or not), the
// ANSI codes it uses, and a guard that puts a terminal in raw mode and always puts it back.
#pragma once

#include <termios.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace irqd::client {

struct terminal_facts {
    bool stdout_is_terminal = false;
    bool stdin_is_terminal = false;
    std::optional<std::size_t> columns;   // TIOCGWINSZ on a terminal, else $COLUMNS if set
    std::optional<std::size_t> rows;      // likewise with $LINES
    bool no_color = false;                // $NO_COLOR is set (any value, per no-color.org)
};
terminal_facts probe_terminal();

// How tables are written. The defaults are the plain, script-friendly form.
struct output_style {
    bool color = false;                   // ANSI bold/dim/colour
    bool compact = false;                 // "12.3M" instead of 12345678
    std::optional<std::size_t> width;     // split wide tables to fit; none = never split
};
// Colour and compact numbers on a terminal only (colour also needs NO_COLOR unset); the width is
// the terminal's, or $COLUMNS when set explicitly for a pipe.
output_style style_for(const terminal_facts& t);

namespace ansi {
inline constexpr std::string_view bold = "\x1b[1m";
inline constexpr std::string_view dim = "\x1b[2m";
inline constexpr std::string_view red = "\x1b[31m";
inline constexpr std::string_view green = "\x1b[32m";
inline constexpr std::string_view yellow = "\x1b[33m";
inline constexpr std::string_view cyan = "\x1b[36m";
inline constexpr std::string_view reset = "\x1b[0m";
inline constexpr std::string_view clear_to_eol = "\x1b[K";
inline constexpr std::string_view clear_below = "\x1b[J";
inline constexpr std::string_view home = "\x1b[H";
inline constexpr std::string_view alternate_screen_on = "\x1b[?1049h";
inline constexpr std::string_view alternate_screen_off = "\x1b[?1049l";
inline constexpr std::string_view hide_cursor = "\x1b[?25l";
inline constexpr std::string_view show_cursor = "\x1b[?25h";
}  // namespace ansi

// `text` wrapped in `code` ... reset when `color`, else `text` unchanged.
std::string paint(std::string_view text, std::string_view code, bool color);

// `text` without control characters (C0, DEL, and C1 as UTF-8): what the daemon sends (IRQ names
// are any bytes a driver chose) is printed with this, so no escape sequence reaches the terminal.
std::string printable(std::string_view text);

// Columns `text` takes on a terminal: UTF-8 code points, ANSI escape sequences not counted.
std::size_t display_width(std::string_view text);
// The first `width` columns of `text`, ending in "…" when something was cut. Escape sequences are
// kept (and a reset added after a cut), so painted text can be cut too.
std::string truncate_to_width(std::string_view text, std::size_t width);

// Keys arrive one by one, unechoed, and Ctrl-C arrives as a byte (ISIG off), so the program decides
// how to quit and restores the screen first. Output processing stays on ("\n" still means newline).
// The destructor restores the saved settings; restore() may be called earlier and more than once.
class raw_terminal {
public:
    explicit raw_terminal(int fd);
    ~raw_terminal();
    raw_terminal(const raw_terminal&) = delete;
    raw_terminal& operator=(const raw_terminal&) = delete;
    bool active() const { return active_; }
    void restore();

private:
    int fd_;
    bool active_ = false;
    termios saved_{};
};

}  // namespace irqd::client
