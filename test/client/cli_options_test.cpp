// Tests for irqctl's command line: global options anywhere, per-verb options, and the one-line
// usage errors (with their --help hints) that make exit code 2.
#define BOOST_TEST_MODULE cli_options
#include <boost/test/unit_test.hpp>

#include "irqd/client/cli_options.hpp"

using namespace irqd::client;

namespace {
invocation parse(std::vector<std::string> args, const char* env = nullptr) {
    auto r = parse_command_line(args, env);
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error_message()));
    return *r;
}

std::string error(std::vector<std::string> args) {
    auto r = parse_command_line(args, nullptr);
    BOOST_TEST_REQUIRE(!r.has_value());
    return r.error_message();
}
}  // namespace

BOOST_AUTO_TEST_CASE(global_options_before_or_after_the_verb) {
    auto a = parse({"--url", "http://10.0.0.1:9000", "--json", "summary"});
    auto b = parse({"summary", "--json", "--url=http://10.0.0.1:9000"});
    for (const auto& inv : {a, b}) {
        BOOST_TEST(inv.verb == "summary");
        BOOST_TEST(inv.global.json);
        BOOST_TEST(inv.global.url.host == "10.0.0.1");
        BOOST_TEST(inv.global.url.port == "9000");
        BOOST_TEST(std::holds_alternative<summary_options>(inv.options));
    }
}

BOOST_AUTO_TEST_CASE(url_comes_from_the_option_then_the_environment_then_the_default) {
    BOOST_TEST(parse({"summary"}).global.url.text() == "http://127.0.0.1:8080");
    BOOST_TEST(parse({"summary"}, "http://h:1").global.url.text() == "http://h:1");
    BOOST_TEST(parse({"summary", "--url", "h:2"}, "http://h:1").global.url.text() == "http://h:2");
    auto r = parse_command_line({"summary"}, "ftp://x");
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error_message().starts_with("$IRQCTL_URL: only http:// and unix: URLs"));
    // irqd --unix-socket: from the option or the environment, like an http:// URL.
    BOOST_TEST(parse({"summary", "--url", "unix:/run/irqd/irqd.sock"}).global.url.unix_socket == "/run/irqd/irqd.sock");
    BOOST_TEST(parse({"watch"}, "unix:/tmp/s").global.url.text() == "unix:/tmp/s");
}

BOOST_AUTO_TEST_CASE(timeout_is_a_duration) {
    BOOST_TEST(parse({"summary", "--timeout", "1500ms"}).global.timeout.count() == 1500);
    BOOST_TEST(error({"summary", "--timeout", "soon"}) ==
               "--timeout must be a duration above 0 like 5s, not 'soon' (see irqctl summary --help)");
}

BOOST_AUTO_TEST_CASE(overview_takes_window_cpus_top_and_name) {
    auto inv = parse({"overview", "--window", "5m", "--cpus", "0-3", "--top", "10", "--name", "eth0-*"});
    const auto& o = std::get<overview_options>(inv.options);
    BOOST_TEST(o.when.window == "5m");
    BOOST_TEST(o.cpus == "0-3");
    BOOST_TEST(o.top == 10u);
    BOOST_TEST(o.name == "eth0-*");
    // --to and --top are not confused (no prefix guessing), and neither is taken for --timeout
    auto t = std::get<overview_options>(parse({"overview", "--from", "1700000000", "--to", "1700000060"}).options);
    BOOST_TEST(t.when.from == "1700000000");
    BOOST_TEST(t.when.to == "1700000060");
    // CPU columns: folded by default; a list or all prints every column asked for
    BOOST_TEST(!t.every_cpu);
    BOOST_TEST(o.every_cpu);
    auto all = std::get<overview_options>(parse({"overview", "--cpus", "all"}).options);
    BOOST_TEST(all.cpus == "");
    BOOST_TEST(all.every_cpu);
}

