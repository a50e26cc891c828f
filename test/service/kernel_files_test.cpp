// read_file into a reused buffer (the sampler's /proc/interrupts buffer): whatever the buffer held
// before, it ends with exactly the file's bytes; too large is EFBIG; a missing file leaves it empty.
// write_file_atomic replaces a file whole.
#define BOOST_TEST_MODULE kernel_files
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <iterator>
#include <string>
#include <system_error>

#include "irqd/service/kernel_files.hpp"
#include "temp_files.hpp"

using irqd::service::read_file;
using irqd::test::temp_dir;

BOOST_AUTO_TEST_CASE(a_reused_buffer_ends_with_exactly_the_file) {
    temp_dir d;
    const std::string big(300 * 1024 + 7, 'b');   // past the first buffer and the 64 KiB steps
    irqd::test::write(d.path / "big", big);
    irqd::test::write(d.path / "small", "0-3\n");
    std::string buf(100 * 1024, 'x');
    BOOST_TEST(!read_file(d.path / "small", buf));
    BOOST_TEST(buf == "0-3\n");
    BOOST_TEST(!read_file(d.path / "big", buf));
    BOOST_TEST((buf == big));
    BOOST_TEST(!read_file(d.path / "big", buf));   // the same size again: the buffer is full at EOF
    BOOST_TEST((buf == big));
    BOOST_TEST(!read_file(d.path / "small", buf));
    BOOST_TEST(buf == "0-3\n");
    irqd::test::write(d.path / "empty", "");
    BOOST_TEST(!read_file(d.path / "empty", buf));
    BOOST_TEST(buf.empty());
}

BOOST_AUTO_TEST_CASE(too_large_and_missing_files_leave_it_empty) {
    temp_dir d;
    irqd::test::write(d.path / "big", std::string(200 * 1024, 'b'));
    std::string buf = "old";
    BOOST_TEST((read_file(d.path / "big", buf, 64 * 1024) == std::errc::file_too_large));
    BOOST_TEST(buf.empty());
    buf = "old";
    BOOST_TEST((read_file(d.path / "absent", buf) == std::errc::no_such_file_or_directory));
    BOOST_TEST(buf.empty());
}

// Durable or not (the simulated machine's /proc files skip the fsyncs), the file is replaced whole,
// with its mode, and no temporary file is left beside it.
BOOST_AUTO_TEST_CASE(an_atomic_write_replaces_the_file_whole_durable_or_not) {
    temp_dir d;
    const auto p = d.path / "interrupts";
    irqd::test::write(p, "old\n");
    for (bool durable : {true, false}) {
        const std::string text = durable ? "durable\n" : "quick\n";
        BOOST_TEST(!irqd::service::write_file_atomic(p, text, 0640, durable));
        std::string got;
        BOOST_TEST(!read_file(p, got));
        BOOST_TEST(got == text);
        BOOST_TEST(static_cast<unsigned>(std::filesystem::status(p).permissions() & std::filesystem::perms::all) == 0640u);
        BOOST_TEST(std::distance(std::filesystem::directory_iterator(d.path), std::filesystem::directory_iterator{}) == 1);
    }
}

// The sampler's re-reads through <procfs>/irq held open read what the full paths read, follow a
// replaced irq directory, and leave effective_affinity_list empty where an old kernel has none.
BOOST_AUTO_TEST_CASE(irq_files_read_what_the_full_paths_read) {
    using irqd::service::irq_files;
    using irqd::service::irq_kernel_info;
    temp_dir d;
    irqd::test::write(d.path / "irq/24/smp_affinity_list", "0-3\n");
    irqd::test::write(d.path / "irq/24/effective_affinity_list", "2\n");
    irqd::test::write(d.path / "irq/25/smp_affinity_list", "1\n");
    irq_files files(d.path);
    irq_kernel_info info;
    files.read_affinity(24, info);
    BOOST_TEST_REQUIRE(info.affinity.has_value());
    BOOST_TEST(info.affinity->to_list() == "0-3");
    BOOST_TEST_REQUIRE(info.effective.has_value());
    BOOST_TEST(info.effective->to_list() == "2");
    files.read_affinity(25, info);
    BOOST_TEST(info.affinity->to_list() == "1");
    BOOST_TEST(!info.effective.has_value());
    // The whole directory replaced (a fake root rebuilt): the next reads find the new files.
    std::filesystem::remove_all(d.path / "irq");
    irqd::test::write(d.path / "irq/24/smp_affinity_list", "5\n");
    files.read_affinity(24, info);
    BOOST_TEST_REQUIRE(info.affinity.has_value());
    BOOST_TEST(info.affinity->to_list() == "5");
    irqd::test::write(d.path / "irq/24/smp_affinity_list", "6\n");
    files.read_affinity(24, info);
    BOOST_TEST(info.affinity->to_list() == "6");
    // An IRQ that is gone: nothing, as read_irq_affinity gives.
    files.read_affinity(99, info);
    BOOST_TEST(!info.affinity.has_value());
    // A list longer than the first read (every even CPU of 4096, 9 KB) is read whole, and a short one
    // after it is not mixed with its tail.
    std::string even;
    for (unsigned cpu = 0; cpu < 4096; cpu += 2) even += (even.empty() ? "" : ",") + std::to_string(cpu);
    BOOST_TEST_REQUIRE(even.size() > 4096u);
    irqd::test::write(d.path / "irq/24/smp_affinity_list", even + "\n");
    files.read_affinity(24, info);
    BOOST_TEST_REQUIRE(info.affinity.has_value());
    BOOST_TEST(info.affinity->to_list() == even);
    irqd::test::write(d.path / "irq/24/smp_affinity_list", "7\n");
    files.read_affinity(24, info);
    BOOST_TEST(info.affinity->to_list() == "7");
}

// A new IRQ's files, node included, read through the open directory as by the full paths; after a
// fallback to the full path (the directory replaced) the node is still read.
BOOST_AUTO_TEST_CASE(irq_files_read_info_as_read_irq_info) {
    using irqd::service::irq_files;
    temp_dir d;
    irqd::test::write(d.path / "irq/24/smp_affinity_list", "0-3\n");
    irqd::test::write(d.path / "irq/24/effective_affinity_list", "2\n");
    irqd::test::write(d.path / "irq/24/node", "1\n");
    irqd::test::write(d.path / "irq/25/smp_affinity_list", "1\n");
    irq_files files(d.path);
    for (unsigned irq : {24u, 25u, 99u}) {
        auto held = files.read_info(irq);
        auto full = irqd::service::read_irq_info(d.path, irq);
        BOOST_TEST((held.affinity == full.affinity));
        BOOST_TEST((held.effective == full.effective));
        BOOST_TEST(held.node == full.node);
    }
    BOOST_TEST(files.read_info(24).node == 1);
    BOOST_TEST(files.read_info(25).node == -1);
    std::filesystem::remove_all(d.path / "irq");
    irqd::test::write(d.path / "irq/24/smp_affinity_list", "5\n");
    irqd::test::write(d.path / "irq/24/node", "0\n");
    auto after = files.read_info(24);
    BOOST_TEST_REQUIRE(after.affinity.has_value());
    BOOST_TEST(after.affinity->to_list() == "5");
    BOOST_TEST(after.node == 0);
}
