// The affinity writer on a kernel model in memory: read before write, batches all or nothing, and a
// batch written in slices (one write a slice here) that refuses other changes until it has ended.
#define BOOST_TEST_MODULE affinity_writer
#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <deque>
#include <map>
#include <set>

#include "irqd/service/affinity_writer.hpp"

using namespace irqd;
using namespace irqd::service;

namespace {

core::cpu_set cpus(std::string_view list) { return *core::parse_cpu_list(list); }

// IRQs 30..39 on CPU 0; `refuse` makes a write of that IRQ fail with its errno.
struct memory_port : affinity_port {
    std::map<unsigned, core::cpu_set> affinity;
    std::map<unsigned, int> refuse;
    std::size_t writes = 0;
    memory_port() {
        for (unsigned irq = 30; irq < 40; ++irq) affinity[irq] = cpus("0");
    }
    bool irq_exists(unsigned irq) override { return affinity.contains(irq); }
    irq_kernel_info read(unsigned irq) override {
        irq_kernel_info i;
        i.affinity = affinity.at(irq);
        i.effective = affinity.at(irq);
        return i;
    }
    std::error_code write(unsigned irq, const core::cpu_set& set) override {
        ++writes;
        if (auto it = refuse.find(irq); it != refuse.end()) return {it->second, std::generic_category()};
        affinity[irq] = set;
        return {};
    }
};

// The io_context stand-in: posted slices wait here until the test runs them.
struct manual_queue {
    std::deque<std::function<void()>> pending;
    void run_one() {
        auto f = std::move(pending.front());
        pending.pop_front();
        f();
    }
    void run_all() {
        while (!pending.empty()) run_one();
    }
};

struct fixture {
    memory_port port;
    affinity_writer writer{port, false};
    manual_queue queue;
    core::cpu_set online = cpus("0-3");
    std::optional<affinity_writer::batch_result> result;
    std::size_t observed = 0;