BOOST_AUTO_TEST_CASE(summary_top_is_a_number_or_all_and_defaults_to_none_given) {
    auto none = std::get<summary_options>(parse({"summary"}).options);
    BOOST_TEST(!none.top.has_value());
    BOOST_TEST(none.sort == "cpu");
    BOOST_TEST(!none.sort_given);
    BOOST_TEST(*std::get<summary_options>(parse({"summary", "--top", "4"}).options).top == 4u);
    BOOST_TEST(*std::get<summary_options>(parse({"summary", "--top", "all"}).options).top == 0u);
    auto by_cpu = std::get<summary_options>(parse({"summary", "--top", "4", "--sort", "cpu"}).options);
    BOOST_TEST(by_cpu.sort_given);
    BOOST_TEST(error({"summary", "--top", "0"}) ==
               "--top must be a whole number from 1 to 1000000, not '0' (or all) (see irqctl summary --help)");
}

BOOST_AUTO_TEST_CASE(overview_mistakes_are_usage_errors) {
    BOOST_TEST(error({"overview", "--window", "60s", "--from", "1700000000"}) ==
               "give either --window or --from/--to, not both (see irqctl overview --help)");
    BOOST_TEST(error({"overview", "--top", "0"}) ==
               "--top must be a whole number from 1 to 1000000, not '0' (or all) (see irqctl overview --help)");
    BOOST_TEST(error({"overview", "--top", "-1"}).find("see irqctl overview --help") != std::string::npos);
    BOOST_TEST(error({"overview", "--cpus", "3-1"}).starts_with("--cpus: "));
    BOOST_TEST(error({"overview", "extra"}) == "unexpected argument 'extra' (see irqctl overview --help)");
    BOOST_TEST(error({"overview", "--wind", "5s"}) == "unrecognised option '--wind' (see irqctl overview --help)");
}

BOOST_AUTO_TEST_CASE(set_takes_pairs_or_a_file) {
    auto s = std::get<set_options>(parse({"set", "132", "1", "133", "0-3,8"}).options);
    BOOST_TEST(s.changes.size() == 2u);
    BOOST_TEST((s.changes[0] == planned_change{132, "1", false}));
    BOOST_TEST((s.changes[1] == planned_change{133, "0-3,8", false}));
    auto m = std::get<set_options>(parse({"set", "--mask", "132", "f0"}).options);
    BOOST_TEST((m.changes[0] == planned_change{132, "f0", true}));
    auto f = std::get<set_options>(parse({"set", "--file", "plan.txt"}).options);
    BOOST_TEST(f.file == "plan.txt");
    BOOST_TEST(f.changes.empty());
}

BOOST_AUTO_TEST_CASE(set_mistakes_are_usage_errors) {
    BOOST_TEST(error({"set"}) == "set needs IRQ CPUS pairs (like: irqctl set 132 1) or --file PLAN (see irqctl set --help)");
    BOOST_TEST(error({"set", "132"}) == "IRQ 132 has no CPUS after it (see irqctl set --help)");
    BOOST_TEST(error({"set", "eth0", "1"}) == "IRQ must be a number, not 'eth0' (see irqctl set --help)");
    BOOST_TEST(error({"set", "132", "f"}).find("(use --mask for hex masks)") != std::string::npos);
    BOOST_TEST(error({"set", "132", "1", "132", "2"}) == "IRQ 132 is given twice (see irqctl set --help)");
    BOOST_TEST(error({"set", "--file", "p", "132", "1"}) == "give either IRQ CPUS pairs or --file, not both (see irqctl set --help)");
}

BOOST_AUTO_TEST_CASE(balance_and_watch_options) {
    auto b = std::get<balance_options>(parse({"balance", "--file", "f.txt", "--cpus", "0-1"}).options);
    BOOST_TEST(b.file == "f.txt");
    BOOST_TEST(b.cpus == "0-1");
    auto w = std::get<watch_options>(parse({"watch", "--top", "5", "--every", "2", "--count", "3", "--name", "eth*"}).options);
    BOOST_TEST(w.top == 5u);
    BOOST_TEST(w.every == 2u);
    BOOST_TEST(w.count == 3u);
    BOOST_TEST(w.name == "eth*");
    BOOST_TEST(error({"watch", "--every", "0"}) == "--every must be a whole number from 1 to 3600, not '0' (see irqctl watch --help)");
}

