// Table layout for irqctl's text output.
#include "irqd/client/text_table.hpp"

#include <algorithm>

#include "irqd/client/terminal.hpp"

namespace irqd::client {

void text_table::add_row(std::vector<std::string> cells, emphasis e) {
    cells.resize(columns_.size());
    rows_.push_back({std::move(cells), e});
}

std::vector<std::size_t> text_table::widths() const {
    std::vector<std::size_t> w(columns_.size(), 0);
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        w[c] = display_width(columns_[c].title);
        for (const auto& r : rows_) w[c] = std::max(w[c], display_width(r.cells[c]));
    }
    return w;
}

std::string text_table::render(bool color) const {
    auto w = widths();
    auto line = [&](const std::vector<std::string>& cells, emphasis how) {
        std::string out;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (c > 0) out.append(gap, ' ');
            std::size_t pad = w[c] - std::min(w[c], display_width(cells[c]));
            if (columns_[c].how == align::right) out.append(pad, ' ');
            out += cells[c];
            if (columns_[c].how == align::left) out.append(pad, ' ');
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        if (how == emphasis::strong) out = paint(out, ansi::bold, color);
        else if (how == emphasis::faint) out = paint(out, ansi::dim, color);
        return out + "\n";
    };
    std::vector<std::string> titles;
    for (const auto& c : columns_) titles.push_back(c.title);
    std::string out = line(titles, emphasis::strong);
    for (const auto& r : rows_) out += line(r.cells, r.how);
    return out;
}

std::vector<std::pair<std::size_t, std::size_t>> fit_blocks(const std::vector<std::size_t>& widths,
                                                            std::size_t first_fixed, std::size_t later_fixed,
                                                            std::optional<std::size_t> limit) {
    std::vector<std::pair<std::size_t, std::size_t>> blocks;
    if (widths.empty()) return {{0, 0}};
    if (!limit) return {{0, widths.size()}};
    std::size_t begin = 0;
    while (begin < widths.size()) {
        std::size_t used = blocks.empty() ? first_fixed : later_fixed;
        std::size_t end = begin;
        while (end < widths.size() && (end == begin || used + widths[end] <= *limit)) used += widths[end++];
        blocks.emplace_back(begin, end);
        begin = end;
    }
    return blocks;
}

}  // namespace irqd::client
