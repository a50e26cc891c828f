// The /proc/interrupts parser: one pass over the text, hand-written scanning, no allocation per count.
// Layouts follow the kernel's show_interrupts() and the arch_show_interrupts() of x86 and arm64.
#include "irqd/core/interrupts.hpp"
#include "irqd/core/utf8.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <numeric>

#include "text_scan.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace irqd::core {
namespace {

constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
constexpr bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

std::string_view trim(std::string_view s)
{
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && is_blank(s[b])) ++b;
    while (e > b && is_blank(s[e - 1])) --e;
    return s.substr(b, e - b);
}

bool all_digits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// Decimal text to an integer of type T; nullopt when empty, not all digits, or out of T's range.
template <class T>
std::optional<T> to_number(std::string_view s)
{
    if (!all_digits(s)) return std::nullopt;
    T v = 0;
    for (char c : s) {
        if (__builtin_mul_overflow(v, T{10}, &v) || __builtin_add_overflow(v, T(c - '0'), &v)) return std::nullopt;
    }
    return v;
}

using scan::quoted;

// "CPU0 CPU1 CPU4": the header names the online CPUs in ascending order (offline ones are absent).
bool read_header(std::string_view line, std::vector<unsigned>& cpus)
{
    cpus.clear();
    std::size_t i = 0;
    while (true) {
        while (i < line.size() && is_blank(line[i])) ++i;
        if (i == line.size()) break;
        std::size_t e = i;
        while (e < line.size() && !is_blank(line[e])) ++e;
        const std::string_view token = line.substr(i, e - i);
        i = e;
        if (token.size() < 4 || token.substr(0, 3) != "CPU") return false;
        const auto cpu = to_number<unsigned>(token.substr(3));
        if (!cpu || (!cpus.empty() && *cpu <= cpus.back())) return false;
        cpus.push_back(*cpu);
    }
    return !cpus.empty();
}

enum class counts_status { ok, malformed, overflow };

// SWAR helpers: eight bytes of text in one 64-bit word, the first character in the low byte. Only
// used on little-endian machines (x86, arm64); elsewhere the scalar loops below do all the work.
constexpr bool swar = std::endian::native == std::endian::little;
constexpr std::uint64_t bytes_of(std::uint8_t b) { return 0x0101010101010101ULL * b; }

std::uint64_t load8(const char* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// How many of the eight bytes, from the first, are ASCII digits (0..8). A byte is a digit when its
// high nibble is 3 and its low nibble plus 6 stays below 16; no step carries between bytes.
unsigned leading_digits(std::uint64_t v)
{
    const std::uint64_t high = (v & bytes_of(0xF0)) ^ bytes_of(0x30);
    const std::uint64_t low = ((v & bytes_of(0x0F)) + bytes_of(0x06)) & bytes_of(0xF0);
    const std::uint64_t not_digit = high | low;
    return not_digit == 0 ? 8 : static_cast<unsigned>(std::countr_zero(not_digit)) / 8;
}

// The value of eight digit values (0..9) one per byte, the most significant in the low byte: three
// multiply-adds combine digit pairs, quads, octets.
std::uint64_t eight_digits_value(std::uint64_t d)
{
    d = d * 10 + (d >> 8);
    d = ((d & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32)) +
         ((d >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32))) >> 32;
    return d;
}

// The value of the first `len` (1..8) digits of v: shifting them to the top of the word turns the
// bytes before them into leading zeros.
std::uint64_t digits_value(std::uint64_t v, unsigned len)
{
    return eight_digits_value((v - bytes_of('0')) << (8 * (8 - len)));
}

// 0x80 in each byte of v that is an ASCII digit, 0 in the others.
std::uint64_t digit_bytes(std::uint64_t v)
{
    const std::uint64_t high = (v & bytes_of(0xF0)) ^ bytes_of(0x30);
    const std::uint64_t low = ((v & bytes_of(0x0F)) + bytes_of(0x06)) & bytes_of(0xF0);
    const std::uint64_t not_digit = ((((high | low) >> 4) + bytes_of(0x7F)) & bytes_of(0x80));
    return not_digit ^ bytes_of(0x80);
}

// 0x80 in each byte of v that is a space, 0 in the others.
std::uint64_t space_bytes(std::uint64_t v)
{
    const std::uint64_t t = v ^ bytes_of(' ');
    const std::uint64_t not_space = (((t & bytes_of(0x7F)) + bytes_of(0x7F)) | t) & bytes_of(0x80);
    return not_space ^ bytes_of(0x80);
}

