// The /proc/net/softnet_stat parser (see softnet_stat.hpp for the columns of each kernel).
#include "irqd/core/softnet_stat.hpp"

#include <array>

#include "text_scan.hpp"

namespace irqd::core {

softnet_stat parse_softnet_stat(std::string_view text, std::span<const unsigned> online) {
    softnet_stat out;
    std::string_view line;
    std::size_t number = 0;
    std::vector<bool> has_id;
    while (scan::next_line(text, line)) {
        ++number;
        std::string_view rest = line;
        std::array<std::uint64_t, 13> col{};
        std::size_t n = 0;
        bool bad = false;
        for (auto token = scan::next_token(rest); !token.empty(); token = scan::next_token(rest), ++n) {
            const auto v = scan::hex(token);
            if (!v) {
                bad = true;
                break;
            }
            if (n < col.size()) col[n] = *v;
        }
        if (n == 0 && !bad) continue;
        if (bad || n < 9) {
            out.issues.push_back({number, (bad ? "not hex: " : "fewer than 9 columns: ") + scan::quoted(line)});
            continue;
        }
        softnet_cpu c;
        c.processed = col[0], c.dropped = col[1], c.time_squeezed = col[2];
        if (n >= 10) c.received_rps = col[9];
        if (n >= 11) c.flow_limit_count = col[10];
        if (n >= 13) {
            c.backlog_len = col[11];
            c.cpu = static_cast<unsigned>(col[12] & 0xffffffffu);
        }
        if (out.cpus.empty()) out.columns = n;
        has_id.push_back(n >= 13);
        out.cpus.push_back(c);
    }
    out.cpu_ids = !out.cpus.empty();
    for (bool b : has_id) out.cpu_ids = out.cpu_ids && b;
    if (!out.cpu_ids) {
        // No ids (before 5.10): the i-th line is the i-th online CPU.
        const bool by_online = online.size() == out.cpus.size();
        if (!online.empty() && !by_online)
            out.issues.push_back({0, std::to_string(out.cpus.size()) + " lines for " + std::to_string(online.size()) +
                                         " online CPUs; numbered by line"});
        for (std::size_t i = 0; i < out.cpus.size(); ++i)
            out.cpus[i].cpu = by_online ? online[i] : static_cast<unsigned>(i);
    }
    return out;
}

}  // namespace irqd::core
