// The sampler over a fake procfs, driven by sample_once(): when it reads the per-IRQ affinity files
// (a share each sample, all of them once per --irq-files-interval, new IRQs at once, after writes).
#define BOOST_TEST_MODULE sampler
#include <boost/test/unit_test.hpp>

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