constexpr std::array<std::uint64_t, 8> powers_of_10 = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};

const char* skip_spaces(const char* q, const char* end)
{
    if constexpr (swar) {
        while (end - q >= 8) {
            const std::uint64_t not_space = load8(q) ^ bytes_of(' ');
            if (not_space != 0) return q + std::countr_zero(not_space) / 8;
            q += 8;
        }
    }
    while (q != end && *q == ' ') ++q;
    return q;
}

// Reads the digits at q (there is at least one) into v; returns the end of the digits, or nullptr
// when the number does not fit in 64 bits.
const char* read_decimal(const char* q, const char* end, std::uint64_t& v)
{
    if constexpr (swar) {
        // Up to 16 digits from two words; the byte after them is within the text too.
        if (end - q >= 16) {
            const std::uint64_t first = load8(q);
            const unsigned len = leading_digits(first);
            if (len < 8) {
                v = digits_value(first, len);
                return q + len;
            }
            const std::uint64_t second = load8(q + 8);
            const unsigned more = leading_digits(second);
            if (more < 8) {
                v = digits_value(first, 8) * powers_of_10[more] + (more == 0 ? 0 : digits_value(second, more));
                return q + 8 + more;
            }
        }
    }
    const char* start = q;
    v = static_cast<unsigned char>(*q++) - '0';
    // Nineteen digits cannot overflow 64 bits, so only longer numbers need a checked conversion.
    const char* unchecked_end = end - q > 18 ? q + 18 : end;
    while (q != unchecked_end && is_digit(*q)) v = v * 10 + (static_cast<unsigned char>(*q++) - '0');
    if (q == end || !is_digit(*q)) return q;
    while (q != end && is_digit(*q)) ++q;
    const auto checked = to_number<std::uint64_t>(std::string_view(start, static_cast<std::size_t>(q - start)));
    if (!checked) return nullptr;
    v = *checked;
    return q;
}

// The kernel prints each count as " %10u" (seq_printf's "%10u " after the "NN: " of the row, or
// seq_put_decimal_ull_width's " " and width 10): a space, then the number right-aligned in ten
// columns. Counts in that shape are read eleven bytes at a time, each independently of the one
// before (no scan for where a number ends), which is what makes a big table parse at memory speed.
// Reads such fields from p while each is exactly: a space, spaces, at least one digit ending in the
// tenth column, and a space after it (a '\n' is neither, so it never reads past its line). It stops
// before the first field that is not, so the general loop below goes on from there with the same
// result as if it had read them itself.
#if defined(__SSE2__)
// Bits i of `space` and `digit`: whether q[i] is a space, an ASCII digit, for i < n (n <= 64, and
// the 64 bytes at q are within the text when `whole`).
void classify(const char* q, std::size_t n, bool whole, std::uint64_t& space, std::uint64_t& digit)
{
    space = digit = 0;
    if (whole) {
        const __m128i blank = _mm_set1_epi8(' ');
        const __m128i zero = _mm_set1_epi8('0');
        const __m128i nine = _mm_set1_epi8(9);
        for (unsigned k = 0; k < 4; ++k) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q + 16 * k));
            const __m128i t = _mm_sub_epi8(v, zero);   // a digit is 0..9 unsigned, anything else above
            const auto s = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, blank)));
            const auto d = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t, nine), t)));
            space |= std::uint64_t{s} << (16 * k);
            digit |= std::uint64_t{d} << (16 * k);
        }
        const std::uint64_t kept = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
        space &= kept;
        digit &= kept;
        return;
    }
    for (std::size_t i = 0; i < n; ++i) {
        space |= std::uint64_t{q[i] == ' '} << i;
        digit |= std::uint64_t{is_digit(q[i])} << i;
    }
}

// For each offset of a 64-byte block modulo 11 (a field's width), the bits of its bytes that are a
// field's column 0 (its space) and column 10 (its last digit).
struct field_columns {
    std::uint64_t first = 0, last = 0;
};
constexpr std::array<field_columns, 11> make_field_columns()
{
    std::array<field_columns, 11> m{};
    for (unsigned phase = 0; phase < 11; ++phase)
        for (unsigned b = 0; b < 64; ++b) {
            if ((phase + b) % 11 == 0) m[phase].first |= std::uint64_t{1} << b;
            if ((phase + b) % 11 == 10) m[phase].last |= std::uint64_t{1} << b;
        }
    return m;
}
constexpr std::array<field_columns, 11> columns_at = make_field_columns();

