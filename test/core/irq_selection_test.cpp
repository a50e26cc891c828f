// Row selection as the interrupts query and the stream use it: ids, a glob over name or id, top-N
// and the per-CPU sums, over a four-row table; and the plain IRQ numbers the API accepts.
#define BOOST_TEST_MODULE irq_selection
#include <boost/test/unit_test.hpp>

#include "irqd/core/irq_selection.hpp"

using namespace irqd::core;

namespace {

// Rows 0, 1, NMI, 9 over CPUs 0 and 2; names for all but row 9 (gone from the snapshot).
struct table {
    layout shape{{"0", "1", "NMI", "9"}, {0, 2}};
    std::vector<std::uint64_t> counts{5, 1,     // 0: timer
                                      0, 30,    // 1: eth0-rx-0
                                      2, 2,     // NMI: Non-maskable interrupts
                                      7, 0};    // 9: (no name)
    snapshot names;
    table() {
        names.cpus = {0, 2};
        names.rows = {{"0", 0, "IO-APIC", "2", "edge", "timer"},
                      {"1", 1, "PCI-MSI", "1", "edge", "eth0-rx-0"},
                      {"NMI", std::nullopt, "", "", "", "Non-maskable interrupts"}};
    }
    selected_rows select(const irq_selection& sel, std::vector<std::size_t> cols = {0, 1}) const {
        return select_rows(shape, counts, cols, sel, names);
    }
};

std::vector<std::string> ids_of(const table& t, const selected_rows& s) {
    std::vector<std::string> out;
    for (const auto& r : s.rows) out.push_back(t.shape.row_ids[r.index]);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(no_filter_takes_every_row_and_sums_the_columns) {
    table t;
    auto s = t.select({});
    BOOST_TEST(ids_of(t, s) == (std::vector<std::string>{"0", "1", "NMI", "9"}), boost::test_tools::per_element());
    BOOST_TEST(s.per_column == (std::vector<std::uint64_t>{14, 33}), boost::test_tools::per_element());
    BOOST_TEST(s.total == 47u);
    BOOST_TEST(s.rows[1].total == 30u);
}

BOOST_AUTO_TEST_CASE(ids_glob_and_top) {
    table t;
    irq_selection ids;
    ids.ids = {"NMI", "9", "77"};
    auto s = t.select(ids);
    BOOST_TEST(ids_of(t, s) == (std::vector<std::string>{"NMI", "9"}), boost::test_tools::per_element());
    BOOST_TEST(s.total == 11u);

    irq_selection glob;
    glob.pattern = "eth0-*";                           // by name
    BOOST_TEST(ids_of(t, t.select(glob)) == (std::vector<std::string>{"1"}), boost::test_tools::per_element());
    glob.pattern = "N?I";                              // by id
    BOOST_TEST(ids_of(t, t.select(glob)) == (std::vector<std::string>{"NMI"}), boost::test_tools::per_element());

    irq_selection top;
    top.top = 2;                                       // busiest first; the sums still count every row
    auto busiest = t.select(top);
    BOOST_TEST(ids_of(t, busiest) == (std::vector<std::string>{"1", "9"}), boost::test_tools::per_element());
    BOOST_TEST(busiest.total == 47u);
}

BOOST_AUTO_TEST_CASE(only_the_counted_columns_make_the_totals) {
    table t;
    irq_selection top;
    top.top = 1;
    auto s = t.select(top, {0});                       // CPU 0 only: IRQ 9 is the busiest there
    BOOST_TEST(ids_of(t, s) == (std::vector<std::string>{"9"}), boost::test_tools::per_element());
    BOOST_TEST(s.per_column == (std::vector<std::uint64_t>{14}), boost::test_tools::per_element());
    BOOST_TEST(all_columns(t.shape) == (std::vector<std::size_t>{0, 1}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(irq_numbers_are_plain_decimals_below_the_limit) {
    BOOST_TEST(*parse_irq_number("0") == 0u);
    BOOST_TEST(*parse_irq_number("1048575") == 1048575u);
    BOOST_TEST(!parse_irq_number("1048576"));
    BOOST_TEST(!parse_irq_number("-1"));
    BOOST_TEST(!parse_irq_number("+1"));
    BOOST_TEST(!parse_irq_number(" 1"));
    BOOST_TEST(!parse_irq_number("../1"));
    BOOST_TEST(!parse_irq_number(""));
    BOOST_TEST(name_or_id_matches("eth*", "12", "eth0"));
    BOOST_TEST(name_or_id_matches("1?", "12", "eth0"));
    BOOST_TEST(!name_or_id_matches("nvme*", "12", "eth0"));
}

BOOST_AUTO_TEST_CASE(irq_lists_have_their_own_limit_and_say_irq) {
    auto ok = parse_irq_list("35,30,32-33,9999");
    BOOST_REQUIRE(ok.has_value());
    BOOST_TEST(*ok == (std::vector<unsigned>{30, 32, 33, 35, 9999}), boost::test_tools::per_element());
    auto big = parse_irq_list("2000000");
    BOOST_REQUIRE(!big.has_value());
    BOOST_TEST(big.error_message() == "IRQ 2000000 is beyond the maximum of 1048575");
    BOOST_TEST(parse_irq_list("3,x").error_message() == "'x' is not an IRQ number");
    BOOST_TEST(parse_irq_list("9-3").error_message() == "range 9-3 is reversed");
    BOOST_TEST(parse_irq_list("0-99999").error_message() == "more than 16384 IRQs in the list");
    BOOST_TEST(!parse_irq_list("").has_value());
}
