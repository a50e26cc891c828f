// The /proc/softirqs parser (see softirqs.hpp).
#include "irqd/core/softirqs.hpp"

#include "text_scan.hpp"

namespace irqd::core {

softirq_table parse_softirqs(std::string_view text) {
    softirq_table out;
    std::string_view line;
    std::size_t number = 0;
    bool header = false;
    std::vector<std::uint64_t> row;
    while (scan::next_line(text, line)) {
        ++number;
        if (!header) {
            if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
            if (!scan::cpu_header(line, out.cpus)) {
                out.issues.push_back({number, "no CPU header: " + scan::quoted(line)});
                return out;
            }
            header = true;
            continue;
        }
        std::string_view rest = line;
        auto name = scan::next_token(rest);
        if (name.empty()) continue;
        if (name.size() < 2 || name.back() != ':') {
            out.issues.push_back({number, "no name: " + scan::quoted(line)});
            continue;
        }
        name.remove_suffix(1);
        row.assign(out.cpus.size(), 0);
        std::size_t n = 0;
        bool bad = false;
        for (auto token = scan::next_token(rest); !token.empty(); token = scan::next_token(rest), ++n) {
            const auto v = scan::decimal(token);
            if (!v || n >= row.size()) {
                bad = true;
                break;
            }
            row[n] = *v;
        }
        if (bad) {
            out.issues.push_back({number, "bad counts for " + scan::quoted(name)});
            continue;
        }
        if (n < row.size()) out.issues.push_back({number, "short row " + scan::quoted(name)});
        out.names.emplace_back(name);
        out.counts.insert(out.counts.end(), row.begin(), row.end());
    }
    if (!header) out.issues.push_back({number, "no CPU header"});
    return out;
}

}  // namespace irqd::core
