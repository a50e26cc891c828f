// End-to-end tests of auto mode (--balance-interval): on a simulated machine the first run applies a
// plan that history records with trigger "auto" and the IRQs' rates follow it; later runs on steady
// rates move nothing (min_improvement); with --read-only auto mode stays off and says so in the log.
#define BOOST_TEST_MODULE balance_auto
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include "daemon.hpp"
#include "prometheus_text.hpp"

using namespace irqd::test;
namespace json = boost::json;

namespace {
// 100 simulated seconds per real one, sampled every 100 ms: an auto run every 2 s sees 20 samples.
std::vector<std::string> auto_args(const std::string& every, std::vector<std::string> extra = {}) {
    std::vector<std::string> a{"--simulate", std::string(IRQD_SEED_DIR) + "/interrupts-per-day.txt", "--simulate-speed",
                               "100", "--interval", "100ms", "--history", "1s:1h", "--balance-interval", every};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
}

json::array plans(const irqd_process& d) { return json_body(d.get("/api/v1/balance/history")).at("plans").as_array(); }
std::uint64_t runs(const irqd_process& d) {
    return static_cast<std::uint64_t>(parse_prometheus_text(d.get("/metrics").body).value("irqd_balance_runs_total"));
}
}  // namespace

BOOST_AUTO_TEST_CASE(auto_mode_applies_a_plan_then_holds_on_steady_rates) {
    irqd_process d(auto_args("2s"));
    BOOST_REQUIRE(eventually([&] { return !plans(d).empty(); }, std::chrono::seconds(8)));
    const auto runs_at_first = runs(d);
    auto entry = plans(d).at(0).as_object();
    BOOST_TEST(entry.at("kind").as_string() == "plan");
    BOOST_TEST(entry.at("trigger").as_string() == "auto");
    BOOST_TEST_REQUIRE(entry.at("move_count").to_number<std::uint64_t>() > 0u);
    BOOST_TEST(entry.at("changed").to_number<std::uint64_t>() == entry.at("move_count").to_number<std::uint64_t>());
    BOOST_TEST(entry.at("after").at("max_load").to_number<std::uint64_t>() <
               entry.at("before").at("max_load").to_number<std::uint64_t>());
    BOOST_TEST(entry.at("improvement").to_number<double>() >= 0.05);

    // Every IRQ moved is pinned to its new CPU, and the simulated kernel sends it nowhere else.
    const auto& moves = entry.at("moves").as_array();
    auto pinned = [&] {
        for (const auto& m : moves) {
            auto irq = json_body(d.get("/api/v1/interrupts/" + std::string(m.at("irq").as_string()) + "?window=1s"));
            const auto to = m.at("to").to_number<unsigned>();
            if (irq.at("affinity").as_string() != std::to_string(to) || irq.at("effective").as_string() != std::to_string(to))
                return false;
            for (const auto& c : irq.at("window_counts").as_array())
                if (c.at("cpu").to_number<unsigned>() != to && c.at("count").to_number<std::uint64_t>() != 0) return false;
        }
        return true;
    };
    BOOST_TEST(eventually(pinned, std::chrono::seconds(3)));

    // Two more runs on the same rates: the placement is as good as it gets, so nothing is applied.
    BOOST_REQUIRE(eventually([&] { return runs(d) >= runs_at_first + 2; }, std::chrono::seconds(6)));
    auto later = plans(d);
    BOOST_TEST(later.size() == 1u);
    BOOST_TEST(later.at(0).at("id") == entry.at("id"));
}

BOOST_AUTO_TEST_CASE(read_only_keeps_auto_mode_off) {
    temp_dir logs;
    const auto log_path = logs.path / "irqd.log";
    irqd_process d(auto_args("1s", {"--read-only"}), log_path);
    // Three intervals' worth: an auto run would have planned by now.
    std::this_thread::sleep_for(std::chrono::milliseconds(3200));
    BOOST_TEST(plans(d).empty());
    BOOST_TEST(runs(d) == 0u);
    BOOST_TEST(json_body(d.get("/api/v1/interrupts/140")).at("affinity").as_string() == "0-1");
    BOOST_TEST(d.stop() == 0);
    const auto log_text = read_text(log_path);
    BOOST_TEST(log_text.find("event=balance_auto_off reason=--read-only") != std::string::npos, log_text);
    BOOST_TEST(log_text.find("event=balance_auto ") == std::string::npos);
    BOOST_TEST(log_text.find("event=balance_applied") == std::string::npos);
}
