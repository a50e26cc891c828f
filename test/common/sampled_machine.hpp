// A sampler over a fake kernel, sampled by hand: for the service tests of what the sampler reads
// (per-IRQ files) and of what reads the sampler (/metrics).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "fake_kernel.hpp"
#include "irqd/service/sampler.hpp"

namespace irqd::test {

// /proc/interrupts of `cpus` CPUs and IRQs first .. first + irqs - 1 with long device names, plus
// LOC and ERR; every count grows with `step` (IRQ 31 on CPU 6 at step 1: 1000001148).
inline std::string interrupts_table(unsigned cpus, unsigned first, unsigned irqs, unsigned step) {
    std::string t = "    ";
    for (unsigned c = 0; c < cpus; ++c) t += "       CPU" + std::to_string(c);
    t += "\n";
    for (unsigned i = first; i < first + irqs; ++i) {
        t += " " + std::to_string(i) + ":";
        for (unsigned c = 0; c < cpus; ++c) t += " " + std::to_string(1000000000ull * (c % 5) + 37 * i + step);
        t += "  IR-PCI-MSI " + std::to_string(i) + "-edge      eth0-TxRx-" + std::to_string(i) + "\n";
    }
    t += "LOC:";
    for (unsigned c = 0; c < cpus; ++c) t += " " + std::to_string(c + step);
    t += "   Local timer interrupts\nERR:          3\n";
    return t;
}

// CPUs 0 .. cpus - 1 and IRQs 30 .. 30 + irqs - 1 on all of them; 1 s samples into a minute of
// history, each IRQ's affinity files re-read once per `files_interval`. Nothing sampled yet.
struct sampled_machine {
    fake_kernel k;
    service::settings cfg;
    boost::asio::io_context io{1};
    std::optional<service::sampler> samples;
    core::clock_time now = std::chrono::system_clock::now();

    sampled_machine(unsigned cpus, unsigned irqs, std::chrono::milliseconds files_interval = std::chrono::seconds(10)) {
        const auto all = "0-" + std::to_string(cpus - 1);
        k.cpus(all);
        for (unsigned i = 30; i < 30 + irqs; ++i) k.irq(i, all);
        k.interrupts(interrupts_table(cpus, 30, irqs, 0));
        cfg.procfs = k.proc();
        cfg.sysfs = k.sys();
        cfg.interval = std::chrono::seconds(1);
        cfg.irq_files_interval = files_interval;
        cfg.history = {{std::chrono::seconds(1), std::chrono::minutes(1)}};
        cfg.history_given = true;
        samples.emplace(io, cfg);
    }
    // `text` becomes /proc/interrupts and is sampled a second after the last sample.
    void sample(const std::string& text) {
        k.interrupts(text);
        now += std::chrono::seconds(1);
        BOOST_TEST_REQUIRE(samples->sample_once(now));
    }
    std::string affinity(unsigned irq) const {
        const auto* info = samples->irq_info(irq);
        return info && info->affinity ? info->affinity->to_list() : "none";
    }
};

}  // namespace irqd::test
