// Tests of the /proc/interrupts parser on kernel layouts (fixtures in test/fixtures/interrupts),
// the seed capture, bad lines and random garbage; also that the reuse form really reuses buffers.
#define BOOST_TEST_MODULE interrupts
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "irqd/core/interrupts.hpp"

// find_row/find_cpu/number are optionals, which Boost.Test cannot print; their comparisons still check.
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<unsigned>)
BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<std::size_t>)

using irqd::core::parse_interrupts;
using irqd::core::snapshot;

namespace {

std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    BOOST_TEST_REQUIRE(in.good(), "cannot open " << path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string fixture(const std::string& name) { return read_text(IRQD_FIXTURES "/interrupts/" + name); }

// The row with this id; fails the test when it is missing.
const irqd::core::irq_row& row(const snapshot& s, std::string_view id)
{
    const auto i = s.find_row(id);
    BOOST_TEST_REQUIRE(i.has_value(), "no row " << id);
    return s.rows[*i];
}

// The count of row `id` on CPU `cpu` (a CPU number, not a column).
std::uint64_t cell(const snapshot& s, std::string_view id, unsigned cpu)
{
    const auto r = s.find_row(id);
    const auto c = s.find_cpu(cpu);
    BOOST_TEST_REQUIRE(r.has_value(), "no row " << id);
    BOOST_TEST_REQUIRE(c.has_value(), "no CPU " << cpu);
    return s.count(*r, *c);
}

// How the parser split a numeric row's tail: chip, hwirq, trigger, action names.
using fields = std::vector<std::string>;
fields split_of(const snapshot& s, std::string_view id)
{
    const auto& r = row(s, id);
    return {r.chip, r.hwirq, r.trigger, r.name};
}

std::vector<std::uint64_t> row_counts(const snapshot& s, std::string_view id)
{
    const auto r = s.find_row(id);
    BOOST_TEST_REQUIRE(r.has_value(), "no row " << id);
    const auto first = s.counts.begin() + static_cast<std::ptrdiff_t>(*r * s.cpus.size());
    return {first, first + static_cast<std::ptrdiff_t>(s.cpus.size())};
}

std::vector<std::size_t> issue_lines(const snapshot& s)
{
    std::vector<std::size_t> lines;
    for (const auto& i : s.issues) lines.push_back(i.line);
    return lines;
}

using counts = std::vector<std::uint64_t>;

}  // namespace

BOOST_AUTO_TEST_CASE(x86_old_layout_glues_the_flow_name_to_the_chip)
{
    const snapshot s = parse_interrupts(fixture("x86-old-2cpu.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.cpus == (std::vector<unsigned>{0, 1}), boost::test_tools::per_element());
    BOOST_TEST(s.rows.size() == 25u);
    BOOST_TEST(s.counts.size() == 50u);

    BOOST_TEST(row(s, "0").number == 0u);
    BOOST_TEST(split_of(s, "0") == (fields{"IO-APIC", "", "edge", "timer"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "0", 0) == 126u);
    BOOST_TEST(split_of(s, "9") == (fields{"IO-APIC", "", "fasteoi", "acpi"}), boost::test_tools::per_element());
    BOOST_TEST(split_of(s, "16") == (fields{"IO-APIC", "", "fasteoi", "uhci_hcd:usb3, ehci_hcd:usb1"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "16", 0) == 156713u);
    BOOST_TEST(split_of(s, "40") == (fields{"PCI-MSI", "", "edge", "PCIe PME"}), boost::test_tools::per_element());
    BOOST_TEST(split_of(s, "45") == (fields{"IR-PCI-MSI", "", "edge", "eth0-TxRx-0"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "45", 1) == 2676698559u);
    BOOST_TEST(split_of(s, "46") == (fields{"IR-PCI-MSI", "", "edge", "eth0-TxRx-1, eth0-fdir"}), boost::test_tools::per_element());
    BOOST_TEST(split_of(s, "47") == (fields{"XT-PIC", "", "XT", "cascade"}), boost::test_tools::per_element());

    const auto& loc = row(s, "LOC");
    BOOST_TEST(!loc.number.has_value());
    BOOST_TEST(loc.chip == "");
    BOOST_TEST(loc.name == "Local timer interrupts");
    BOOST_TEST(loc.per_cpu);
    BOOST_TEST(row_counts(s, "LOC") == (counts{1853447, 1797624}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "TLB").name == "TLB shootdowns");
    BOOST_TEST(!row(s, "ERR").per_cpu);
    BOOST_TEST(!row(s, "MIS").per_cpu);
    BOOST_TEST(s.rows.back().id == "MIS");
}

BOOST_AUTO_TEST_CASE(x86_new_layout_has_hwirq_and_flow_name)
{
    const snapshot s = parse_interrupts(fixture("x86-new-4cpu.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.cpus == (std::vector<unsigned>{0, 1, 2, 3}), boost::test_tools::per_element());
    BOOST_TEST(s.rows.size() == 39u);

    BOOST_TEST(split_of(s, "0") == (fields{"IO-APIC", "2", "edge", "timer"}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "0") == (counts{36, 0, 0, 0}), boost::test_tools::per_element());

    BOOST_TEST(split_of(s, "9") == (fields{"IR-IO-APIC", "9", "fasteoi", "acpi"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "9", 1) == 12u);

    BOOST_TEST(split_of(s, "12") == (fields{"IO-APIC", "12", "edge", "i8042, serio"}), boost::test_tools::per_element());
    BOOST_TEST(split_of(s, "120") == (fields{"DMAR-MSI", "0", "edge", "dmar0"}), boost::test_tools::per_element());
    BOOST_TEST(split_of(s, "122") == (fields{"IR-PCI-MSI", "458752", "edge", "PCIe PME, aerdrv"}), boost::test_tools::per_element());
    BOOST_TEST(split_of(s, "124") == (fields{"IR-PCI-MSI", "376832", "edge", "ahci[0000:00:17.0]"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "124", 1) == 2340u);
    BOOST_TEST(split_of(s, "129") == (fields{"IR-PCI-MSI", "514048", "edge", "snd_hda_intel:card0"}), boost::test_tools::per_element());

    BOOST_TEST(row(s, "126").number == 126u);
    BOOST_TEST(split_of(s, "126") == (fields{"PCI-MSIX-0000:01:00.0", "0", "edge", "nvme0q0"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "126", 0) == 4294967295u);
    BOOST_TEST(split_of(s, "127") == (fields{"PCI-MSIX-0000:01:00.0", "1", "edge", "nvme0q1"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "128", 1) == 91542u);

    BOOST_TEST(split_of(s, "130") == (fields{"IR-PCI-MSI", "524288", "edge", "eth0-TxRx-0"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "130", 3) == 2676698559u);
    BOOST_TEST(s.row_total(*s.find_row("130")) == 7805535u + 2676698559u);

    // No action: the line ends with the padded flow name.
    BOOST_TEST(split_of(s, "131") == (fields{"IR-PCI-MSI", "524289", "edge", ""}), boost::test_tools::per_element());

    BOOST_TEST(row(s, "NMI").name == "Non-maskable interrupts");
    BOOST_TEST(row_counts(s, "LOC") == (counts{9288135, 9120411, 8918133, 9003215}), boost::test_tools::per_element());
    BOOST_TEST(s.row_total(*s.find_row("LOC")) == 9288135u + 9120411u + 8918133u + 9003215u);
    BOOST_TEST(row(s, "RTR").name == "APIC ICR read retries");
    BOOST_TEST(row(s, "HRE").name == "Hyper-V reenlightenment interrupts");
    BOOST_TEST(row(s, "PMN").name == "Posted MSI notification event");
    BOOST_TEST(row(s, "MCP").per_cpu);

    const auto& mis = row(s, "MIS");
    BOOST_TEST(!mis.per_cpu);
    BOOST_TEST(mis.name == "");
    BOOST_TEST(row_counts(s, "MIS") == (counts{3, 0, 0, 0}), boost::test_tools::per_element());
    BOOST_TEST(s.row_total(*s.find_row("MIS")) == 3u);
}

BOOST_AUTO_TEST_CASE(arm64_gic_rows_and_ipi_rows)
{
    const snapshot s = parse_interrupts(fixture("arm64-gicv3-4cpu.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.cpus.size() == 4u);
    BOOST_TEST(s.rows.size() == 16u);

    BOOST_TEST(split_of(s, "11") == (fields{"GICv3", "27", "Level", "arch_timer"}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "11") == (counts{14163, 13331, 13787, 13290}), boost::test_tools::per_element());

    BOOST_TEST(split_of(s, "40") == (fields{"GICv3", "106", "Edge", "arm-smmu-v3-evtq"}), boost::test_tools::per_element());

    BOOST_TEST(split_of(s, "44") == (fields{"ITS-MSI", "524288", "Edge", "eth0-0"}), boost::test_tools::per_element());
    BOOST_TEST(split_of(s, "46") == (fields{"ITS-MSI", "1572864", "Edge", "nvme0q0"}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "46", 2) == 1731u);
    BOOST_TEST(row_counts(s, "47") == (counts{4294967295, 4294967294, 0, 1}), boost::test_tools::per_element());

    // "IPI0:2768808080 ..." — the label glued to a ten-digit count.
    const auto& resched = row(s, "IPI0");
    BOOST_TEST(!resched.number.has_value());
    BOOST_TEST(resched.name == "Rescheduling interrupts");
    BOOST_TEST(resched.per_cpu);
    BOOST_TEST(row_counts(s, "IPI0") == (counts{2768808080, 2768808081, 31234, 29876}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "IPI3").name == "CPU stop (for crash dump) interrupts");
    BOOST_TEST(cell(s, "IPI5", 3) == 29u);
    BOOST_TEST(row(s, "IPI6").name == "CPU wake-up interrupts");

    BOOST_TEST(!row(s, "Err").per_cpu);
    BOOST_TEST(s.row_total(*s.find_row("Err")) == 0u);
}

BOOST_AUTO_TEST_CASE(labels_glued_to_wide_counts_and_no_final_newline)
{
    const std::string text = fixture("arm-glued-2cpu.txt");
    BOOST_TEST_REQUIRE(text.back() != '\n');
    const snapshot s = parse_interrupts(text);
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.rows.size() == 4u);
    BOOST_TEST(row_counts(s, "11") == (counts{4294967295, 4294967295}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "11").number == 11u);
    BOOST_TEST(split_of(s, "11") == (fields{"GICv3", "27", "Level", "arch_timer"}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "IPI0") == (counts{2768808080, 2768808081}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "IPI1").name == "Function call interrupts");
    BOOST_TEST(!row(s, "Err").per_cpu);
}

BOOST_AUTO_TEST_CASE(offline_cpu_is_absent_from_the_header)
{
    const snapshot s = parse_interrupts(fixture("x86-offline-cpu2.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.cpus == (std::vector<unsigned>{0, 1, 3}), boost::test_tools::per_element());
    BOOST_TEST(s.find_cpu(3) == std::optional<std::size_t>(2));
    BOOST_TEST(!s.find_cpu(2).has_value());
    BOOST_TEST(cell(s, "24", 3) == 3003u);
    BOOST_TEST(cell(s, "24", 1) == 2002u);
    BOOST_TEST(cell(s, "LOC", 3) == 7000u);
    BOOST_TEST(s.counts.size() == s.rows.size() * 3);
}

BOOST_AUTO_TEST_CASE(short_rows_and_single_value_rows)
{
    const snapshot s = parse_interrupts(fixture("short-rows-4cpu.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.rows.size() == 7u);
    BOOST_TEST(row_counts(s, "0") == (counts{36, 5, 0, 0}), boost::test_tools::per_element());
    BOOST_TEST(split_of(s, "0") == (fields{"IO-APIC", "2", "edge", "timer"}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "1") == (counts{7, 0, 0, 0}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "1").per_cpu);
    BOOST_TEST(split_of(s, "1") == (fields{"IO-APIC", "1", "edge", "i8042"}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "NMI") == (counts{1, 2, 0, 0}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "NMI").per_cpu);
    BOOST_TEST(row(s, "PLT").name == "Platform interrupts");
    BOOST_TEST(!row(s, "ERR").per_cpu);
    BOOST_TEST(!row(s, "MIS").per_cpu);
    BOOST_TEST(row_counts(s, "MIS") == (counts{17, 0, 0, 0}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(counters_up_to_64_bits_and_overflow_is_an_issue)
{
    const snapshot s = parse_interrupts(fixture("wide-counters-2cpu.txt"));
    BOOST_TEST(issue_lines(s) == (std::vector<std::size_t>{4, 5}), boost::test_tools::per_element());
    for (const auto& i : s.issues) BOOST_TEST(i.reason.find("64 bits") != std::string::npos, i.reason);
    BOOST_TEST(!s.find_row("26").has_value());
    BOOST_TEST(!s.find_row("27").has_value());
    BOOST_TEST(s.rows.size() == 6u);

    BOOST_TEST(row_counts(s, "24") == (counts{4294967295, 4294967295}), boost::test_tools::per_element());
    BOOST_TEST(s.row_total(*s.find_row("24")) == 8589934590u);
    BOOST_TEST(cell(s, "25", 0) == std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(row_counts(s, "28") == (counts{12345678901234567, 9876543210}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "28").name == "eth0-TxRx-4");
    BOOST_TEST(row_counts(s, "29") == (counts{42, 7}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "LOC") == (counts{4294967296, 8589934592}), boost::test_tools::per_element());
    BOOST_TEST(cell(s, "ERR", 0) == 4294967295u);
}

BOOST_AUTO_TEST_CASE(bad_lines_are_issues_with_their_line_numbers)
{
    const snapshot s = parse_interrupts(fixture("garbage-2cpu.txt"));
    BOOST_TEST(issue_lines(s) == (std::vector<std::size_t>{4, 5, 6, 7, 9, 10, 11}), boost::test_tools::per_element());
    for (const auto& i : s.issues) BOOST_TEST(!i.reason.empty());
    BOOST_TEST(s.issues[2].reason.find("12x4") != std::string::npos, s.issues[2].reason);

    BOOST_TEST_REQUIRE(s.rows.size() == 4u);
    BOOST_TEST(s.rows[0].id == "0");
    BOOST_TEST(s.rows[1].id == "12");
    BOOST_TEST(s.rows[2].id == "8");
    BOOST_TEST(s.rows[3].id == "LOC");
    BOOST_TEST(s.counts.size() == 8u);
    BOOST_TEST(row_counts(s, "12") == (counts{12345, 67890}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "12").name == "i8042");
    BOOST_TEST(row_counts(s, "LOC") == (counts{100, 200}), boost::test_tools::per_element());
}

// The parser finds a row's end after its counts, reading them up to the end of the text: nothing of
// the next line may be taken for a count, a malformed count is quoted up to its own line's end, and
// each row parses as it does alone under the header.
BOOST_AUTO_TEST_CASE(a_row_ends_at_its_newline_whatever_follows)
{
    const std::string header = "           CPU0       CPU1\n";
    const std::vector<std::string> lines = {
        "  0:         12\n",                                    // counts end the line; the next starts with digits
        "  1:         34         56   IO-APIC   1-edge      i8042\n",
        "  2:          5x\n",                                   // malformed, quoted alone
        "no colon here 7 8\n",
        " \t \n",                                                // blanks only
        "  3:          1          2\n",
        "  4:          9\n",
        "ERR:          7\n",
        "IPI0:1 2 Rescheduling interrupts\n",                   // arm64: a count glued to the colon
    };
    std::string text = header;
    for (const auto& l : lines) text += l;
    const snapshot s = parse_interrupts(text);
    BOOST_TEST(issue_lines(s) == (std::vector<std::size_t>{4, 5}), boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(s.issues.size() == 2u);
    BOOST_TEST(s.issues[0].reason == "malformed count '5x'", s.issues[0].reason);
    BOOST_TEST(row_counts(s, "0") == (counts{12, 0}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "1") == (counts{34, 56}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "3") == (counts{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "4") == (counts{9, 0}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "IPI0").name == "Rescheduling interrupts");
    for (const auto& l : lines) {
        const snapshot alone = parse_interrupts(header + l);
        for (const auto& r : alone.rows) {
            BOOST_TEST(row_counts(s, r.id) == row_counts(alone, r.id), boost::test_tools::per_element());
            BOOST_TEST(row(s, r.id).description == r.description);
        }
        // The same line without its newline at the end of the text reads the same.
        const snapshot last = parse_interrupts(header + l.substr(0, l.size() - 1));
        BOOST_TEST(last.counts == alone.counts, boost::test_tools::per_element());
        BOOST_TEST(last.issues.size() == alone.issues.size());
    }
}

BOOST_AUTO_TEST_CASE(text_without_a_cpu_header_is_an_empty_snapshot)
{
    const snapshot rows_only = parse_interrupts("  0:         36          5   IO-APIC   2-edge      timer\n");
    BOOST_TEST(rows_only.cpus.empty());
    BOOST_TEST(rows_only.rows.empty());
    BOOST_TEST(rows_only.counts.empty());
    BOOST_TEST(issue_lines(rows_only) == (std::vector<std::size_t>{1}), boost::test_tools::per_element());

    const snapshot late = parse_interrupts("\n  \nCPU0 CPUx\n  0: 1 IO-APIC 2-edge timer\n");
    BOOST_TEST(late.rows.empty());
    BOOST_TEST(issue_lines(late) == (std::vector<std::size_t>{3}), boost::test_tools::per_element());

    const snapshot descending = parse_interrupts("CPU1 CPU0\n  0: 1 2 IO-APIC 2-edge timer\n");
    BOOST_TEST(descending.rows.empty());
    BOOST_TEST(descending.issues.size() == 1u);

    BOOST_TEST(parse_interrupts("").issues.size() == 1u);
    BOOST_TEST(parse_interrupts("").rows.empty());
    BOOST_TEST(parse_interrupts("\n\n").issues.size() == 1u);
}

BOOST_AUTO_TEST_CASE(seed_capture_of_a_two_cpu_host)
{
    const snapshot s = parse_interrupts(read_text(IRQD_SEED_DIR "/interrupts-per-day.txt"));
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.cpus == (std::vector<unsigned>{0, 1}), boost::test_tools::per_element());
    BOOST_TEST(s.rows.size() == 65u);

    const auto& first = row(s, "132");
    BOOST_TEST(first.chip == "IR-PCI-MSI");
    BOOST_TEST(first.trigger == "edge");
    BOOST_TEST(first.name == "eth0-TxRx-0");
    BOOST_TEST(row_counts(s, "132") == (counts{7805535, 2676698559}), boost::test_tools::per_element());
    BOOST_TEST(row_counts(s, "134") == (counts{3150750313, 16107924}), boost::test_tools::per_element());
    BOOST_TEST(row(s, "196").name == "eth1-TxRx-31");
    BOOST_TEST(row_counts(s, "196") == (counts{152210, 514647}), boost::test_tools::per_element());
    BOOST_TEST(!s.find_row("131").has_value());
}

BOOST_AUTO_TEST_CASE(reuse_form_keeps_buffers_and_leaves_nothing_stale)
{
    const std::string x86 = fixture("x86-new-4cpu.txt");
    snapshot s;
    parse_interrupts(x86, s);
    const auto* counts_buffer = s.counts.data();
    const auto* rows_buffer = s.rows.data();
    const auto* ahci_name = row(s, "124").name.data();   // longer than the small-string buffer
    parse_interrupts(x86, s);
    BOOST_TEST(s.counts.data() == counts_buffer);
    BOOST_TEST(s.rows.data() == rows_buffer);
    BOOST_TEST(row(s, "124").name.data() == ahci_name);
    BOOST_TEST(row(s, "124").name == "ahci[0000:00:17.0]");
    BOOST_TEST(s.rows.size() == 39u);

    // A different host into the same snapshot: nothing of the first may survive.
    parse_interrupts(fixture("garbage-2cpu.txt"), s);
    BOOST_TEST(s.cpus.size() == 2u);
    BOOST_TEST(s.rows.size() == 4u);
    BOOST_TEST(s.counts.size() == 8u);
    BOOST_TEST(s.issues.size() == 7u);
    BOOST_TEST(!s.find_row("124").has_value());
    BOOST_TEST(row(s, "0").hwirq == "2");

    parse_interrupts(fixture("arm64-gicv3-4cpu.txt"), s);
    BOOST_TEST(s.issues.empty());
    BOOST_TEST(s.rows.size() == 16u);
    BOOST_TEST(row(s, "Err").chip == "");
    BOOST_TEST(!row(s, "Err").per_cpu);
    BOOST_TEST(row(s, "IPI0").per_cpu);
    BOOST_TEST(cell(s, "44", 0) == 1120u);
}

// rows_as_before: the reuse form says when every row is the one the snapshot held (same id and text
// after the counts, as many rows), whatever the counts did.
BOOST_AUTO_TEST_CASE(the_reuse_form_says_when_no_row_changed)
{
    const std::string x86 = fixture("x86-new-4cpu.txt");
    snapshot s;
    parse_interrupts(x86, s);
    BOOST_TEST(!s.rows_as_before);                       // nothing before
    BOOST_TEST(!parse_interrupts(x86).rows_as_before);   // a fresh snapshot
    std::string counted = x86;                           // other counts, the same rows
    counted.replace(counted.find("36", counted.find(" 0:")), 2, "37");
    parse_interrupts(counted, s);
    BOOST_TEST(s.rows_as_before);
    BOOST_TEST(cell(s, "0", 0) == 37u);
    std::string renamed = x86;                           // one device's name changed
    renamed.replace(renamed.find("ahci[0000:00:17.0]"), 4, "nvme");
    parse_interrupts(renamed, s);
    BOOST_TEST(!s.rows_as_before);
    BOOST_TEST(row(s, "124").name == "nvme[0000:00:17.0]");
    parse_interrupts(renamed, s);
    BOOST_TEST(s.rows_as_before);
    parse_interrupts(renamed.substr(0, renamed.rfind("ERR:")), s);   // rows fewer at the end
    BOOST_TEST(!s.rows_as_before);
    parse_interrupts(renamed, s);                                   // and back
    BOOST_TEST(!s.rows_as_before);
    parse_interrupts(fixture("garbage-2cpu.txt"), s);
    BOOST_TEST(!s.rows_as_before);
}

BOOST_AUTO_TEST_CASE(find_row_and_find_cpu_miss_cleanly)
{
    const snapshot s = parse_interrupts(fixture("x86-offline-cpu2.txt"));
    BOOST_TEST(!s.find_row("NMI").has_value());
    BOOST_TEST(!s.find_row("").has_value());
    BOOST_TEST(!s.find_cpu(4).has_value());
    BOOST_TEST(s.find_row("9") == std::optional<std::size_t>(1));
}

// Random counts of every width (1 to 20 digits), random padding, random short rows: the fast
// eight-bytes-at-a-time paths and the scalar tail must agree with the numbers written.
BOOST_AUTO_TEST_CASE(random_counts_round_trip)
{
    std::mt19937_64 rng(20261123);
    for (int round = 0; round < 200; ++round) {
        const std::size_t ncpus = 1 + rng() % 9;
        std::string text = "       ";
        for (std::size_t c = 0; c < ncpus; ++c) text += "CPU" + std::to_string(c * 2) + "  ";
        text += '\n';
        std::vector<std::vector<std::uint64_t>> expected;
        const std::size_t nrows = 1 + rng() % 20;
        for (std::size_t r = 0; r < nrows; ++r) {
            text += std::to_string(r) + ":";
            std::vector<std::uint64_t> values(ncpus, 0);
            const std::size_t present = (rng() % 4 == 0) ? 1 + rng() % ncpus : ncpus;
            for (std::size_t c = 0; c < present; ++c) {
                const unsigned digits = 1 + rng() % 20;
                std::uint64_t v = rng();
                if (digits < 20) {
                    std::uint64_t limit = 1;
                    for (unsigned d = 0; d < digits; ++d) limit *= 10;
                    v %= limit;
                }
                values[c] = v;
                text.append(1 + rng() % 12, rng() % 10 == 0 ? '\t' : ' ');
                text += std::to_string(v);
            }
            // The last row sometimes ends the text right after its last count.
            if (r + 1 < nrows || rng() % 2) text += "   IR-PCI-MSI " + std::to_string(r) + "-edge      eth0\n";
            expected.push_back(std::move(values));
        }
        const snapshot s = parse_interrupts(text);
        BOOST_TEST_REQUIRE(s.issues.empty(), text);
        BOOST_TEST_REQUIRE(s.rows.size() == nrows);
        BOOST_TEST_REQUIRE(s.cpus.size() == ncpus);
        for (std::size_t r = 0; r < nrows; ++r) {
            for (std::size_t c = 0; c < ncpus; ++c) BOOST_TEST(s.count(r, c) == expected[r][c], "row " << r << " col " << c);
        }
    }
}

BOOST_AUTO_TEST_CASE(random_garbage_never_crashes)
{
    const std::vector<std::string> seeds = {fixture("x86-new-4cpu.txt"), fixture("arm64-gicv3-4cpu.txt"),
                                            fixture("garbage-2cpu.txt")};
    const std::string alphabet = " \t\n:0123456789CPUIRQ-,abcxyz\r\xff";
    std::mt19937 rng(42);
    snapshot reused;
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        if (round % 2 == 0) {
            // Mutate a real layout: flip, insert and delete a few bytes.
            text = seeds[rng() % seeds.size()];
            for (int edits = 1 + rng() % 8; edits > 0; --edits) {
                const std::size_t at = rng() % text.size();
                const char c = alphabet[rng() % alphabet.size()];
                switch (rng() % 3) {
                case 0: text[at] = c; break;
                case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
                default: text.erase(at, 1 + rng() % 20); break;
                }
                if (text.empty()) text = "x";
            }
        } else {
            if (rng() % 2) text = "           CPU0       CPU1       CPU5\n";
            for (std::size_t n = rng() % 400; n > 0; --n) text += alphabet[rng() % alphabet.size()];
        }
        snapshot fresh;
        BOOST_CHECK_NO_THROW(fresh = parse_interrupts(text));
        BOOST_CHECK_NO_THROW(parse_interrupts(text, reused));
        BOOST_TEST_REQUIRE(fresh.counts.size() == fresh.rows.size() * fresh.cpus.size());
        BOOST_TEST_REQUIRE(reused.counts == fresh.counts);
        BOOST_TEST_REQUIRE(reused.rows.size() == fresh.rows.size());
        BOOST_TEST_REQUIRE(reused.issues.size() == fresh.issues.size());
        const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
        for (const auto& i : fresh.issues) BOOST_TEST_REQUIRE((i.line >= 1 && i.line <= lines));
    }
}

// Zero-filled short rows are the one thing not paid for by input bytes; a wide header followed by
// many tiny lines must not turn a small text into a huge table.
BOOST_AUTO_TEST_CASE(short_rows_cannot_blow_up_memory)
{
    std::string text;
    for (unsigned c = 0; c < 1000; ++c) text += "CPU" + std::to_string(c) + ' ';
    text += '\n';
    for (int i = 0; i < 10000; ++i) text += "1:0\n";
    const snapshot s = parse_interrupts(text);
    BOOST_TEST(s.counts.size() <= text.size() + 64 * 1000);
    BOOST_TEST(s.rows.size() > 64u);
    BOOST_TEST(s.rows.size() + s.issues.size() == 10000u);
    BOOST_TEST(s.issues.back().line == 10001u);
}

namespace {

// Every field of two parses, so a difference names what differs.
void require_same_parse(const snapshot& fast, const snapshot& general, const std::string& what)
{
    BOOST_TEST_REQUIRE(fast.cpus == general.cpus, what);
    BOOST_TEST_REQUIRE(fast.counts == general.counts, what);
    BOOST_TEST_REQUIRE(fast.rows.size() == general.rows.size(), what);
    for (std::size_t i = 0; i < fast.rows.size(); ++i) {
        const auto& a = fast.rows[i];
        const auto& b = general.rows[i];
        BOOST_TEST_REQUIRE((a.id == b.id && a.number == b.number && a.chip == b.chip && a.hwirq == b.hwirq &&
                            a.trigger == b.trigger && a.name == b.name && a.per_cpu == b.per_cpu &&
                            a.description == b.description),
                           what << ": row " << i << " (" << a.id << " / " << b.id << ")");
    }
    BOOST_TEST_REQUIRE(fast.issues.size() == general.issues.size(), what);
    for (std::size_t i = 0; i < fast.issues.size(); ++i)
        BOOST_TEST_REQUIRE((fast.issues[i].line == general.issues[i].line && fast.issues[i].reason == general.issues[i].reason),
                           what << ": issue " << i);
}

// A table in the kernel's x86 layout, as ../shared/tools/gen_interrupts.py writes it ("%10u " per
// count), with some counts at the edges of the ten columns: 0, 2^32 - 1, and wider than ten digits.
std::string kernel_table(std::mt19937_64& rng, std::size_t ncpus, std::size_t nirqs)
{
    char buf[64];
    std::string text(11, ' ');
    for (std::size_t c = 0; c < ncpus; ++c) {
        std::snprintf(buf, sizeof buf, "CPU%-8zu", c);
        text += buf;
    }
    while (text.back() == ' ') text.pop_back();
    text += '\n';
    auto count = [&]() -> std::uint64_t {
        switch (rng() % 16) {
        case 0: return 0;
        case 1: return 4294967295u;
        case 2: return rng() % 10;
        case 3: return 10000000000ull + rng() % 1000;   // eleven digits: no longer fits the columns
        default: return rng() % (1ull << 31);
        }
    };
    for (std::size_t i = 0; i < nirqs; ++i) {
        std::snprintf(buf, sizeof buf, "%4zu: ", 24 + i);
        text += buf;
        for (std::size_t c = 0; c < ncpus; ++c) {
            std::snprintf(buf, sizeof buf, "%10llu ", static_cast<unsigned long long>(count()));
            text += buf;
        }
        text += "  IR-PCI-MSI " + std::to_string(524288 + i) + "-edge      eth" + std::to_string(i / 64) + "-TxRx-" +
                std::to_string(i % 64) + "\n";
    }
    for (const char* named : {" NMI: ", " LOC: "}) {
        text += named;
        for (std::size_t c = 0; c < ncpus; ++c) {
            std::snprintf(buf, sizeof buf, "%10llu ", static_cast<unsigned long long>(count()));
            text += buf;
        }
        text += "  Non-maskable interrupts\n";
    }
    return text + " ERR:          0\n MIS:          0\n";
}

}  // namespace

// The fixed-width fast path must parse exactly as the general token loop did before it: every
// fixture (all kernel layouts: x86 old and new, arm64 with IPI rows glued to their counts, offline
// CPUs, short and one-value rows, wide counters, garbage), generated kernel tables, and mutations of
// both. The reuse form (rows whose text did not change keep their fields) is compared too.
BOOST_AUTO_TEST_CASE(fast_path_parses_like_the_general_loop)
{
    std::vector<std::pair<std::string, std::string>> texts;
    for (const char* name : {"arm-glued-2cpu.txt", "arm64-gicv3-4cpu.txt", "garbage-2cpu.txt", "short-rows-4cpu.txt",
                             "wide-counters-2cpu.txt", "x86-new-4cpu.txt", "x86-offline-cpu2.txt", "x86-old-2cpu.txt"})
        texts.emplace_back(name, fixture(name));
    texts.emplace_back("seed", read_text(IRQD_SEED_DIR "/interrupts-per-day.txt"));
    std::mt19937_64 rng(16);
    for (auto [cpus, irqs] : {std::pair<std::size_t, std::size_t>{1, 3}, {2, 40}, {7, 50}, {64, 64}, {256, 40}})
        texts.emplace_back("kernel table " + std::to_string(cpus) + "x" + std::to_string(irqs), kernel_table(rng, cpus, irqs));
    const std::size_t originals = texts.size();
    const std::string alphabet = " \t\n:0123456789-";
    for (std::size_t k = 0; k < 400; ++k) {
        auto [name, text] = texts[k % originals];
        for (int edits = 1 + static_cast<int>(rng() % 6); edits > 0 && !text.empty(); --edits) {
            const std::size_t at = rng() % text.size();
            const char c = alphabet[rng() % alphabet.size()];
            switch (rng() % 3) {
            case 0: text[at] = c; break;
            case 1: text.insert(text.begin() + static_cast<std::ptrdiff_t>(at), c); break;
            default: text.erase(at, 1 + rng() % 3); break;
            }
        }
        texts.emplace_back(name + ", mutation " + std::to_string(k), std::move(text));
    }

    snapshot reused_fast, reused_general;
    for (const auto& [name, text] : texts) {
        snapshot fast, general;
        parse_interrupts(text, fast);
        irqd::core::parse_interrupts_general(text, general);
        require_same_parse(fast, general, name);
        // The previous text's rows are in the reused snapshots: unchanged rows are kept, others redone.
        parse_interrupts(text, reused_fast);
        irqd::core::parse_interrupts_general(text, reused_general);
        require_same_parse(reused_fast, general, name + " (reused)");
        require_same_parse(reused_general, general, name + " (reused, general)");
    }
    // The generated tables are whole kernel tables, not texts both forms give up on.
    const snapshot wide = parse_interrupts(texts[originals - 1].second);
    BOOST_TEST(wide.issues.empty());
    BOOST_TEST(wide.rows.size() == 44u);
    BOOST_TEST(wide.cpus.size() == 256u);
    BOOST_TEST(!row(wide, "ERR").per_cpu);
}

// The fast path checks a whole row of fixed-width counts at once (64 bytes at a time) before it
// reads them: one byte changed anywhere in the counts (a space inside a number, a digit in a
// field's first column, a tab, a line end, a number one column short) must parse as the general
// loop does, in every position of the 64-byte blocks and of the 11-byte fields.
BOOST_AUTO_TEST_CASE(fast_path_rows_with_one_byte_changed_parse_like_the_general_loop)
{
    std::mt19937_64 rng(17);
    const std::string alphabet = " \t\n:-x0123456789";
    for (auto [cpus, irqs] : {std::pair<std::size_t, std::size_t>{3, 8}, {6, 8}, {64, 6}, {100, 4}}) {
        const std::string table = kernel_table(rng, cpus, irqs);
        const std::size_t header_end = table.find('\n') + 1;
        const std::string name = std::to_string(cpus) + "x" + std::to_string(irqs);
        // Every byte of the first two rows: a space, a digit, a tab.
        const std::size_t two_rows = table.find('\n', table.find('\n', header_end) + 1);
        for (std::size_t at = header_end; at < two_rows; ++at) {
            for (const char c : {' ', '5', '\t'}) {
                std::string text = table;
                text[at] = c;
                snapshot fast, general;
                parse_interrupts(text, fast);
                irqd::core::parse_interrupts_general(text, general);
                require_same_parse(fast, general, name + ", byte " + std::to_string(at) + " '" + c + "'");
            }
        }
        for (std::size_t k = 0; k < 600; ++k) {
            std::string text = table;
            const std::size_t at = header_end + rng() % (text.size() - header_end);
            const char c = alphabet[rng() % alphabet.size()];
            if (rng() % 4 == 0) text.erase(at, 1);
            else text[at] = c;
            snapshot fast, general;
            parse_interrupts(text, fast);
            irqd::core::parse_interrupts_general(text, general);
            require_same_parse(fast, general, name + ", byte " + std::to_string(at) + " '" + c + "'");
        }
    }
}
