// Aligned plain-text tables for irqctl: columns padded to their widest cell, two spaces apart,
// optional bold/dim rows, and the arithmetic to split many columns into blocks that fit a width.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace irqd::client {

enum class align { left, right };

struct column {
    std::string title;
    align how = align::right;
};

enum class emphasis { none, strong, faint };

class text_table {
public:
    static constexpr std::size_t gap = 2;   // spaces between columns

    explicit text_table(std::vector<column> columns) : columns_(std::move(columns)) {}

    // Cells beyond the columns are dropped; missing ones are empty.
    void add_row(std::vector<std::string> cells, emphasis e = emphasis::none);
    // Widths of each column (title included), in display columns.
    std::vector<std::size_t> widths() const;
    // Header (bold when `color`) and rows, one per line, no trailing spaces.
    std::string render(bool color) const;

private:
    struct row {
        std::vector<std::string> cells;
        emphasis how;
    };
    std::vector<column> columns_;
    std::vector<row> rows_;
};

// Splits columns of `widths` into consecutive blocks [begin, end) so each block, with the fixed
// columns printed beside it (`first_fixed` wide in the first block, `later_fixed` in the others),
// fits in `limit`. Widths count the gap before each column. Every block holds at least one column,
// even one too wide on its own. No limit: one block.
std::vector<std::pair<std::size_t, std::size_t>> fit_blocks(const std::vector<std::size_t>& widths,
                                                            std::size_t first_fixed, std::size_t later_fixed,
                                                            std::optional<std::size_t> limit);

}  // namespace irqd::client