BOOST_AUTO_TEST_CASE(balance_takes_the_apis_plan_options) {
    auto b = std::get<balance_options>(parse({"balance", "--numa", "require", "--banned-cpus", "2-3", "--banned-irqs", "24",
                                              "--banned-irqs", "eth0-*", "--tolerance", "0"}).options);
    BOOST_TEST(b.numa == "require");
    BOOST_TEST(b.banned_cpus == "2-3");
    BOOST_TEST((b.banned_irqs == std::vector<std::string>{"24", "eth0-*"}));
    BOOST_TEST(*b.tolerance == 0.0);
    BOOST_TEST(error({"balance", "--numa", "always"}) == "--numa must be prefer, require or ignore, not 'always' (see irqctl balance --help)");
    BOOST_TEST(error({"balance", "--tolerance", "2"}) == "--tolerance must be a number from 0 to 1, not '2' (see irqctl balance --help)");
    BOOST_TEST(error({"balance", "--file", "f", "--numa", "ignore"}).starts_with("--file plans offline"));
    auto sp = std::get<balance_options>(parse({"balance", "--policy", "spread", "--netdev", "eth0", "--netdev", "eth1"}).options);
    BOOST_TEST(sp.policy == "spread");
    BOOST_TEST((sp.netdevs == std::vector<std::string>{"eth0", "eth1"}));
    BOOST_TEST(error({"balance", "--netdev", "eth0"}) == "--netdev and --device select what --policy spread spreads (see irqctl balance --help)");
    BOOST_TEST(error({"balance", "--policy", "ladder"}) == "--policy must be balance or spread, not 'ladder' (see irqctl balance --help)");
    BOOST_TEST(std::get<balance_options>(parse({"balance", "--distinct"}).options).distinct);
    BOOST_TEST(!std::get<balance_options>(parse({"balance"}).options).distinct);
    BOOST_TEST(error({"balance", "--distinct", "--policy", "spread"}).starts_with("--distinct is for --policy balance"));
    BOOST_TEST(error({"balance", "--file", "f", "--distinct"}).starts_with("--file plans offline"));
}

BOOST_AUTO_TEST_CASE(apply_takes_one_plan_id) {
    BOOST_TEST(std::get<apply_options>(parse({"apply", "7"}).options).plan_id == 7u);
    BOOST_TEST(error({"apply"}) == "apply needs one plan id (like: irqctl apply 7; irqctl balance prints it) (see irqctl apply --help)");
    BOOST_TEST(error({"apply", "7", "8"}).starts_with("apply needs one plan id"));
    BOOST_TEST(error({"apply", "x7"}) == "plan id must be a whole number from 1, not 'x7' (see irqctl apply --help)");
    BOOST_TEST(error({"apply", "0"}).starts_with("plan id must be a whole number from 1"));
}

BOOST_AUTO_TEST_CASE(help_and_version) {
    auto h = parse({"set", "--help"});
    BOOST_TEST(h.global.help);
    BOOST_TEST(h.verb == "set");
    BOOST_TEST(parse({"help", "watch"}).verb == "watch");
    BOOST_TEST(parse({"--help"}).verb.empty());
    BOOST_TEST(parse({"--version"}).global.version);
    BOOST_TEST(help_text("set").starts_with("Usage: irqctl set IRQ CPUS"));
    BOOST_TEST(help_text("set").find("--mask") != std::string::npos);
    BOOST_TEST(help_text("").find("watch     live per-CPU rates") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(verb_mistakes) {
    BOOST_TEST(error({}) == "no verb given (verbs: overview, summary, devices, set, balance, apply, revert, show, health, history, watch) (see irqctl --help)");
    BOOST_TEST(error({"frob"}) == "unknown verb 'frob' (verbs: overview, summary, devices, set, balance, apply, revert, show, health, history, watch) (see irqctl --help)");
    BOOST_TEST(error({"sumary"}).starts_with("unknown verb 'sumary'; did you mean 'summary'? (verbs: "));
    BOOST_TEST(error({"hist"}).starts_with("unknown verb 'hist'; did you mean 'history'? "));
    BOOST_TEST(error({"overview", "--sort", "size"}) == "--sort must be load, rate, irq or name, not 'size' (see irqctl overview --help)");
    BOOST_TEST(error({"show"}) == "show needs an IRQ (like: irqctl show 132) (see irqctl show --help)");
    BOOST_TEST(error({"--window", "5s", "overview"}) ==
               "'--window' is not a global option; a verb's options go after the verb (see irqctl --help)");
    BOOST_TEST(error({"summary", "--url"}).starts_with("the required argument for option '--url' is missing"));
}
