// The /proc/stat cpu-line parser (see proc_stat.hpp).
#include "irqd/core/proc_stat.hpp"

#include <array>

#include "text_scan.hpp"

namespace irqd::core {

proc_stat parse_proc_stat(std::string_view text) {
    proc_stat out;
    std::string_view line;
    std::size_t number = 0;
    while (scan::next_line(text, line)) {
        ++number;
        if (line.substr(0, 3) != "cpu") continue;
        std::string_view rest = line;
        const auto name = scan::next_token(rest);
        cpu_time t;
        if (name.size() > 3) {
            const auto cpu = scan::decimal(name.substr(3));
            if (!cpu || *cpu > 0xffffffu) {
                out.issues.push_back({number, "bad cpu name " + scan::quoted(name)});
                continue;
            }
            t.cpu = static_cast<unsigned>(*cpu);
        }
        std::array<std::uint64_t, 8> fields{};
        std::size_t n = 0;
        bool bad = false;
        for (auto token = scan::next_token(rest); !token.empty(); token = scan::next_token(rest)) {
            const auto v = scan::decimal(token);
            if (!v) {
                bad = true;
                break;
            }
            if (n < fields.size()) fields[n] = *v;
            ++n;   // guest and guest_nice (fields 9, 10) are inside user and nice already
        }
        if (bad || n < 4) {
            out.issues.push_back({number, bad ? "not a number in " + scan::quoted(line) : "fewer than 4 fields"});
            continue;
        }
        t.user = fields[0], t.nice = fields[1], t.system = fields[2], t.idle = fields[3];
        t.iowait = fields[4], t.irq = fields[5], t.softirq = fields[6], t.steal = fields[7];
        if (t.cpu) out.cpus.push_back(t);
        else out.all = t;
    }
    return out;
}

}  // namespace irqd::core