// Whether the `fields` fields at p, and the space after them, are what read_fixed_width_counts
// takes field by field: a whole row checked 64 bytes at a time. Every byte is a space or a digit,
// column 0 of each field is a space (so is the byte after the last), column 10 a digit, and no
// digit is followed by a space but in column 10 (a field's spaces come before its digits).
bool fixed_width_row(const char* p, const char* end, std::size_t fields)
{
    const std::size_t len = 11 * fields + 1;
    const auto avail = static_cast<std::size_t>(end - p);
    if (fields == 0 || avail < len) return false;
    std::uint64_t s = 0, d = 0;
    classify(p, std::min<std::size_t>(64, len), avail >= 64, s, d);
    for (std::size_t at = 0; at < len; at += 64) {
        const std::size_t n = std::min<std::size_t>(64, len - at);
        const std::uint64_t kept = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
        std::uint64_t next_s = 0, next_d = 0;
        if (at + 64 < len) classify(p + at + 64, std::min<std::size_t>(64, len - at - 64), avail - at - 64 >= 64, next_s, next_d);
        const field_columns& c = columns_at[at % 11];
        const std::uint64_t bad = (~(s | d) & kept) | (c.first & kept & ~s) | (c.last & kept & ~d) |
                                  (d & ((s >> 1) | (next_s << 63)) & ~c.last);
        if (bad != 0) return false;
        s = next_s;
        d = next_d;
    }
    return true;
}
#endif

std::size_t read_fixed_width_counts(const char*& p, const char* end, std::uint64_t* dst, std::size_t max)
{
    std::size_t n = 0;
#if defined(__SSE2__)
    // The usual row: all its counts in shape, checked at once, then each read without a check.
    if constexpr (swar) {
        if (fixed_width_row(p, end, max)) {
            const char* f = p;
            for (std::size_t i = 0; i < max; ++i, f += 11) {
                const std::uint64_t lanes = load8(f + 1) & bytes_of(0x0F);   // a space's low nibble is 0
                dst[i] = eight_digits_value(lanes) * 100 + static_cast<std::uint64_t>(f[9] & 0x0F) * 10 +
                         static_cast<std::uint64_t>(f[10] & 0x0F);
            }
            p = f;
            return max;
        }
    }
#endif
    if constexpr (swar) {
        const char* f = p;
        while (n < max && end - f >= 12 && f[0] == ' ' && f[11] == ' ') {
            const std::uint64_t a = load8(f + 1);            // columns 1..8
            const std::uint64_t digits = digit_bytes(a);
            const std::uint64_t spaces = space_bytes(a);
            const std::uint64_t space_lanes = (spaces >> 7) * 0xFF;
            // Every byte a digit or a space, the spaces first; then columns 9 and 10.
            if ((digits | spaces) != bytes_of(0x80) || (space_lanes & (space_lanes + 1)) != 0) break;
            const char c9 = f[9];
            const char c10 = f[10];
            if (!is_digit(c10) || !(is_digit(c9) || (c9 == ' ' && digits == 0))) break;
            const std::uint64_t lanes = a & bytes_of(0x0F) & ((digits >> 7) * 0xFF);
            const std::uint64_t tens = is_digit(c9) ? static_cast<std::uint64_t>(c9 - '0') : 0;
            dst[n++] = eight_digits_value(lanes) * 100 + tens * 10 + static_cast<std::uint64_t>(c10 - '0');
            f += 11;
        }
        p = f;
    }
    return n;
}

// Reads whitespace-separated decimal counts from p into dst, at most max of them, and stops before
// the first token that does not start with a digit (the chip or the description) and at the line's
// '\n', so `end` may be the end of the whole text. On return p is
// at the end of the last count read; n says how many were read. A token that starts with a digit
// but goes on with something else is malformed; `bad` then points at it.
counts_status read_counts(const char*& p, const char* end, std::uint64_t* dst, std::size_t max, std::size_t& n,
                          const char*& bad, bool fixed_width)
{
    n = fixed_width ? read_fixed_width_counts(p, end, dst, max) : 0;
    const char* q = p;
    while (n < max) {
        q = skip_spaces(q, end);   // the kernel pads with spaces; a tab takes the branch below
        if (q == end) break;
        if (!is_digit(*q)) {
            if (!is_blank(*q)) break;
            ++q;
            continue;
        }
        std::uint64_t v = 0;
        const char* after = read_decimal(q, end, v);
        if (after == nullptr) {
            bad = q;
            return counts_status::overflow;
        }
        if (after != end && !is_blank(*after) && *after != '\n') {
            bad = q;
            return counts_status::malformed;
        }
        dst[n++] = v;
        p = q = after;
    }
    return counts_status::ok;
}

