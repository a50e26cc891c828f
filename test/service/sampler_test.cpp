// The sampler over a fake procfs, driven by sample_once(): when it reads the per-IRQ affinity files
// (a share each sample, all of them once per --irq-files-interval, new IRQs at once, after writes).
#define BOOST_TEST_MODULE sampler
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <string>

#include "sampled_machine.hpp"

using irqd::test::sampled_machine;
using namespace std::chrono_literals;

namespace {

// Two CPUs and IRQs first .. first + n - 1.
std::string table(unsigned first, unsigned n, unsigned step) { return irqd::test::interrupts_table(2, first, n, step); }

}  // namespace

// 10 IRQs, 1 s samples, every IRQ re-read once per 5 s: two a sample. An outside write shows within
// five samples, and not all at once at the next one.
BOOST_AUTO_TEST_CASE(outside_changes_show_within_the_files_interval) {
    sampled_machine m(2, 10, 5s);
    m.sample(table(30, 10, 1));
    BOOST_TEST(m.affinity(30) == "0-1");
    for (unsigned i = 30; i < 40; ++i) m.k.irq(i, "1");   // irqbalance moves them all
    m.sample(table(30, 10, 2));
    unsigned seen = 0;
    for (unsigned i = 30; i < 40; ++i) seen += m.affinity(i) == "1";
    BOOST_TEST(seen == 2u);                                // a share, not every file each sample
    for (unsigned s = 3; s < 7; ++s) m.sample(table(30, 10, s));
    for (unsigned i = 30; i < 40; ++i) BOOST_TEST(m.affinity(i) == "1", "IRQ " << i);
}

// An IRQ that appears is read in the sample that first shows it; irqd's own write (refresh_irq) at
// once; an IRQ that goes is forgotten.
BOOST_AUTO_TEST_CASE(new_irqs_and_own_writes_are_read_at_once) {
    sampled_machine m(2, 4, 1h);
    m.sample(table(30, 4, 1));
    BOOST_TEST(m.affinity(33) == "0-1");
    BOOST_TEST(m.samples->irq_info(34) == nullptr);
    m.k.irq(34, "1");
    m.sample(table(30, 5, 2));                             // IRQ 34 appears
    BOOST_TEST(m.affinity(34) == "1");
    m.k.irq(31, "0");
    m.sample(table(30, 5, 3));
    BOOST_TEST(m.affinity(31) == "0-1");                   // an hour's cadence: not read again yet
    m.samples->refresh_irq(31);                            // what the affinity writer calls after its write
    BOOST_TEST(m.affinity(31) == "0");
    m.sample(table(31, 4, 4));                             // IRQ 30 goes
    BOOST_TEST(m.samples->irq_info(30) == nullptr);
    BOOST_TEST(m.affinity(31) == "0");
}

// effective_affinity_list is what the kernel chose within the affinity. On the cadence it is read
// again only when it may have changed: the affinity changed, or last time it was not the whole
// affinity. A change of the header's CPUs (a CPU went offline) re-reads every IRQ's files.
BOOST_AUTO_TEST_CASE(the_effective_list_is_read_when_it_may_have_changed) {
    sampled_machine m(2, 2, 1s);   // every IRQ re-read each sample
    const auto effective = [&](unsigned irq) {
        const auto* info = m.samples->irq_info(irq);
        return info && info->effective ? info->effective->to_list() : "none";
    };
    const auto write_effective = [&](unsigned irq, const std::string& list) {
        std::ofstream(m.k.proc() / "irq" / std::to_string(irq) / "effective_affinity_list") << list << "\n";
    };
    m.k.irq(30, "1");                  // one CPU: the effective list is that CPU
    write_effective(31, "0");          // a mask the kernel chose CPU 0 from
    m.sample(table(30, 2, 1));
    BOOST_TEST(effective(30) == "1");
    BOOST_TEST(effective(31) == "0");
    write_effective(30, "0");          // not what a kernel does for an IRQ set to CPU 1: not re-read
    write_effective(31, "1");          // the kernel moved it within its mask: seen
    m.sample(table(30, 2, 2));
    BOOST_TEST(effective(30) == "1");
    BOOST_TEST(effective(31) == "1");
    m.k.irq(30, "0");                  // the affinity changed: both lists read
    m.sample(table(30, 2, 3));
    BOOST_TEST(m.affinity(30) == "0");
    BOOST_TEST(effective(30) == "0");
    write_effective(30, "1");
    m.sample(table(30, 2, 4));
    BOOST_TEST(effective(30) == "0");
    // CPU 1 went offline: the header names CPU 0 only, and every file is read again.
    std::string one_cpu = "           CPU0\n";
    for (unsigned i = 30; i < 32; ++i) one_cpu += " " + std::to_string(i) + ":  500  IR-PCI-MSI " + std::to_string(i) + "-edge  eth0-" + std::to_string(i) + "\n";
    m.sample(one_cpu);
    BOOST_TEST(effective(30) == "1");
}

// The rows are not compared again while the parser finds each one as it was: a device that takes
// over an IRQ number after many quiet samples, or after a skipped sample, is still read at once.
BOOST_AUTO_TEST_CASE(a_new_device_on_an_irq_is_seen_after_quiet_samples) {
    sampled_machine m(2, 4, 1h);   // files re-read only when the IRQs change
    const auto renamed = [](unsigned step, const std::string& device) {
        std::string t = table(30, 4, step);
        t.replace(t.find("eth0-TxRx-32"), 12, device);
        return t;
    };
    for (unsigned s = 1; s <= 6; ++s) m.sample(table(30, 4, s));
    m.k.irq(32, "1");
    m.sample(renamed(7, "nvme0q1-32  "));
    BOOST_TEST(m.affinity(32) == "1");
    for (unsigned s = 8; s <= 13; ++s) m.sample(renamed(s, "nvme0q1-32  "));
    m.k.interrupts("no header here\n");
    m.now += 1s;
    BOOST_TEST(!m.samples->sample_once(m.now));   // skipped: its parse is not a sample
    m.k.irq(32, "0");
    m.sample(table(30, 4, 14));                   // eth0 is back on IRQ 32
    BOOST_TEST(m.affinity(32) == "0");
    m.k.irq(32, "1");
    for (unsigned s = 15; s <= 18; ++s) m.sample(table(30, 4, s));
    BOOST_TEST(m.affinity(32) == "0");            // an hour's cadence: nothing read while quiet
    m.sample(renamed(19, "nvme0q1-32  "));
    BOOST_TEST(m.affinity(32) == "1");
}
