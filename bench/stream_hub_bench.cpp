// The stream's cost per sample for subscribers that name thousands of IRQs: a fake /proc/interrupts
// of --irqs rows x --cpus columns, two samples, then stream_hub::on_sample() with --subscribers
// subscribers, each naming --ids IRQ ids (distinct lists, so no two share a message, unless
// --same). Prints the time of one on_sample() after each of --repeat new samples (the time a health
// request waits behind it) as min/median/max, and the bytes handed to subscribers. Uses only parse_subscription,
// stream_hub and subscriber, so the same file builds against older trees. See docs/benchmarks.md.
//
//   stream_hub_bench [--irqs=3000] [--cpus=16] [--subscribers=100] [--ids=9400] [--repeat=5] [--same]
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "irqd/service/sampler.hpp"
#include "irqd/service/stream_hub.hpp"

using namespace irqd;
using namespace irqd::service;
namespace fs = std::filesystem;

namespace {

struct options {
    unsigned irqs = 3000, cpus = 16, subscribers = 100, ids = 9400, repeat = 5;
    bool same = false;
};

unsigned number(std::string_view arg, std::string_view name, unsigned fallback) {
    if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') return fallback;
    return static_cast<unsigned>(std::strtoul(std::string(arg.substr(name.size() + 1)).c_str(), nullptr, 10));
}

std::string interrupts_text(const options& o, unsigned round) {
    std::string t = "     ";
    for (unsigned c = 0; c < o.cpus; ++c) t += "       CPU" + std::to_string(c);
    t += "\n";
    for (unsigned i = 0; i < o.irqs; ++i) {
        t += std::to_string(100 + i) + ":";
        for (unsigned c = 0; c < o.cpus; ++c) t += " " + std::to_string((i * 7 + c * 13 + 1) * (round + 1));
        t += "  PCI-MSI " + std::to_string(i) + "-edge  dev" + std::to_string(i % 97) + "-q" + std::to_string(i) + "\n";
    }
    return t;
}

struct counting_subscriber : subscriber {
    subscription sub;
    std::size_t bytes = 0, messages = 0;
    void deliver(std::shared_ptr<const std::string> m) override {
        bytes += m->size();
        ++messages;
    }
    const subscription& wants() const override { return sub; }
    void stop() override {}
};

}  // namespace

int main(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        o.irqs = number(a, "--irqs", o.irqs);
        o.cpus = number(a, "--cpus", o.cpus);
        o.subscribers = number(a, "--subscribers", o.subscribers);
        o.ids = number(a, "--ids", o.ids);
        o.repeat = std::max(1u, number(a, "--repeat", o.repeat));
        if (a == "--same") o.same = true;
    }
    std::string dir = (fs::temp_directory_path() / "irqd-bench-XXXXXX").string();
    if (!::mkdtemp(dir.data())) return 1;
    settings cfg;
    cfg.procfs = fs::path(dir) / "proc";
    cfg.sysfs = fs::path(dir) / "sys";
    fs::create_directories(cfg.procfs);
    fs::create_directories(cfg.sysfs);
    cfg.history = {{std::chrono::seconds(1), std::chrono::minutes(1)}};
    cfg.history_given = true;
    boost::asio::io_context io{1};
    sampler samples(io, cfg);
    auto now = std::chrono::system_clock::now();
    for (unsigned round = 0; round < 2; ++round) {
        std::ofstream(cfg.procfs / "interrupts", std::ios::trunc) << interrupts_text(o, round);
        samples.sample_once(now + std::chrono::seconds(round));
    }

    stream_hub hub(samples, o.subscribers + 1);
    std::vector<std::unique_ptr<counting_subscriber>> subs;
    for (unsigned s = 0; s < o.subscribers; ++s) {
        // Ids 100 .. 100+ids (the rows, then ids no row has), each list missing a different one.
        std::string text = R"({"type":"subscribe","cpus":true,"irqs":[)";
        for (unsigned i = 0, n = 0; n < o.ids; ++i) {
            if (!o.same && i == s) continue;
            text += (n++ ? "," : "") + std::to_string(100 + i);
        }
        text += "]}";
        auto sub = parse_subscription(text);
        if (!sub) {
            std::printf("subscription refused: %s\n", sub.error_message().c_str());
            return 1;
        }
        subs.push_back(std::make_unique<counting_subscriber>());
        subs.back()->sub = std::move(*sub);
        hub.join(subs.back().get());
    }
    std::vector<double> ms;
    for (unsigned r = 0; r < o.repeat; ++r) {
        // A new sample each round, as the daemon has: nothing built for the last one is reused.
        std::ofstream(cfg.procfs / "interrupts", std::ios::trunc) << interrupts_text(o, r + 2);
        samples.sample_once(now + std::chrono::seconds(r + 2));
        auto t0 = std::chrono::steady_clock::now();
        hub.on_sample();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    std::size_t bytes = 0;
    for (const auto& s : subs) bytes += s->bytes;
    std::printf("%u IRQs x %u CPUs, %u subscribers of %u ids%s: on_sample %.1f / %.1f / %.1f ms (min/median/max of %u), "
                "%zu messages built, %.1f MB delivered per sample\n",
                o.irqs, o.cpus, o.subscribers, o.ids, o.same ? " (all the same)" : " (distinct)", ms.front(),
                ms[ms.size() / 2], ms.back(), o.repeat, static_cast<std::size_t>(hub.stats().built / o.repeat),
                static_cast<double>(bytes) / o.repeat / 1e6);
    fs::remove_all(dir);
    return 0;
}