// Flow-handler names the kernel appends to the chip name as "-name" ("IO-APIC-edge", "XT-PIC-XT").
// Only used for the old layout without hwirq, where the suffix cannot be told apart otherwise.
constexpr std::array<std::string_view, 8> known_flow_names = {
    "edge", "level", "fasteoi", "simple", "percpu", "percpu_devid", "XT-PIC", "XT"};

// "524288-edge", "2-edge", "-edge": the new x86 layout's hwirq glued to "-" and the flow-handler name.
bool is_hwirq_dash_trigger(std::string_view token, std::size_t& dash)
{
    dash = 0;
    while (dash < token.size() && is_digit(token[dash])) ++dash;
    return dash + 1 < token.size() && token[dash] == '-';
}

bool is_level_word(std::string_view token) { return token == "Edge" || token == "Level"; }

// Splits what follows the counts of a numeric IRQ into chip, hwirq, trigger and action names.
// The kernel prints " %8s" chip (or its own irq_print_chip text), " %*lu" hwirq when the IRQ has a
// domain, " %-8s" Edge/Level on arches with GENERIC_IRQ_SHOW_LEVEL (arm), "-%-8s" the flow-handler
// name when set (x86), then "  " and the action names joined by ", ". Older kernels print no hwirq,
// so the flow name is glued to the chip ("IR-PCI-MSI-edge").
void split_tail(std::string_view tail, irq_row& row)
{
    // The first few tokens are enough: chip, hwirq and trigger never take more than that.
    constexpr std::size_t window = 4;
    std::array<std::string_view, window> tokens;
    std::size_t count = 0;
    for (std::size_t i = 0; count < window;) {
        while (i < tail.size() && is_blank(tail[i])) ++i;
        if (i == tail.size()) break;
        std::size_t e = i;
        while (e < tail.size() && !is_blank(tail[e])) ++e;
        tokens[count++] = tail.substr(i, e - i);
        i = e;
    }
    row.chip.clear();
    row.hwirq.clear();
    row.trigger.clear();
    row.name.clear();
    if (count == 0) return;

    // Text from the start of tokens[first] to the end of tokens[last], spaces inside kept.
    const auto span = [&](std::size_t first, std::size_t last) {
        const char* b = tokens[first].data();
        return std::string_view(b, static_cast<std::size_t>(tokens[last].data() + tokens[last].size() - b));
    };
    const auto rest_after = [&](std::size_t k) {
        const std::size_t from = static_cast<std::size_t>(tokens[k].data() + tokens[k].size() - tail.data());
        return trim(tail.substr(from));
    };

    // New layout: the trigger is a later token; whatever precedes it (less a numeric hwirq) is the chip,
    // which lets chip names with spaces through.
    for (std::size_t k = 1; k < count; ++k) {
        std::size_t dash = 0;
        if (is_hwirq_dash_trigger(tokens[k], dash)) {
            row.chip.assign(span(0, k - 1));
            row.hwirq.assign(tokens[k].substr(0, dash));
            row.trigger.assign(tokens[k].substr(dash + 1));
            row.name.assign(rest_after(k));
            return;
        }
        if (is_level_word(tokens[k])) {
            const bool has_hwirq = k >= 2 && all_digits(tokens[k - 1]);
            row.chip.assign(span(0, has_hwirq ? k - 2 : k - 1));
            if (has_hwirq) row.hwirq.assign(tokens[k - 1]);
            row.trigger.assign(tokens[k]);
            row.name.assign(rest_after(k));
            return;
        }
    }

    // Old layout: "IO-APIC-edge", the flow name glued to the chip.
    const std::string_view first = tokens[0];
    for (const std::string_view flow : known_flow_names) {
        if (first.size() > flow.size() + 1 && first.ends_with(flow) && first[first.size() - flow.size() - 1] == '-') {
            row.chip.assign(first.substr(0, first.size() - flow.size() - 1));
            row.trigger.assign(flow);
            row.name.assign(rest_after(0));
            return;
        }
    }

    // No trigger at all: chip, then maybe a hwirq.
    row.chip.assign(first);
    if (count >= 2 && all_digits(tokens[1])) {
        row.hwirq.assign(tokens[1]);
        row.name.assign(rest_after(1));
    } else {
        row.name.assign(rest_after(0));
    }
}