    fixture() {
        writer.post = [this](std::function<void()> f) { queue.pending.push_back(std::move(f)); };
        writer.slice_budget = std::chrono::microseconds(0);   // one write a slice
        writer.add_applied_observer([this](const std::vector<affinity_outcome>& outs) { observed += outs.size(); });
    }
    void start(std::vector<affinity_change> changes) {
        writer.start_batch(std::move(changes), online, [this](affinity_writer::batch_result r) { result = std::move(r); });
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_write_that_changes_nothing_is_skipped, fixture) {
    auto r = writer.set({30, cpus("0")}, online);
    BOOST_REQUIRE(std::holds_alternative<affinity_outcome>(r));
    BOOST_TEST(!std::get<affinity_outcome>(r).changed);
    BOOST_TEST(port.writes == 0u);
    r = writer.set({30, cpus("2")}, online);
    BOOST_TEST(std::get<affinity_outcome>(r).changed);
    BOOST_TEST(std::get<affinity_outcome>(r).effective->to_list() == "2");
}

BOOST_FIXTURE_TEST_CASE(a_batch_is_written_in_slices_and_answered_at_the_end, fixture) {
    start({{30, cpus("1")}, {31, cpus("2")}, {32, cpus("0")}, {33, cpus("3")}});
    BOOST_TEST(!result.has_value());
    BOOST_TEST(writer.busy());
    BOOST_TEST(port.writes == 0u);                 // nothing is written on the caller's turn
    queue.run_one();
    BOOST_TEST(port.writes == 1u);
    BOOST_TEST(writer.progress()->written == 1u);
    BOOST_TEST(writer.progress()->total == 4u);
    queue.run_all();
    BOOST_REQUIRE(result.has_value());
    BOOST_REQUIRE(std::holds_alternative<std::vector<affinity_outcome>>(*result));
    const auto& outs = std::get<std::vector<affinity_outcome>>(*result);
    BOOST_TEST(outs.size() == 4u);
    BOOST_TEST(!outs[2].changed);                  // IRQ 32 already was on CPU 0
    BOOST_TEST(port.writes == 3u);
    BOOST_TEST(port.affinity[33].to_list() == "3");
    BOOST_TEST(!writer.busy());
    BOOST_TEST(observed == 4u);                    // observers (the state file) hear of it once, at the end
}

BOOST_FIXTURE_TEST_CASE(other_changes_are_refused_while_a_batch_runs, fixture) {
    start({{30, cpus("1")}, {31, cpus("2")}});
    queue.run_one();
    auto single = writer.set({35, cpus("3")}, online);
    BOOST_REQUIRE(std::holds_alternative<affinity_error>(single));
    BOOST_TEST(std::get<affinity_error>(single).status == 409);
    BOOST_TEST(std::get<affinity_error>(single).code == "affinity_batch_running");
    BOOST_TEST(std::get<affinity_error>(single).message.find("1 of 2 written") != std::string::npos);
    auto other = writer.set_all({{36, cpus("3")}}, online);
    BOOST_REQUIRE(std::holds_alternative<batch_failure>(other));
    BOOST_TEST(std::get<batch_failure>(other).error.code == "affinity_batch_running");
    BOOST_TEST(port.affinity[35].to_list() == "0");
    BOOST_TEST(port.affinity[36].to_list() == "0");
    queue.run_all();
    BOOST_TEST(std::holds_alternative<std::vector<affinity_outcome>>(*result));
    // Once it has ended, the next change goes through.
    BOOST_TEST(std::holds_alternative<affinity_outcome>(writer.set({35, cpus("3")}, online)));
}

BOOST_FIXTURE_TEST_CASE(a_refused_write_rolls_back_across_slices, fixture) {
    port.refuse[34] = ENOSPC;
    start({{30, cpus("1")}, {31, cpus("2")}, {32, cpus("3")}, {33, cpus("1")}, {34, cpus("2")}, {35, cpus("3")}});
    queue.run_one();
    queue.run_one();
    BOOST_TEST(port.affinity[31].to_list() == "2");   // half written
    queue.run_all();
    BOOST_REQUIRE(result.has_value());
    BOOST_REQUIRE(std::holds_alternative<batch_failure>(*result));
    const auto& f = std::get<batch_failure>(*result);
    BOOST_TEST(f.irq == 34u);
    BOOST_TEST(f.error.status == 503);
    BOOST_TEST(f.error.code == "no_vectors");
    BOOST_TEST((f.rolled_back == std::vector<unsigned>{33, 32, 31, 30}));
    BOOST_TEST(f.rollback_failed.empty());
    for (unsigned irq = 30; irq < 40; ++irq) BOOST_TEST(port.affinity[irq].to_list() == "0");
    BOOST_TEST(observed == 0u);                    // nothing was applied, so nothing is saved
    BOOST_TEST(!writer.busy());
}

BOOST_FIXTURE_TEST_CASE(a_bad_entry_refuses_the_batch_before_any_write, fixture) {
    start({{30, cpus("1")}, {99, cpus("1")}});
    BOOST_REQUIRE(result.has_value());             // answered at once
    BOOST_TEST(std::get<batch_failure>(*result).error.code == "irq_not_found");
    result.reset();
    start({{30, cpus("1")}, {31, cpus("7")}});
    BOOST_TEST(std::get<batch_failure>(*result).error.code == "cpus_offline");
    result.reset();
    start({{30, cpus("1")}, {30, cpus("2")}});
    BOOST_TEST(std::get<batch_failure>(*result).error.code == "duplicate_irq");
    BOOST_TEST(port.writes == 0u);
    BOOST_TEST(queue.pending.empty());
    BOOST_TEST(!writer.busy());
}

BOOST_FIXTURE_TEST_CASE(stopping_rolls_a_running_batch_back_at_once, fixture) {
    start({{30, cpus("1")}, {31, cpus("2")}, {32, cpus("3")}});
    queue.run_one();
    queue.run_one();
    writer.abort_batch();
    BOOST_REQUIRE(result.has_value());
    const auto& f = std::get<batch_failure>(*result);
    BOOST_TEST(f.error.status == 503);
    BOOST_TEST(f.error.code == "stopping");
    BOOST_TEST((f.rolled_back == std::vector<unsigned>{31, 30}));
    for (unsigned irq = 30; irq < 33; ++irq) BOOST_TEST(port.affinity[irq].to_list() == "0");
    BOOST_TEST(!writer.busy());
    queue.run_all();                               // the slice still queued finds nothing to do
    BOOST_TEST(port.affinity[32].to_list() == "0");
}

BOOST_FIXTURE_TEST_CASE(without_post_set_all_answers_on_the_callers_turn, fixture) {
    auto r = writer.set_all({{30, cpus("1")}, {31, cpus("2")}}, online);
    BOOST_REQUIRE(std::holds_alternative<std::vector<affinity_outcome>>(r));
    BOOST_TEST(queue.pending.empty());
    BOOST_TEST(port.affinity[31].to_list() == "2");
}

BOOST_FIXTURE_TEST_CASE(the_journal_hears_the_previous_affinities_before_the_first_write, fixture) {
    port.affinity[31] = cpus("2");
    std::vector<affinity_change> journal;
    std::size_t writes_when_journaled = 99, observed_when_ended = 99;
    int ended = 0;
    writer.on_batch_start = [&](const std::vector<affinity_change>& previous) {
        journal = previous;
        writes_when_journaled = port.writes;
    };
    writer.on_batch_end = [&] {
        ++ended;
        observed_when_ended = observed;
    };
    start({{30, cpus("1")}, {31, cpus("3")}});
    queue.run_all();
    BOOST_REQUIRE(journal.size() == 2u);
    BOOST_TEST(journal[0].irq == 30u);
    BOOST_TEST(journal[0].cpus.to_list() == "0");
    BOOST_TEST(journal[1].cpus.to_list() == "2");
    BOOST_TEST(writes_when_journaled == 0u);
    BOOST_TEST(ended == 1);
    BOOST_TEST(observed_when_ended == 2u);         // saved first, then the journal dropped
    BOOST_TEST(std::holds_alternative<std::vector<affinity_outcome>>(*result));

    // A batch that fails ends too (rolled back), and one refused up front never starts.
    port.refuse[33] = EIO;
    start({{32, cpus("1")}, {33, cpus("1")}});
    queue.run_all();
    BOOST_TEST(ended == 2);
    start({{99, cpus("1")}});
    BOOST_TEST(ended == 2);
}
