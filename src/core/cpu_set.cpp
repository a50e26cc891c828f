// CPU sets: a bitset kept without trailing zero words (so == compares words), and the two text
// forms the kernel uses for them: lists ("0-3,8") and hex masks in 32-bit groups ("ff,00000001").
#include "irqd/core/cpu_set.hpp"

#include <algorithm>
#include <bit>
#include <charconv>

#include "irqd/core/hex_value.hpp"

namespace irqd::core {
namespace {

constexpr unsigned word_bits = 64;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string beyond_max(std::string_view cpu) {
    return "CPU " + std::string(cpu) + " is beyond the maximum of " + std::to_string(cpu_set::max_cpus - 1);
}

// A decimal CPU number, all of `s`; an error names the text that is not one.
result<unsigned> parse_cpu_number(std::string_view s) {
    unsigned long long v = 0;
    const char* end = s.data() + s.size();
    auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (s.empty() || ptr != end || (ec != std::errc{} && ec != std::errc::result_out_of_range))
        return error{quoted(s) + " is not a CPU number"};
    if (ec == std::errc::result_out_of_range || v >= cpu_set::max_cpus) return error{beyond_max(s)};
    return static_cast<unsigned>(v);
}

}  // namespace

cpu_set cpu_set::of(std::initializer_list<unsigned> cpus) {
    cpu_set s;
    for (unsigned c : cpus) s.add(c);
    return s;
}

cpu_set cpu_set::range(unsigned first, unsigned last) {
    cpu_set s;
    last = std::min(last, max_cpus - 1);
    for (unsigned c = first; c <= last; ++c) s.add(c);
    return s;
}

// CPUs at or beyond max_cpus are ignored: the kernel cannot have them, and the parsers reject them
// with a message before they get here.
void cpu_set::add(unsigned cpu) {
    if (cpu >= max_cpus) return;
    const std::size_t w = cpu / word_bits;
    if (words_.size() <= w) words_.resize(w + 1, 0);
    words_[w] |= std::uint64_t{1} << (cpu % word_bits);
}

void cpu_set::remove(unsigned cpu) {
    const std::size_t w = cpu / word_bits;
    if (w >= words_.size()) return;
    words_[w] &= ~(std::uint64_t{1} << (cpu % word_bits));
    while (!words_.empty() && words_.back() == 0) words_.pop_back();
}

bool cpu_set::contains(unsigned cpu) const {
    const std::size_t w = cpu / word_bits;
    return w < words_.size() && (words_[w] >> (cpu % word_bits) & 1) != 0;
}

bool cpu_set::empty() const { return words_.empty(); }

std::size_t cpu_set::size() const {
    std::size_t n = 0;
    for (std::uint64_t w : words_) n += static_cast<std::size_t>(std::popcount(w));
    return n;
}

std::vector<unsigned> cpu_set::cpus() const {
    std::vector<unsigned> out;
    out.reserve(size());
    for (std::size_t w = 0; w < words_.size(); ++w) {
        for (std::uint64_t bits = words_[w]; bits != 0; bits &= bits - 1)
            out.push_back(static_cast<unsigned>(w * word_bits + static_cast<unsigned>(std::countr_zero(bits))));
    }
    return out;
}

std::optional<unsigned> cpu_set::first() const {
    for (std::size_t w = 0; w < words_.size(); ++w)
        if (words_[w] != 0) return static_cast<unsigned>(w * word_bits + static_cast<unsigned>(std::countr_zero(words_[w])));
    return std::nullopt;
}

cpu_set cpu_set::operator&(const cpu_set& o) const {
    cpu_set r;
    r.words_.resize(std::min(words_.size(), o.words_.size()));
    for (std::size_t i = 0; i < r.words_.size(); ++i) r.words_[i] = words_[i] & o.words_[i];
    while (!r.words_.empty() && r.words_.back() == 0) r.words_.pop_back();
    return r;
}

cpu_set cpu_set::operator|(const cpu_set& o) const {
    cpu_set r = words_.size() >= o.words_.size() ? *this : o;
    const cpu_set& small = words_.size() >= o.words_.size() ? o : *this;
    for (std::size_t i = 0; i < small.words_.size(); ++i) r.words_[i] |= small.words_[i];
    return r;
}

cpu_set cpu_set::operator-(const cpu_set& o) const {
    cpu_set r = *this;
    for (std::size_t i = 0; i < std::min(r.words_.size(), o.words_.size()); ++i) r.words_[i] &= ~o.words_[i];
    while (!r.words_.empty() && r.words_.back() == 0) r.words_.pop_back();
    return r;
}

bool cpu_set::operator==(const cpu_set& o) const { return words_ == o.words_; }

std::string cpu_set::to_list() const {
    std::string out;
    const std::vector<unsigned> all = cpus();
    for (std::size_t i = 0; i < all.size();) {
        std::size_t j = i;
        while (j + 1 < all.size() && all[j + 1] == all[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += std::to_string(all[i]);
        if (j > i) out += '-' + std::to_string(all[j]);
        i = j + 1;
    }
    return out;
}

// Like the kernel's smp_affinity, except that the first group is not padded to nr_cpu_ids: the
// kernel reads either form back.
std::string cpu_set::to_mask() const {
    if (words_.empty()) return "0";
    const unsigned top_bit = static_cast<unsigned>((words_.size() - 1) * word_bits) +
                             (word_bits - 1 - static_cast<unsigned>(std::countl_zero(words_.back())));
    const unsigned groups = top_bit / 32 + 1;
    std::string out;
    out.reserve(groups * 9);
    static constexpr char digits[] = "0123456789abcdef";
    for (unsigned g = groups; g-- > 0;) {
        const auto group = static_cast<std::uint32_t>(words_[g / 2] >> (32 * (g % 2)));
        int width = 8;
        if (g == groups - 1) {
            width = 1;
            while (width < 8 && (group >> (4 * width)) != 0) ++width;
        } else {
            out += ',';
        }
        for (int d = width; d-- > 0;) out += digits[(group >> (4 * d)) & 0xf];
    }
    return out;
}

result<cpu_set> parse_cpu_list(std::string_view text) {
    const std::string_view body = trim(text);
    if (body.empty()) return error{"empty CPU list"};
    cpu_set out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t comma = body.find(',', pos);
        const std::string_view entry = trim(body.substr(pos, comma == std::string_view::npos ? body.npos : comma - pos));
        if (entry.empty()) return error{"empty entry in CPU list " + quoted(body)};
        if (entry.find(':') != std::string_view::npos)
            return error{"stride form " + quoted(entry) + " is not supported"};
        const std::size_t dash = entry.find('-');
        if (dash == std::string_view::npos) {
            auto cpu = parse_cpu_number(entry);
            if (!cpu) return error{cpu.error_message()};
            out.add(*cpu);
        } else {
            auto first = parse_cpu_number(trim(entry.substr(0, dash)));
            if (!first) return error{first.error_message()};
            auto last = parse_cpu_number(trim(entry.substr(dash + 1)));
            if (!last) return error{last.error_message()};
            if (*first > *last)
                return error{"range " + std::to_string(*first) + "-" + std::to_string(*last) + " is reversed"};
            for (unsigned c = *first; c <= *last; ++c) out.add(c);
        }
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return out;
}

result<cpu_set> parse_cpu_mask(std::string_view text) {
    std::string_view body = trim(text);
    if (body.size() >= 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) body.remove_prefix(2);
    if (body.empty()) return error{"empty CPU mask"};

    // Groups are written most significant first, so count them before giving each its bit offset.
    const std::size_t groups = static_cast<std::size_t>(std::count(body.begin(), body.end(), ',')) + 1;
    cpu_set out;
    std::size_t pos = 0;
    for (std::size_t g = groups; g-- > 0;) {
        const std::size_t comma = body.find(',', pos);
        const std::string_view group = body.substr(pos, comma == std::string_view::npos ? body.npos : comma - pos);
        pos = comma + 1;
        if (group.empty()) return error{"empty group in CPU mask " + quoted(body)};
        if (group.size() > 8) return error{"mask group " + quoted(group) + " has more than 8 hex digits"};
        std::uint32_t value = 0;
        for (char c : group) {
            const int v = hex_value(c);
            if (v < 0) return error{quoted(std::string_view(&c, 1)) + " in CPU mask " + quoted(body) + " is not a hex digit"};
            value = value << 4 | static_cast<std::uint32_t>(v);
        }
        for (; value != 0; value &= value - 1) {
            const unsigned long long cpu = 32ull * g + static_cast<unsigned>(std::countr_zero(value));
            if (cpu >= cpu_set::max_cpus) return error{"CPU mask: " + beyond_max(std::to_string(cpu))};
            out.add(static_cast<unsigned>(cpu));
        }
    }
    return out;
}

}  // namespace irqd::core
