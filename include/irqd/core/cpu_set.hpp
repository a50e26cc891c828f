// CPU sets as the kernel writes them: lists ("0-3,8,10-11") and hex masks in 32-bit comma groups
// ("ffffffff,00000001"). Parsing returns a value or a readable error; nothing here throws.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "irqd/core/result.hpp"

namespace irqd::core {

class cpu_set {
public:
    static constexpr unsigned max_cpus = 8192;   // the kernel's NR_CPUS upper bound

    cpu_set() = default;
    static cpu_set of(std::initializer_list<unsigned> cpus);
    static cpu_set range(unsigned first, unsigned last);   // inclusive

    void add(unsigned cpu);
    void remove(unsigned cpu);
    bool contains(unsigned cpu) const;
    bool empty() const;
    std::size_t size() const;                              // number of CPUs in the set
    std::vector<unsigned> cpus() const;                    // ascending
    std::optional<unsigned> first() const;

    cpu_set operator&(const cpu_set& o) const;
    cpu_set operator|(const cpu_set& o) const;
    cpu_set operator-(const cpu_set& o) const;
    bool operator==(const cpu_set& o) const;

    std::string to_list() const;                           // "0-3,8"; "" when empty
    std::string to_mask() const;                           // "f", "1,00000000" (CPU 32); "0" when empty

private:
    std::vector<std::uint64_t> words_;                     // bit i of word w is CPU 64*w+i; no trailing zero words
};

// "0-3,8,10-11", "5", "0-15:2" is not supported (kernel's stride form is rare for IRQs) -> error.
result<cpu_set> parse_cpu_list(std::string_view text);
// "f", "ffffffff,00000001", "0x3" with optional 0x prefix; whitespace/newline at the end allowed.
result<cpu_set> parse_cpu_mask(std::string_view text);

}  // namespace irqd::core