class parser {
public:
    parser(std::string_view text, snapshot& out, bool fixed_width)
        : text_(text), out_(out), fixed_width_(fixed_width), rows_before_(out.rows.size()) {}

    void run()
    {
        out_.cpus.clear();
        // The counts of the last parse into this snapshot stay as scratch space (cut to size at the end):
        // growing the vector again would zero-fill every cell before the parser writes it.
        out_.issues.clear();
        std::size_t line_no = 0;
        std::size_t pos = 0;
        bool have_header = false;
        while (pos < text_.size()) {
            ++line_no;
            if (have_header) {
                // A row's end is found after its counts (read_row), so the counts are not scanned
                // twice; a blank line is only blanks before its '\n'.
                const char* p = text_.data() + pos;
                const char* const text_end = text_.data() + text_.size();
                while (p != text_end && is_blank(*p)) ++p;
                const char* end = p == text_end || *p == '\n' ? p : read_row(p, line_no);
                pos = static_cast<std::size_t>(end - text_.data()) + 1;
                continue;
            }
            const char* nl = static_cast<const char*>(std::memchr(text_.data() + pos, '\n', text_.size() - pos));
            const std::size_t end = nl ? static_cast<std::size_t>(nl - text_.data()) : text_.size();
            const std::string_view line = text_.substr(pos, end - pos);
            pos = end + 1;
            if (trim(line).empty()) continue;
            if (!read_header(line, out_.cpus)) {
                out_.cpus.clear();
                issue(line_no, "no CPU header (\"CPU0 CPU1 ...\") before the first row");
                break;
            }
            have_header = true;
            reserve(line.size());
        }
        if (!have_header && out_.issues.empty()) issue(std::max<std::size_t>(line_no, 1), "no CPU header: the text is blank");
        out_.rows_as_before = rows_as_before_ && rows_ == rows_before_;
        out_.rows.resize(rows_);
        out_.counts.resize(cells_);
    }

private:
    // Rows are a little longer than the header, so text size / header length slightly overestimates
    // the row count without a second pass; at most about two bytes of counts per byte of text.
    void reserve(std::size_t header_len)
    {
        out_.counts.reserve((text_.size() / header_len + 1) * out_.cpus.size());
    }

    void issue(std::size_t line_no, std::string reason) { out_.issues.push_back({line_no, std::move(reason)}); }

    // The end of the line that goes on at `from` (its '\n', or the end of the text).
    const char* line_end(const char* from) const
    {
        const char* const text_end = text_.data() + text_.size();
        const void* nl = std::memchr(from, '\n', static_cast<std::size_t>(text_end - from));
        return nl ? static_cast<const char*>(nl) : text_end;
    }

