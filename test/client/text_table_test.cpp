// Tests for text tables and the split of wide tables into blocks.
#define BOOST_TEST_MODULE text_table
#include <boost/test/unit_test.hpp>

#include "irqd/client/terminal.hpp"
#include "irqd/client/text_table.hpp"

using namespace irqd::client;

BOOST_AUTO_TEST_CASE(columns_are_padded_to_their_widest_cell) {
    text_table t({{"IRQ", align::right}, {"NAME", align::left}, {"COUNT", align::right}});
    t.add_row({"132", "eth0-TxRx-0", "7"});
    t.add_row({"9", "timer", "12345678"});
    BOOST_TEST(t.render(false) ==
               "IRQ  NAME            COUNT\n"
               "132  eth0-TxRx-0         7\n"
               "  9  timer        12345678\n");
}

BOOST_AUTO_TEST_CASE(trailing_spaces_are_trimmed_and_missing_cells_empty) {
    text_table t({{"A", align::left}, {"B", align::left}});
    t.add_row({"x"});
    t.add_row({"long", "y", "dropped"});
    BOOST_TEST(t.render(false) == "A     B\nx\nlong  y\n");
}

BOOST_AUTO_TEST_CASE(colour_codes_do_not_count_as_width) {
    text_table t({{"N", align::right}});
    t.add_row({paint("5", ansi::dim, true)});
    t.add_row({"100"});
    auto text = t.render(true);
    BOOST_TEST(text.find("  \x1b[2m5\x1b[0m") != std::string::npos);
    BOOST_TEST(text.starts_with("\x1b[1m  N\x1b[0m\n"));
}

BOOST_AUTO_TEST_CASE(display_width_counts_code_points_not_bytes) {
    BOOST_TEST(display_width("█▌ x") == 4u);
    BOOST_TEST(display_width("\x1b[31mred\x1b[0m") == 3u);
    BOOST_TEST(truncate_to_width("eth0-TxRx-12", 6) == "eth0-…");
    BOOST_TEST(truncate_to_width("short", 6) == "short");
    BOOST_TEST(truncate_to_width("\x1b[1mbold text\x1b[0m", 5) == "\x1b[1mbold…\x1b[0m");
}

BOOST_AUTO_TEST_CASE(blocks_fit_the_limit) {
    std::vector<std::size_t> w(10, 8);   // ten columns of 8
    // no limit: one block
    BOOST_TEST((fit_blocks(w, 30, 20, std::nullopt) == std::vector<std::pair<std::size_t, std::size_t>>{{0, 10}}));
    // 80 columns: 30 + 6*8 = 78 in the first block, 20 + 7*8 = 76 in the next... then the rest
    auto b = fit_blocks(w, 30, 20, 80);
    BOOST_TEST((b == std::vector<std::pair<std::size_t, std::size_t>>{{0, 6}, {6, 10}}));
    // every block holds at least one column, even when it does not fit
    auto tiny = fit_blocks(w, 30, 20, 10);
    BOOST_TEST(tiny.size() == 10u);
    BOOST_TEST((tiny.back() == std::pair<std::size_t, std::size_t>{9, 10}));
}
