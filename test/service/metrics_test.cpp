// The /metrics exposition in slices: every slice within its byte limit (a single row may pass it),
// and the slices together are the whole exposition, with and without the per-IRQ series.
#define BOOST_TEST_MODULE metrics
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <optional>
#include <string>

#include "irqd/service/metrics.hpp"
#include "sampled_machine.hpp"

using namespace irqd::service;

namespace {

// Two samples of `cpus` CPUs and `irqs` IRQs, and /metrics over them.
struct machine : irqd::test::sampled_machine {
    procfs_affinity_port port{k.proc()};
    affinity_writer writer{port, true};
    std::optional<metrics_renderer> metrics;

    machine(unsigned cpus, unsigned irqs) : sampled_machine(cpus, irqs) {
        for (unsigned step = 0; step < 2; ++step) sample(irqd::test::interrupts_table(cpus, 30, irqs, step));
        metrics.emplace(metrics_sources{*samples, writer});
    }

    // The slices of one scrape, checked against `limit` as they come.
    std::string sliced(bool per_irq, std::size_t limit, std::size_t longest_row) {
        auto source = metrics->slices(per_irq, limit);
        std::string all, slice;
        std::size_t n = 0;
        bool more = true;
        while (more) {
            slice.clear();
            more = source->next(slice);
            BOOST_TEST(slice.size() <= std::max(limit, longest_row), "slice " << n << " is " << slice.size() << " bytes");
            all += slice;
            ++n;
        }
        BOOST_TEST_MESSAGE(n << " slices of at most " << limit << " bytes");
        return all;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(slices_keep_their_limit_and_add_up_to_the_exposition) {
    machine m(64, 300);
    std::string whole;
    m.metrics->render(whole);
    BOOST_TEST(whole.find("node_interrupts_total{cpu=\"63\",type=\"329\"") != std::string::npos);
    BOOST_TEST(whole.find("irqd_irq_affinity_info{irq=\"329\"") != std::string::npos);
    BOOST_TEST(whole.find("node_interrupts_total{cpu=\"6\",type=\"31\",info=\"IR-PCI-MSI\",devices=\"31-edge "
                          "eth0-TxRx-31\"} 1000001148\n") != std::string::npos);
    for (std::size_t limit : {std::size_t{4096}, std::size_t{64 * 1024}, metrics_renderer::default_slice_bytes})
        BOOST_TEST(m.sliced(true, limit, 64 * 120) == whole, "limit " << limit);
}

BOOST_AUTO_TEST_CASE(without_per_irq_series_the_slices_are_the_small_exposition) {
    machine m(8, 20);
    std::string whole;
    m.metrics->render(whole, {}, false);
    BOOST_TEST(whole.find("node_interrupts_total") == std::string::npos);
    BOOST_TEST(whole.find("irqd_irq_affinity_info") == std::string::npos);
    BOOST_TEST(whole.find("irqd_cpu_interrupts_total{cpu=\"7\"}") != std::string::npos);
    BOOST_TEST(m.sliced(false, 4096, 0) == whole);
}
