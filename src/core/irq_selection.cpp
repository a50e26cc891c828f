// Row selection for the interrupts query and the stream: one pass over the rows, ids by hash look-up,
// the glob only on rows the ids let through, then a stable sort for top-N.
#include "irqd/core/irq_selection.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <numeric>
#include <unordered_map>

namespace irqd::core {

std::optional<unsigned> parse_irq_number(std::string_view text) {
    if (text.empty() || text.size() > 7) return std::nullopt;
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    unsigned v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    if (v >= max_irq_number) return std::nullopt;
    return v;
}

namespace {

result<unsigned> irq_number_in_list(std::string_view text) {
    const auto begin = text.find_first_not_of(' '), end = text.find_last_not_of(' ');
    const std::string_view n = begin == text.npos ? std::string_view() : text.substr(begin, end - begin + 1);
    if (n.empty()) return error{"empty entry in IRQ list"};
    if (!std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return error{"'" + std::string(n) + "' is not an IRQ number"};
    if (n.size() > 7) return error{"IRQ " + std::string(n) + " is beyond the maximum of " + std::to_string(max_irq_number - 1)};
    auto v = parse_irq_number(n);
    if (!v) return error{"IRQ " + std::string(n) + " is beyond the maximum of " + std::to_string(max_irq_number - 1)};
    return *v;
}

}  // namespace

result<std::vector<unsigned>> parse_irq_list(std::string_view text) {
    std::vector<unsigned> out;
    if (text.empty()) return error{"empty IRQ list"};
    std::size_t pos = 0;
    while (true) {
        const std::size_t comma = text.find(',', pos);
        const std::string_view entry = text.substr(pos, comma == std::string_view::npos ? text.npos : comma - pos);
        const std::size_t dash = entry.find('-');
        auto first = irq_number_in_list(entry.substr(0, dash));
        if (!first) return error{first.error_message()};
        unsigned last = *first;
        if (dash != std::string_view::npos) {
            auto l = irq_number_in_list(entry.substr(dash + 1));
            if (!l) return error{l.error_message()};
            if (*l < *first) return error{"range " + std::to_string(*first) + "-" + std::to_string(*l) + " is reversed"};
            last = *l;
        }
        if (last - *first >= max_selected_ids || out.size() + (last - *first) >= max_selected_ids)
            return error{"more than " + std::to_string(max_selected_ids) + " IRQs in the list"};
        for (unsigned i = *first; i <= last; ++i) out.push_back(i);
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool name_or_id_matches(const std::string& glob, const std::string& id, const std::string& name) {
    return fnmatch(glob.c_str(), name.c_str(), 0) == 0 || fnmatch(glob.c_str(), id.c_str(), 0) == 0;
}

std::vector<std::size_t> all_columns(const layout& shape) {
    std::vector<std::size_t> cols(shape.cpus.size());
    std::iota(cols.begin(), cols.end(), std::size_t{0});
    return cols;
}

selected_rows select_rows(const layout& shape, std::span<const std::uint64_t> counts,
                          std::span<const std::size_t> columns, const irq_selection& sel, const snapshot& names,
                          const row_predicate& keep) {
    selected_rows out;
    out.per_column.assign(columns.size(), 0);
    std::unordered_map<std::string_view, const irq_row*> row_of;
    if (!sel.pattern.empty() || keep) {
        row_of.reserve(names.rows.size());
        for (const auto& r : names.rows) row_of.emplace(r.id, &r);
    }
    auto find = [&](const std::string& id) -> const irq_row* {
        auto it = row_of.find(id);
        return it == row_of.end() ? nullptr : it->second;
    };
    static const std::string no_name;
    const auto ncpu = shape.cpus.size();
    for (std::size_t r = 0; r < shape.row_ids.size(); ++r) {
        const auto& id = shape.row_ids[r];
        if (!sel.ids.empty() && !sel.ids.contains(id)) continue;
        if (!sel.pattern.empty()) {
            const auto* row = find(id);
            if (!name_or_id_matches(sel.pattern, id, row ? row->name : no_name)) continue;
        }
        if (keep && !keep(find(id))) continue;
        std::uint64_t total = 0;
        const auto* row = counts.data() + r * ncpu;
        for (std::size_t k = 0; k < columns.size(); ++k) {
            total += row[columns[k]];
            out.per_column[k] += row[columns[k]];
        }
        out.total += total;
        out.rows.push_back({r, total});
    }
    if (sel.top > 0) {
        std::stable_sort(out.rows.begin(), out.rows.end(), [](const auto& a, const auto& b) { return a.total > b.total; });
        if (out.rows.size() > sel.top) out.rows.resize(sel.top);
    }
    return out;
}

}  // namespace irqd::core
