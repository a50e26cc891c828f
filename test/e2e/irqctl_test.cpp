// End-to-end tests of irqctl: the built binary against a real irqd on a simulated machine (the
// bundled seed: 65 IRQs on 2 CPUs, a day per second so rates are large), checking tables, --json,
// exit codes and the one-line errors. Every command runs under `timeout` so none can hang the suite.
#define BOOST_TEST_MODULE irqctl
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdlib>
#include <fstream>
#include <algorithm>
#include <regex>
#include <thread>
#include <sstream>

#include "daemon.hpp"

using namespace irqd::test;
namespace json = boost::json;

namespace {

const std::string seed_file = std::string(IRQD_SEED_DIR) + "/interrupts-per-day.txt";

std::unique_ptr<irqd_process> start_daemon() {
    return std::make_unique<irqd_process>(std::vector<std::string>{
        "--simulate", "--simulate-speed", "86400", "--interval", "200ms", "--history", "1s:1h,1m:1d"});
}

struct outcome {
    int code;
    std::string out;   // stdout
    std::string err;   // stderr
};

// Runs irqctl with `args` (shell words), stdout and stderr apart.
outcome irqctl(const std::string& args, const std::string& env = "") {
    temp_dir tmp;
    auto err_file = tmp.path / "stderr";
    std::string cmd = env + " timeout 20 " + binary("irqctl").string() + " " + args + " 2>" + err_file.string();
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    int st = ::pclose(p);
    std::ifstream e(err_file);
    std::stringstream err;
    err << e.rdbuf();
    return {WIFEXITED(st) ? WEXITSTATUS(st) : 128, out, err.str()};
}

outcome irqctl(const irqd_process& d, const std::string& args) { return irqctl("--url " + d.url_text() + " " + args); }

std::size_t line_count(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

json::value parse_json(const std::string& text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    BOOST_TEST_REQUIRE(!ec, "not JSON: " << text);
    return v;
}

const json::object* irq_in(const json::value& overview, std::string_view irq) {
    for (const auto& i : overview.at("irqs").as_array())
        if (i.at("irq").as_string() == irq) return &i.as_object();
    return nullptr;
}

std::string affinity_of(const irqd_process& d, const std::string& irq) {
    auto v = parse_json(d.get("/api/v1/interrupts/" + irq).body);
    return std::string(v.at("affinity").as_string());
}

}  // namespace

BOOST_AUTO_TEST_CASE(balance_offline_on_the_seed) {
    auto j = irqctl("balance --file " + seed_file + " --json");
    BOOST_TEST_REQUIRE(j.code == 0, j.err);
    auto plan = parse_json(j.out);
    BOOST_TEST(plan.at("cpus") == json::parse("[0,1]"));
    BOOST_TEST(plan.at("assignments").as_array().size() == 65u);
    const auto& m = plan.at("metric");
    BOOST_TEST(m.at("spread").to_number<std::uint64_t>() == 1u);
    BOOST_TEST(m.at("gap").to_number<std::uint64_t>() == 0u);
    BOOST_TEST(m.at("proven_optimal").as_bool());
    BOOST_TEST(m.at("total").to_number<std::uint64_t>() == 54954968127u);

    auto text = irqctl("balance --file " + seed_file);
    BOOST_TEST(text.code == 0);
    BOOST_TEST(text.out.starts_with("Balance of 65 IRQs from " + seed_file + " onto CPUs 0-1\n"));
    BOOST_TEST(text.out.find("\nIRQ  NAME                LOAD  CPU\n132  eth0-TxRx-0   2684504094    ") != std::string::npos);
    BOOST_TEST(text.out.find("spread (max - min)                 1\n") != std::string::npos);
    BOOST_TEST(text.out.ends_with("proven optimal\n"));
    BOOST_TEST(text.out.find('\x1b') == std::string::npos);   // not a terminal: no colour

    auto four = parse_json(irqctl("balance --file " + seed_file + " --cpus 0-3 --json").out);
    BOOST_TEST(four.at("cpu_loads").as_array().size() == 4u);
}

BOOST_AUTO_TEST_CASE(balance_mistakes_exit_2_with_one_line) {
    auto missing = irqctl("balance --file /nonexistent/interrupts");
    BOOST_TEST(missing.code == 2);
    BOOST_TEST(missing.err == "irqctl: cannot read /nonexistent/interrupts: No such file or directory\n");
    BOOST_TEST(missing.out.empty());
    temp_dir tmp;
    write(tmp.path / "junk", "not interrupts\n");
    auto junk = irqctl("balance --file " + (tmp.path / "junk").string());
    BOOST_TEST(junk.code == 2);
    BOOST_TEST(junk.err == "irqctl: " + (tmp.path / "junk").string() + ": no CPU header line (like '   CPU0   CPU1') found\n");
    auto cpus = irqctl("balance --file " + seed_file + " --cpus 1-x");
    BOOST_TEST(cpus.code == 2);
    BOOST_TEST(line_count(cpus.err) == 1u);
    BOOST_TEST(cpus.err.ends_with("(see irqctl balance --help)\n"));
    // Without --file it asks the daemon: none listening is a network error, exit 1, one line.
    auto remote = irqctl("--url http://127.0.0.1:1 balance");
    BOOST_TEST(remote.code == 1);
    BOOST_TEST(line_count(remote.err) == 1u);
    BOOST_TEST(remote.err.find("cannot connect to irqd") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(overview_and_summary_show_the_machine) {
    auto d = start_daemon();
    BOOST_REQUIRE(d->wait_samples(3));

    auto j = irqctl(*d, "overview --window 2s --top all --json");
    BOOST_TEST_REQUIRE(j.code == 0, j.err);
    auto v = parse_json(j.out);
    BOOST_TEST(v.at("cpus") == json::parse("[0,1]"));
    BOOST_TEST(v.at("irqs").as_array().size() == 65u);
    BOOST_TEST_REQUIRE(irq_in(v, "132"));
    BOOST_TEST(irq_in(v, "132")->at("name") == "eth0-TxRx-0");

    auto t = irqctl(*d, "overview --window 2s --top all");
    BOOST_TEST_REQUIRE(t.code == 0, t.err);
    BOOST_TEST(t.out.starts_with("Interrupts from "));
    BOOST_TEST(std::regex_search(t.out, std::regex("\n  IRQ  NAME +CPU0 +CPU1 +TOTAL +RATE/s  AFFINITY\n")), t.out);
    BOOST_TEST(std::regex_search(t.out, std::regex("\n  132  eth0-TxRx-0 +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+  0-1\n")), t.out);
    BOOST_TEST(std::regex_search(t.out, std::regex("\n  196  eth1-TxRx-31 ")));
    BOOST_TEST(std::regex_search(t.out, std::regex("\nTOTAL +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+\nSHARE +[0-9.]+% +[0-9.]+%\n$")));

    // filters go to the server
    auto top = parse_json(irqctl(*d, "overview --window 2s --top 3 --cpus 1 --json").out);
    BOOST_TEST(top.at("irqs").as_array().size() == 3u);
    BOOST_TEST(top.at("cpus") == json::parse("[1]"));
    auto named = irqctl(*d, "overview --window 2s --name 'eth1-TxRx-1?'");
    BOOST_TEST(std::regex_search(named.out, std::regex("\n  175  eth1-TxRx-10 ")));
    BOOST_TEST(named.out.find("eth0-") == std::string::npos);
    // the simulated machine's NICs: eth1's 32 queues, by interface; no mlx5 there
    auto eth1 = irqctl(*d, "overview --window 2s --netdev eth1 --top all");
    BOOST_TEST_REQUIRE(eth1.code == 0, eth1.err);
    BOOST_TEST(std::regex_search(eth1.out, std::regex("\n  196  eth1-TxRx-31 ")), eth1.out);
    BOOST_TEST(eth1.out.find("eth0") == std::string::npos);
    BOOST_TEST(std::count(eth1.out.begin(), eth1.out.end(), '\n') >= 32);
    auto none = irqctl(*d, "overview --window 2s --driver mlx5_core");
    BOOST_TEST(none.out.find("eth") == std::string::npos, none.out);
    // one line per device: eth0 (32 queues and its own vector) and eth1 (32 queues), both ixgbe
    auto devs = irqctl(*d, "devices --window 2s");
    BOOST_TEST_REQUIRE(devs.code == 0, devs.err);
    BOOST_TEST(std::regex_search(devs.out, std::regex("\n0000:3b:00.0 +ixgbe +eth0 +0 +33 +32 +0-1 +[0-9.kM]+\n")), devs.out);
    BOOST_TEST(std::regex_search(devs.out, std::regex("\n0000:5b:00.0 +ixgbe +eth1 +0 +32 +32 +0-1 +[0-9.kM]+\n")), devs.out);

    // a narrow terminal width (COLUMNS for a pipe) splits the CPU columns into blocks
    auto narrow = irqctl("--url " + d->url_text() + " overview --window 2s --top 2", "COLUMNS=60");
    BOOST_TEST(narrow.out.find("\nCPU 0\n") != std::string::npos, narrow.out);
    BOOST_TEST(narrow.out.find("\nCPU 1\n") != std::string::npos);

    auto s = irqctl(*d, "summary --window 2s");
    BOOST_TEST_REQUIRE(s.code == 0, s.err);
    BOOST_TEST(s.out.starts_with("Interrupts serviced per CPU from "));
    // The simulated machine's CPUs are not overloaded: time in interrupts, NET_RX, no drops or squeezes.
    BOOST_TEST(std::regex_search(s.out, std::regex("\n  CPU +INTERRUPTS +RATE/s +SHARE  IRQS  NODE +%IRQ +%SOFT +NET_RX/s +DROPS +SQUEEZES  FLAGS\n"
                                                   " +0 +[0-9]+ +[0-9]+ +[0-9.]+% +65 +0 +[0-9.]+% +[0-9.]+% +[0-9]+ +0 +0  -\n"
                                                   " +1 +[0-9]+ +[0-9]+ +[0-9.]+% +65 +0 +[0-9.]+% +[0-9.]+% +[0-9]+ +0 +0  -\n"
                                                   "TOTAL +[0-9]+ +[0-9]+  100.0%\n$")),
               s.out);
    auto sj = parse_json(irqctl(*d, "summary --window 2s --json").out);
    BOOST_TEST(sj.at("cpus").as_array().size() == 2u);

    // the URL may come from the environment, and global options may come first
    auto env = irqctl("--json summary", "IRQCTL_URL=" + d->url_text());
    BOOST_TEST(env.code == 0);
    BOOST_TEST(parse_json(env.out).at("cpus").as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(on_64_cpus_the_tables_fit_and_json_keeps_every_cpu) {
    // Four queues, each firing on one CPU (5, 6, 40, 41); every other CPU idle.
    temp_dir tmp;
    std::string table = "          ";
    for (unsigned c = 0; c < 64; ++c) table += " CPU" + std::to_string(c);
    table += "\n";
    const unsigned on[] = {5, 6, 40, 41};
    for (unsigned q = 0; q < 4; ++q) {
        table += " " + std::to_string(132 + q) + ":";
        for (unsigned c = 0; c < 64; ++c) table += c == on[q] ? " " + std::to_string(86400000 * (q + 1)) : " 0";
        table += "  IR-PCI-MSI " + std::to_string(524288 + q) + "-edge      eth0-TxRx-" + std::to_string(q) + "\n";
    }
    write(tmp.path / "64.txt", table);
    irqd_process d({"--simulate", (tmp.path / "64.txt").string(), "--interval", "200ms", "--history", "1s:1h"});
    BOOST_REQUIRE(d.wait_samples(4));

    auto s = irqctl(d, "summary --window 2s");
    BOOST_TEST_REQUIRE(s.code == 0, s.err);
    BOOST_TEST(s.out.find("\nThe 16 busiest of 64 CPUs; TOTAL counts every CPU.\n48 more not shown: 0.0% of the interrupts") !=
                   std::string::npos,
               s.out);
    BOOST_TEST(std::regex_search(s.out, std::regex("FLAGS\n +41 ")), s.out);   // busiest first
    auto cpu_rows = [](const std::string& out) {
        static const std::regex row("\n +[0-9]+ +[0-9]+ ");
        return std::distance(std::sregex_iterator(out.begin(), out.end(), row), std::sregex_iterator());
    };
    BOOST_TEST(cpu_rows(s.out) == 16);
    BOOST_TEST(cpu_rows(irqctl(d, "summary --window 2s --top all").out) == 64);
    BOOST_TEST(parse_json(irqctl(d, "summary --window 2s --json").out).at("cpus").as_array().size() == 64u);
    BOOST_TEST(parse_json(irqctl(d, "summary --window 2s --top 3 --json").out).at("cpus").as_array().size() == 3u);

    auto o = irqctl(d, "overview --window 2s");
    BOOST_TEST_REQUIRE(o.code == 0, o.err);
    BOOST_TEST(o.out.find("\nidle CPUs: 0-4,7-39,42-63 (60, no interrupts in the window).\n--cpus all shows every CPU.\n") !=
                   std::string::npos,
               o.out);
    BOOST_TEST(std::regex_search(o.out, std::regex("\n  IRQ  NAME +CPU5 +CPU6 +CPU40 +CPU41 +TOTAL +RATE/s  AFFINITY\n")), o.out);
    BOOST_TEST(irqctl(d, "overview --window 2s --cpus all").out.find(" CPU63 ") != std::string::npos);
    BOOST_TEST(parse_json(irqctl(d, "overview --window 2s --json").out).at("cpus").as_array().size() == 64u);
}

BOOST_AUTO_TEST_CASE(set_one_irq_moves_its_interrupts) {
    auto d = start_daemon();
    BOOST_REQUIRE(d->wait_samples(2));
    auto r = irqctl(*d, "set 132 1");
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    BOOST_TEST(r.out == "IRQ  BEFORE  AFTER  EFFECTIVE\n132  0-1     1      1\n1 of 1 IRQ changed\n");
    BOOST_TEST(affinity_of(*d, "132") == "1");

    // the overview shows the new affinity, and once a window starts after the move, the counts of
    // IRQ 132 land only on CPU 1
    BOOST_TEST(eventually(
        [&] {
            auto v = parse_json(irqctl(*d, "overview --window 1s --name eth0-TxRx-0 --json").out);
            const auto* irq = irq_in(v, "132");
            if (!irq || irq->at("affinity") != "1") return false;
            const auto& counts = irq->at("counts").as_array();
            return counts[0].to_number<std::uint64_t>() == 0 && counts[1].to_number<std::uint64_t>() > 0;
        },
        std::chrono::seconds(8)));
    auto t = irqctl(*d, "overview --window 1s --name eth0-TxRx-0");
    BOOST_TEST(std::regex_search(t.out, std::regex("\n  132  eth0-TxRx-0 +0 +[1-9][0-9]* +[0-9]+ +[0-9]+  1\n")), t.out);

    // setting it again changes nothing, and says so
    auto again = irqctl(*d, "set 132 1");
    BOOST_TEST(again.out.find("unchanged") != std::string::npos);
    BOOST_TEST(again.out.ends_with("0 of 1 IRQ changed\n"));

    // a mask
    auto mask = irqctl(*d, "set 133 2 --mask --json");
    BOOST_TEST_REQUIRE(mask.code == 0, mask.err);
    BOOST_TEST(parse_json(mask.out).at("affinity") == "1");
}

BOOST_AUTO_TEST_CASE(set_several_is_all_or_nothing) {
    auto d = start_daemon();
    BOOST_REQUIRE(d->wait_samples(1));
    auto r = irqctl(*d, "set 134 1 135 0");
    BOOST_TEST_REQUIRE(r.code == 0, r.err);
    BOOST_TEST(r.out == "IRQ  BEFORE  AFTER  EFFECTIVE\n134  0-1     1      1\n135  0-1     0      0\n2 of 2 IRQs changed\n");
    BOOST_TEST(affinity_of(*d, "134") == "1");
    BOOST_TEST(affinity_of(*d, "135") == "0");

    // one bad IRQ: nothing changes, exit 1, the server's message on one line
    auto bad = irqctl(*d, "set 136 1 9999 0");
    BOOST_TEST(bad.code == 1);
    BOOST_TEST(bad.out.empty());
    BOOST_TEST(bad.err == "irqctl: IRQ 9999 does not exist (nothing was changed)\n");
    BOOST_TEST(affinity_of(*d, "136") == "0-1");

    // a plan file with comments
    temp_dir tmp;
    write(tmp.path / "plan", "# move two queues\n137 1\n138 0   # and this one\n");
    auto plan = irqctl(*d, "set --file " + (tmp.path / "plan").string());
    BOOST_TEST_REQUIRE(plan.code == 0, plan.err);
    BOOST_TEST(affinity_of(*d, "137") == "1");
    BOOST_TEST(affinity_of(*d, "138") == "0");

    // the offline plan, applied through a pipe
    auto piped = run(binary("irqctl").string() + " balance --file " + seed_file + " --json | timeout 20 " +
                     binary("irqctl").string() + " --url " + d->url_text() + " set --file -");
    BOOST_TEST_REQUIRE(piped.code == 0, piped.out);
    BOOST_TEST(std::regex_search(piped.out, std::regex("\n[0-9]+ of 65 IRQs changed\n$")), piped.out);
    auto plan_json = parse_json(irqctl("balance --file " + seed_file + " --json").out);
    for (const auto& a : plan_json.at("assignments").as_array())
        if (a.at("irq") == "132" || a.at("irq") == "196")
            BOOST_TEST(affinity_of(*d, std::string(a.at("irq").as_string())) ==
                       std::to_string(a.at("cpu").to_number<unsigned>()));
}

BOOST_AUTO_TEST_CASE(errors_are_one_line_with_the_right_exit_code) {
    auto d = start_daemon();
    BOOST_REQUIRE(d->wait_samples(1));

    auto no_irq = irqctl(*d, "set 9999 1");
    BOOST_TEST(no_irq.code == 1);
    BOOST_TEST(no_irq.err == "irqctl: IRQ 9999 does not exist\n");

    // the server's 4xx message for a read verb
    auto future = irqctl(*d, "overview --to 2099-01-01T00:00:00Z");
    BOOST_TEST(future.code == 1);
    BOOST_TEST(future.err == "irqctl: to is in the future\n");

    // usage errors: exit 2, one line, a pointer to --help, and no request made
    for (std::string args : {"overview --window soon", "set 132", "set eth0 1", "frob", "", "overview --bogus",
                             "watch --every 0", "summary extra"}) {
        auto u = irqctl(*d, args);
        BOOST_TEST(u.code == 2, args);
        BOOST_TEST(line_count(u.err) == 1u, args << ": " << u.err);
        BOOST_TEST(u.err.starts_with("irqctl: "), args);
        BOOST_TEST(u.err.find("--help)") != std::string::npos, args);
    }

    auto help = irqctl("set --help");
    BOOST_TEST(help.code == 0);
    BOOST_TEST(help.out.starts_with("Usage: irqctl set IRQ CPUS [IRQ CPUS ...] [--mask]\n"));
    BOOST_TEST(irqctl("--version").out == "irqctl 0.1.0\n");

    // daemon down
    auto url = d->url_text();
    d->stop();
    auto down = irqctl("--url " + url + " summary");
    BOOST_TEST(down.code == 1);
    BOOST_TEST(down.err == "irqctl: cannot connect to irqd at " + url +
                               " (is it running? start it with: irqd --simulate)\n");
    BOOST_TEST(irqctl("--url " + url + " watch --count 1").code == 1);
}

BOOST_AUTO_TEST_CASE(overview_is_the_busiest_20_and_every_mistake_says_what_is_wrong) {
    auto d = start_daemon();
    BOOST_REQUIRE(d->wait_samples(3));

    auto busiest = parse_json(irqctl(*d, "overview --window 2s --json").out);
    const auto& rows = busiest.at("irqs").as_array();
    BOOST_TEST(rows.size() == 20u);
    for (std::size_t i = 1; i < rows.size(); ++i)
        BOOST_TEST(rows[i - 1].at("rate").to_number<double>() >= rows[i].at("rate").to_number<double>());
    auto by_irq = parse_json(irqctl(*d, "overview --window 2s --top all --sort irq --json").out);
    BOOST_TEST(by_irq.at("irqs").as_array().size() == 65u);
    std::vector<int> numbers;
    for (const auto& r : by_irq.at("irqs").as_array())
        if (std::isdigit(static_cast<unsigned char>(r.at("irq").as_string()[0]))) numbers.push_back(std::stoi(std::string(r.at("irq").as_string())));
    BOOST_TEST(numbers.size() > 60u);
    BOOST_TEST(std::is_sorted(numbers.begin(), numbers.end()));
    auto table = irqctl(*d, "overview --window 2s");
    BOOST_TEST(table.out.find("The 20 busiest IRQs") != std::string::npos, table.out);
    const std::regex irq_row("\n +[0-9]+  eth");
    BOOST_TEST(std::distance(std::sregex_iterator(table.out.begin(), table.out.end(), irq_row), std::sregex_iterator()) == 20);

    auto top_cpu = parse_json(irqctl(*d, "summary --window 2s --top 1 --json").out);
    BOOST_TEST(top_cpu.at("cpus").as_array().size() == 1u);

    auto no_cpu = irqctl(*d, "overview --cpus 5");
    BOOST_TEST(no_cpu.code == 1);
    BOOST_TEST(no_cpu.err == "irqctl: CPU 5 not on this machine (or offline for the whole window; irqctl summary lists the CPUs)\n");
    BOOST_TEST(no_cpu.out.empty());
    auto old = irqctl(*d, "overview --from 2020-01-01T00:00:00Z --to 2020-01-01T00:01:00Z");
    BOOST_TEST(old.code == 1);
    BOOST_TEST(old.err == "irqctl: no samples between 2020-01-01T00:00:00Z and 2020-01-01T00:01:00Z"
                          " (irqctl health shows how far back history reaches)\n");
    auto no_irq = irqctl(*d, "show 9999");
    BOOST_TEST(no_irq.code == 1);
    BOOST_TEST(no_irq.err == "irqctl: IRQ 9999 is not in /proc/interrupts\n");
    auto typo = irqctl(*d, "overveiw");
    BOOST_TEST(typo.code == 2);
    BOOST_TEST(typo.err.starts_with("irqctl: unknown verb 'overveiw'; did you mean 'overview'? (verbs: "), typo.err);
    auto revert = irqctl(*d, "revert");
    BOOST_TEST(revert.code == 1);
    BOOST_TEST(revert.err == "irqctl: no applied plan to revert (see irqctl history)\n");
    // --json: errors as JSON on stderr, usage errors too
    auto json_err = parse_json(irqctl(*d, "--json overview --cpus 5").err);
    BOOST_TEST(json_err.at("error").at("code").as_string() == "no_such_cpu");
    auto json_server = parse_json(irqctl(*d, "--json revert").err);
    BOOST_TEST(json_server.at("error").at("code").as_string() == "nothing_to_revert");
    auto json_usage = irqctl(*d, "--json overview --top -1");
    BOOST_TEST(json_usage.code == 2);
    BOOST_TEST(parse_json(json_usage.err).at("error").at("code").as_string() == "usage");

    // show, health and history
    auto show = irqctl(*d, "show 132 --window 2s");
    BOOST_TEST_REQUIRE(show.code == 0, show.err);
    BOOST_TEST(show.out.starts_with("IRQ:              132\nname:             eth0-TxRx-0\n"), show.out);
    BOOST_TEST(std::regex_search(show.out, std::regex("\nTOTAL +[0-9]+ +[0-9.]+\n$")), show.out);
    auto health = irqctl(*d, "health");
    BOOST_TEST(health.out.starts_with("status:           ok\n"), health.out);
    BOOST_TEST(irqctl(*d, "history").out == "No plans, reverts or affinity changes in the last 1h.\n");
    BOOST_TEST_REQUIRE(irqctl(*d, "set 132 1").code == 0);
    auto history = irqctl(*d, "history");
    BOOST_TEST(std::regex_search(history.out, std::regex("\n[0-9T:.Z-]+ +affinity +irqctl +1 +- +IRQ 132 set to CPUs 1 \\(irqctl\\)\n$")),
               history.out);
}

BOOST_AUTO_TEST_CASE(a_server_that_is_not_irqd_is_one_line) {
    // Another web server on 127.0.0.1: one request, answered with an HTML 404 page.
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto port = acceptor.local_endpoint().port();
    std::thread server([&] {
        boost::system::error_code ec;
        boost::asio::ip::tcp::socket sock(io);
        acceptor.accept(sock, ec);
        if (ec) return;
        char buf[4096];
        sock.read_some(boost::asio::buffer(buf), ec);
        const std::string page = "<html><body><h1>404 Not Found</h1></body></html>\n";
        const std::string reply = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: " +
                                  std::to_string(page.size()) + "\r\nConnection: close\r\n\r\n" + page;
        boost::asio::write(sock, boost::asio::buffer(reply), ec);
    });
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    auto r = irqctl("--url " + url + " summary");
    server.join();
    BOOST_TEST(r.code == 1);
    BOOST_TEST(r.err == "irqctl: " + url + ": not an irqd API (HTTP 404, text/html)\n");
    BOOST_TEST(r.out.empty());
}

BOOST_AUTO_TEST_CASE(watch_prints_one_line_per_sample_when_not_a_terminal) {
    auto d = start_daemon();
    BOOST_REQUIRE(d->wait_samples(1));
    auto w = irqctl(*d, "watch --count 2 --top 3");
    BOOST_TEST_REQUIRE(w.code == 0, w.err);
    BOOST_TEST(line_count(w.out) == 2u, w.out);
    std::regex line("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z total=[0-9]+/s cpu0=[0-9]+/s\\([0-9.]+%\\) "
                    "cpu1=[0-9]+/s\\([0-9.]+%\\)( irq[0-9]+=[0-9]+/s){3}\n");
    BOOST_TEST(std::regex_match(w.out.substr(0, w.out.find('\n') + 1), line), w.out);

    auto named = irqctl(*d, "watch --count 1 --top 2 --name 'eth1-*'");
    BOOST_TEST(std::regex_search(named.out, std::regex(" irq1(6[5-9]|[7-9][0-9])=[0-9]+/s irq1(6[5-9]|[7-9][0-9])=[0-9]+/s\n$")),
               named.out);

    auto j = irqctl(*d, "watch --count 2 --top 1 --json");
    BOOST_TEST_REQUIRE(j.code == 0, j.err);
    BOOST_TEST(line_count(j.out) == 2u);
    auto first = parse_json(j.out.substr(0, j.out.find('\n')));
    BOOST_TEST(first.at("type") == "sample");
    BOOST_TEST(first.at("irqs").as_array().size() == 1u);
}

// Without tmux the case is reported as skipped (Boost.Test precondition), not as passed.
boost::test_tools::assertion_result tmux_installed(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result has(run("command -v tmux").code == 0);
    has.message() << "tmux is not installed (scripts/test.sh installs it)";
    return has;
}

// The full-screen view in a real terminal (tmux on a private socket), quit with q.
BOOST_AUTO_TEST_CASE(watch_full_screen_in_tmux, *boost::unit_test::precondition(tmux_installed)) {
    auto d = start_daemon();
    const std::string tmux = "tmux -L irqctl-test-" + std::to_string(::getpid());
    temp_dir tmp;
    auto done = tmp.path / "exit";
    std::string inner = binary("irqctl").string() + " --url " + d->url_text() + " watch --top 5; echo $? > " + done.string();
    auto started = run(tmux + " -f /dev/null new-session -d -x 100 -y 30 -s w '" + inner + "'");
    BOOST_TEST_REQUIRE(started.code == 0, started.out);
    struct kill_server {
        std::string tmux;
        ~kill_server() { run(tmux + " kill-server"); }
    } cleanup{tmux};

    std::string screen;
    bool drawn = eventually(
        [&] {
            screen = run(tmux + " capture-pane -p -t w").out;
            return screen.find("q quits") != std::string::npos && screen.find("eth0-TxRx-") != std::string::npos;
        },
        std::chrono::seconds(10));
    BOOST_TEST_REQUIRE(drawn, screen);
    BOOST_TEST(screen.starts_with("irqctl watch  " + d->url_text()));
    BOOST_TEST(std::regex_search(screen, std::regex("\nCPU +RATE/s +SHARE *\n +0 +[0-9.]+[kMGT]? +[0-9.]+% ")), screen);
    BOOST_TEST(std::regex_search(screen, std::regex("\nIRQ +NAME +RATE/s +CPU0 +CPU1 *\n")), screen);

    run(tmux + " send-keys -t w q");
    BOOST_TEST_REQUIRE(eventually([&] { return fs::exists(done) && fs::file_size(done) > 0; }, std::chrono::seconds(5)));
    std::ifstream f(done);
    int code = -1;
    f >> code;
    BOOST_TEST(code == 0);
}

namespace {
// Whether this machine has an IPv6 loopback (containers often have none).
bool ipv6_loopback() {
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}
}  // namespace

// irqd checks the Host: irqctl must send an IPv6 address in brackets, as RFC 9110 wants it.
BOOST_AUTO_TEST_CASE(irqctl_reaches_irqd_on_the_ipv6_loopback,
                     *boost::unit_test::precondition([](auto) { return ipv6_loopback(); })) {
    irqd_process d({"--simulate", "--interval", "200ms", "--history", "1s:1h", "--listen", "[::1]:0"});
    auto r = irqctl("--url " + d.url_text() + " set 140 1");
    BOOST_TEST(r.code == 0, r.err);
    auto w = irqctl("--url " + d.url_text() + " watch --count 1");
    BOOST_TEST(w.code == 0, w.err);
}

BOOST_AUTO_TEST_CASE(balance_prints_the_plan_id_and_apply_applies_that_plan) {
    auto d = start_daemon();
    BOOST_REQUIRE(d->wait_samples(5));
    auto plan = irqctl(*d, "balance --window 1m --min-improvement 0");
    BOOST_TEST_REQUIRE(plan.code == 0, plan.err);
    std::smatch m;
    BOOST_TEST_REQUIRE(std::regex_search(plan.out, m, std::regex("apply with: irqctl apply ([0-9]+)\n")), plan.out);
    const std::string id = m[1];
    BOOST_TEST(plan.out.starts_with("Plan " + id + " (dry run): "), plan.out);
    // The loads are counts, not rates: the first line says so (it used to say "rates of N s").
    BOOST_TEST(std::regex_search(plan.out, std::regex("^Plan [0-9]+ \\(dry run\\): [0-9]+ moves? over CPUs 0-1; loads are interrupts counted over [0-9.]+ s\n")),
               plan.out);
    auto shown = parse_json(d->get("/api/v1/balance/plans/" + id).body);

    auto applied = irqctl(*d, "apply " + id);
    BOOST_TEST_REQUIRE(applied.code == 0, applied.err);
    BOOST_TEST(applied.out.starts_with("Applied plan " + id + ": "), applied.out);
    for (const auto& mv : shown.at("moves").as_array())
        BOOST_TEST(affinity_of(*d, std::string(mv.at("irq").as_string())) == std::to_string(mv.at("to").to_number<unsigned>()));

    auto again = irqctl(*d, "apply " + id);
    BOOST_TEST(again.code == 1);
    BOOST_TEST(again.err == "irqctl: plan " + id + " has been applied already\n");
    auto unknown = irqctl(*d, "apply 999");
    BOOST_TEST(unknown.code == 1);
    BOOST_TEST(unknown.err.starts_with("irqctl: no plan 999"));
    // The history names irqctl as the source of the plan it applied (it used to say "api").
    auto history = irqctl(*d, "history");
    BOOST_TEST(std::regex_search(history.out, std::regex("\n[0-9T:.Z-]+ +plan_applied +irqctl +[0-9]+ +" + id + " ")), history.out);
}
