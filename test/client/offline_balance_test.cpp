// Tests for the offline balance: which rows are balanced, the seed's near-perfect split, the JSON
// shape `irqctl balance --json` prints, and the text form.
#define BOOST_TEST_MODULE offline_balance
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "irqd/client/offline_balance.hpp"

using namespace irqd::client;
namespace json = boost::json;

namespace {
std::string seed() {
    std::ifstream f(std::string(IRQD_SEED_DIR) + "/interrupts-per-day.txt");
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

constexpr std::string_view small =
    "           CPU0       CPU1\n"
    "  0:         10          0   IO-APIC   2-edge      timer\n"
    " 24:          0         30   PCI-MSI 65536-edge    nvme0q0\n"
    " 25:         20          0   PCI-MSI 65537-edge    nvme0q1\n"
    "NMI:        100        100   Non-maskable interrupts\n"
    "LOC:       5000       5000   Local timer interrupts\n"
    "ERR:          3\n";
}  // namespace

BOOST_AUTO_TEST_CASE(numeric_rows_are_items_named_rows_are_left_out) {
    auto b = balance_file_text(small, std::nullopt);
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST((b->cpus == std::vector<unsigned>{0, 1}));
    BOOST_TEST_REQUIRE(b->assignments.size() == 3u);
    BOOST_TEST(b->assignments[0].irq == "0");
    BOOST_TEST(b->assignments[1].name == "nvme0q0");
    BOOST_TEST(b->assignments[1].load == 30u);
    // 30 alone against 10 + 20: perfectly even
    BOOST_TEST(b->metric.total == 60u);
    BOOST_TEST(b->metric.spread == 0u);
    BOOST_TEST(b->assignments[0].cpu == b->assignments[2].cpu);
    BOOST_TEST(b->assignments[1].cpu != b->assignments[0].cpu);
    BOOST_TEST(b->proven_optimal);
}

BOOST_AUTO_TEST_CASE(the_seed_balances_to_a_spread_of_one) {
    auto b = balance_file_text(seed(), std::nullopt);
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(b->assignments.size() == 65u);
    BOOST_TEST(b->metric.spread == 1u);   // the total is odd, so 1 is the best there is
    BOOST_TEST(b->metric.total % 2 == 1u);
    BOOST_TEST(b->proven_optimal);
    BOOST_TEST(b->metric.gap == 0u);
}

BOOST_AUTO_TEST_CASE(cpus_can_be_chosen) {
    auto b = balance_file_text(small, irqd::core::cpu_set::of({2, 5, 7}));
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST((b->cpus == std::vector<unsigned>{2, 5, 7}));
    for (const auto& a : b->assignments) BOOST_TEST((a.cpu == 2 || a.cpu == 5 || a.cpu == 7));
    BOOST_TEST(b->metric.max_load == 30u);
}

BOOST_AUTO_TEST_CASE(files_without_header_or_irqs_are_errors) {
    auto none = balance_file_text("hello\n", std::nullopt);
    BOOST_TEST_REQUIRE(!none.has_value());
    BOOST_TEST(none.error_message() == "no CPU header line (like '   CPU0   CPU1') found");
    auto named = balance_file_text("  CPU0\nNMI: 1 Non-maskable interrupts\n", std::nullopt);
    BOOST_TEST_REQUIRE(!named.has_value());
    BOOST_TEST(named.error_message() == "no numeric IRQ rows to balance");
}

BOOST_AUTO_TEST_CASE(json_has_the_documented_shape) {
    auto b = balance_file_text(small, std::nullopt);
    BOOST_TEST_REQUIRE(b.has_value());
    auto j = to_json(*b);
    BOOST_TEST(j.at("cpus") == json::parse("[0,1]"));
    const auto& a0 = j.at("assignments").at(0).as_object();
    BOOST_TEST(a0.at("irq") == "0");
    BOOST_TEST(a0.at("name") == "timer");
    BOOST_TEST(a0.at("load").to_number<std::uint64_t>() == 10u);
    BOOST_TEST(j.at("cpu_loads").at(1).at("share").as_double() == 0.5);
    const auto& m = j.at("metric").as_object();
    for (auto key : {"total", "max_load", "min_load", "spread", "peak_to_mean", "lower_bound", "gap", "gap_ratio", "outside", "proven_optimal"})
        BOOST_TEST(m.contains(key), key);
    BOOST_TEST(m.at("proven_optimal").as_bool());
}

BOOST_AUTO_TEST_CASE(text_lists_assignments_loads_and_the_metric) {
    auto b = balance_file_text(small, std::nullopt);
    BOOST_TEST_REQUIRE(b.has_value());
    auto text = render_balance(*b, "small.txt", {});
    BOOST_TEST(text.starts_with("Balance of 3 IRQs from small.txt onto CPUs 0-1\n\nIRQ  NAME     LOAD  CPU\n"));
    BOOST_TEST(text.find(" 24  nvme0q0    30") != std::string::npos);
    BOOST_TEST(text.find("TOTAL    60  100.0%     3") != std::string::npos);
    BOOST_TEST(text.find("spread (max - min)                 0\n") != std::string::npos);
    BOOST_TEST(text.ends_with("proven optimal\n"));
}