    // Reads the row that starts at `start` (its first byte not blank); returns the end of its line.
    const char* read_row(const char* start, std::size_t line_no)
    {
        const char* const text_end = text_.data() + text_.size();
        const char* colon = start;
        while (colon != text_end && *colon != ':' && *colon != '\n') ++colon;
        if (colon == text_end || *colon == '\n') {
            issue(line_no, "no ':' after an IRQ id");
            return colon;
        }
        const std::string_view id = trim(std::string_view(start, static_cast<std::size_t>(colon - start)));
        if (id.empty() || std::any_of(id.begin(), id.end(), is_blank)) {
            issue(line_no, "malformed IRQ id " + quoted(id));
            return line_end(colon);
        }
        std::optional<unsigned> number;
        if (all_digits(id)) {
            number = to_number<unsigned>(id);
            if (!number) {
                issue(line_no, "IRQ number out of range " + quoted(id));
                return line_end(colon);
            }
        }

        // Short rows (ERR:, MIS:, arches that print fewer columns) leave their missing columns at 0.
        // Those zeros are the only cells not paid for by input bytes, so they get a budget: without
        // one, a wide header followed by many tiny lines would ask for gigabytes.
        const std::size_t ncpus = out_.cpus.size();
        const std::size_t base = cells_;
        if (base + ncpus > text_.size() + short_row_allowance * ncpus) {
            issue(line_no, "too many short rows for the size of the text");
            return line_end(colon);
        }
        if (out_.counts.size() < base + ncpus) out_.counts.resize(std::max(base + ncpus, out_.counts.capacity()));

        // The counts stop at the line's '\n' (not a digit, not a blank), so they are read up to the
        // end of the text and the line's end is looked for after them, in its short tail.
        const char* p = colon + 1;
        const char* bad = nullptr;
        std::size_t n = 0;
        const counts_status status = read_counts(p, text_end, out_.counts.data() + base, ncpus, n, bad, fixed_width_);
        const char* end = line_end(p);
        if (status != counts_status::ok || n == 0) {
            if (status == counts_status::overflow) {
                issue(line_no, "count does not fit in 64 bits " + quoted(std::string_view(bad, static_cast<std::size_t>(end - bad))));
            } else if (status == counts_status::malformed) {
                issue(line_no, "malformed count " + quoted(std::string_view(bad, static_cast<std::size_t>(end - bad))));
            } else {
                issue(line_no, "no counts after " + quoted(id));
            }
            return end;
        }
        std::fill(out_.counts.begin() + static_cast<std::ptrdiff_t>(base + n),
                  out_.counts.begin() + static_cast<std::ptrdiff_t>(base + ncpus), std::uint64_t{0});
        cells_ = base + ncpus;
        const std::string_view tail = trim(std::string_view(p, static_cast<std::size_t>(end - p)));

        irq_row& row = next_row();
        // The row this one replaces in a reused snapshot is most often the same IRQ with the same
        // text after its counts: every field below is a function of the two, so they stand.
        if (row.number == number && row.id == id && row.description == tail) {
            if (!number) row.per_cpu = !(n == 1 && tail.empty());
            return end;
        }
        rows_as_before_ = false;
        row.id.assign(id);
        row.number = number;
        row.description.assign(tail);
        if (number) {
            split_tail(tail, row);
            row.per_cpu = true;
        } else {
            row.chip.clear();
            row.hwirq.clear();
            row.trigger.clear();
            row.name.assign(tail);
            // ERR:, MIS:, arm's Err: one value and no description; it is not a per-CPU counter.
            row.per_cpu = !(n == 1 && tail.empty());
        }
        // Drivers name IRQs with any bytes; everything downstream (JSON, labels, the state file)
        // needs UTF-8. Done here, once per row, so every reader sees the same name.
        for (auto* field : {&row.id, &row.description, &row.chip, &row.hwirq, &row.trigger, &row.name}) replace_invalid_utf8(*field);
        return end;
    }

    // Reuses the row objects (and their strings' buffers) of the previous parse into the same snapshot.
    irq_row& next_row()
    {
        if (rows_ == out_.rows.size()) out_.rows.emplace_back();
        return out_.rows[rows_++];
    }

    static constexpr std::size_t short_row_allowance = 64;

    std::string_view text_;
    snapshot& out_;
    bool fixed_width_;
    std::size_t rows_ = 0;
    std::size_t cells_ = 0;             // counts written so far (out_.counts may be longer until the end)
    std::size_t rows_before_;           // rows out_ held before this parse
    bool rows_as_before_ = true;         // no row so far differs from the one it replaces
};

}  // namespace

std::uint64_t snapshot::row_total(std::size_t row) const
{
    const auto first = counts.begin() + static_cast<std::ptrdiff_t>(row * cpus.size());
    return std::accumulate(first, first + static_cast<std::ptrdiff_t>(cpus.size()), std::uint64_t{0});
}

std::optional<std::size_t> snapshot::find_row(std::string_view id) const
{
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].id == id) return i;
    }
    return std::nullopt;
}

std::optional<std::size_t> snapshot::find_cpu(unsigned cpu) const
{
    const auto it = std::find(cpus.begin(), cpus.end(), cpu);
    if (it == cpus.end()) return std::nullopt;
    return static_cast<std::size_t>(it - cpus.begin());
}

snapshot parse_interrupts(std::string_view text)
{
    snapshot out;
    parse_interrupts(text, out);
    return out;
}

void parse_interrupts(std::string_view text, snapshot& out)
{
    parser(text, out, true).run();
}

void parse_interrupts_general(std::string_view text, snapshot& out)
{
    parser(text, out, false).run();
}

}  // namespace irqd::core
