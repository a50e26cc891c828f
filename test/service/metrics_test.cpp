// The /metrics exposition in slices: every slice within its byte limit (a single row may pass it),
// and the slices together are the whole exposition, with and without the per-IRQ series.
#define BOOST_TEST_MODULE metrics
#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "fake_kernel.hpp"
#include "irqd/service/metrics.hpp"

using irqd::test::fake_kernel;
using namespace irqd::service;
using namespace std::chrono_literals;

namespace {

// `cpus` CPUs and `irqs` numbered IRQs with long device names, plus LOC and ERR.
std::string table(unsigned cpus, unsigned irqs, unsigned step) {
    std::string t = "    ";
    for (unsigned c = 0; c < cpus; ++c) t += "       CPU" + std::to_string(c);
    t += "\n";
    for (unsigned i = 30; i < 30 + irqs; ++i) {
        t += " " + std::to_string(i) + ":";
        for (unsigned c = 0; c < cpus; ++c) t += " " + std::to_string(1000000000ull * (c % 5) + 37 * i + step);
        t += "  IR-PCI-MSI " + std::to_string(i) + "-edge      eth0-TxRx-" + std::to_string(i) + "\n";
    }
    t += "LOC:";
    for (unsigned c = 0; c < cpus; ++c) t += " " + std::to_string(c + step);
    t += "   Local timer interrupts\nERR:          3\n";
    return t;
}

struct machine {
    fake_kernel k;
    settings cfg;
    boost::asio::io_context io{1};
    std::optional<sampler> samples;
    procfs_affinity_port port;
    affinity_writer writer{port, true};
    std::optional<metrics_renderer> metrics;

    machine(unsigned cpus, unsigned irqs) : port(k.proc()) {
        k.cpus("0-" + std::to_string(cpus - 1));
        for (unsigned i = 30; i < 30 + irqs; ++i) k.irq(i, "0-" + std::to_string(cpus - 1));
        cfg.procfs = k.proc();
        cfg.sysfs = k.sys();
        cfg.interval = 1s;
        cfg.history = {{std::chrono::seconds(1), std::chrono::minutes(1)}};
        cfg.history_given = true;
        samples.emplace(io, cfg);
        auto now = std::chrono::system_clock::now();
        for (unsigned step = 0; step < 2; ++step) {
            k.interrupts(table(cpus, irqs, step));
            BOOST_TEST_REQUIRE(samples->sample_once(now + step * 1s));
        }
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
