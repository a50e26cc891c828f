// irqctl's command line with Boost.Program_options: a first pass takes the global options from
// anywhere and leaves the rest in order; the verb's own description parses what is left.
#include "irqd/client/cli_options.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "irqd/core/cpu_set.hpp"
#include "irqd/core/time_parse.hpp"
#include "irqd/core/version.hpp"

namespace irqd::client {
namespace po = boost::program_options;

namespace {

struct verb_info {
    std::string_view name;
    std::string_view brief;   // one line for `irqctl --help`
    std::string_view synopsis;
    std::string_view summary;
};

constexpr verb_info verbs[] = {
    {"overview", "IRQ x CPU table of the interrupts in a time window",
     "irqctl overview [--window 60s | --from T [--to T]] [--cpus LIST|all] [--top N|all] [--sort KEY]\n"
     "                       [--name GLOB] [--netdev IF] [--driver NAME] [--device PCI] [--exact]",
     "Interrupts counted per IRQ and CPU in a time window, with each IRQ's total, rate and affinity:\n"
     "the 20 busiest by default (--top all for every IRQ), busiest first (--sort irq|rate|name). Above 8\n"
     "CPUs, a CPU where none of them fired has no column; one line names those CPUs (--cpus all for every\n"
     "column)."},
    {"summary", "interrupts serviced per CPU in a time window",
     "irqctl summary [--window 60s | --from T [--to T]] [--sort cpu|rate] [--top N|all] [--exact]",
     "Per CPU: interrupts serviced in a time window, rate, share, IRQs routed to it, time in hard and soft\n"
     "interrupts (%IRQ, %SOFT), NET_RX softirqs per second, packets dropped and squeezes (softnet_stat), and\n"
     "flags; an overloaded CPU is marked OVERLOADED with its reasons. Above 16 CPUs, the 16 busiest, busiest\n"
     "first, and a line saying what the rest add up to (--top all for every CPU; --json has every CPU unless\n"
     "--top N is given)."},
    {"devices", "one line per device: its IRQs and queues, the CPUs they land on, their rate",
     "irqctl devices [--window 60s | --from T [--to T]] [--exact]",
     "Per PCI device (or interface) of the IRQs: driver, interfaces, NUMA node, IRQs, queue IRQs, the CPUs\n"
     "they land on (effective affinity) and their interrupts per second in the window, busiest first."},
    {"set", "set IRQ affinities (one, several all or nothing, or a plan file)",
     "irqctl set IRQ CPUS [IRQ CPUS ...] [--mask]\n       irqctl set --file PLAN [--mask]",
     "Sets IRQ affinities. One pair is one change; several (or a plan file) are applied all or nothing.\n"
     "CPUS is a CPU list like 3 or 0-3,8 (a hex mask like f with --mask). PLAN has lines 'IRQ CPUS'\n"
     "(# comments), or is JSON {\"changes\":[...]} or the output of 'irqctl balance --json'; - reads stdin."},
    {"balance", "plan (and --apply) a balanced placement from measured rates, or of a file offline",
     "irqctl balance [--apply] [--window 5m] [--cpus LIST] [--max-moves N] [--min-improvement F] [--tolerance F]\n"
     "               [--numa prefer|require|ignore] [--banned-cpus LIST] [--banned-irqs IRQ|GLOB ...]\n"
     "               [--policy balance|spread [--netdev IF ...] [--device PCI ...]] [--distinct]\n"
     "       irqctl balance --file FILE [--cpus LIST]",
     "Asks irqd for a plan from the rates it measured: which IRQs move where, per-CPU load before and\n"
     "after, and the metric. Nothing changes until you apply it: irqctl apply ID applies exactly the plan\n"
     "shown (its ID is printed); --apply plans and applies at once (all or nothing; undo: irqctl revert).\n"
     "A plan that lowers the busiest CPU's load by less than --min-improvement (irqd's default 0.05) moves\n"
     "nothing. Offline, --file balances the numeric IRQs of a /proc/interrupts-style FILE (row totals are\n"
     "the loads); apply that with: irqctl balance --file FILE --json | irqctl set --file -"},
    {"apply", "apply a plan irqd made, exactly as it was shown (irqctl balance prints its id)",
     "irqctl apply ID",
     "Applies plan ID (all or nothing; undo with irqctl revert): exactly the moves irqctl balance showed.\n"
     "irqd refuses a plan that no longer fits the machine (an IRQ's affinity changed, IRQs came or went, a\n"
     "CPU went offline) and says what changed; make a new plan then. irqd keeps the last 32 plans."},
    {"revert", "undo the last plan applied by irqd (balance --apply or auto mode)",
     "irqctl revert",
     "Restores the affinities the IRQs had before the last applied plan. Each revert goes one plan back."},
    {"show", "one IRQ: its name, device, affinity, and where it fired in a time window",
     "irqctl show IRQ [--window 60s | --from T [--to T]]",
     "One IRQ (a number, or a row name like NMI): chip, device, affinity and effective CPUs, and its\n"
     "interrupts per CPU in the window."},
    {"health", "is irqd sampling: its version, samples, history, writes and connections",
     "irqctl health",
     "irqd's health (GET /api/v1/health): status, version, samples and their errors, the history kept,\n"
     "affinity writes and failures, connections and stream subscribers."},
    {"history", "the plans applied, reverts and affinity changes irqd made",
     "irqctl history [--window 1h | --from T [--to T]]",
     "What irqd changed in the window, oldest first (GET /api/v1/events): applied plans, reverts and\n"
     "affinity changes, with their source (api, irqctl, auto, restore) and plan id."},
    {"watch", "live per-CPU rates and the busiest IRQs, refreshed in place",
     "irqctl watch [--top N] [--every K] [--name GLOB] [--count N]",
     "Live view of the stream: per-CPU rates and the busiest IRQs, refreshed in place (q or Ctrl-C\n"
     "quits). When stdout is not a terminal, one line per sample instead."},
};

const verb_info* find_verb(std::string_view name) {
    for (const auto& v : verbs)
        if (v.name == name) return &v;
    return nullptr;
}

std::string verb_names() {
    std::string s;
    for (const auto& v : verbs) s += (s.empty() ? "" : ", ") + std::string(v.name);
    return s;
}

// The verb a mistyped one most likely meant: at most two edits away (or it starts the verb), else "".
std::string closest_verb(std::string_view typed) {
    auto distance = [](std::string_view a, std::string_view b) {
        std::vector<std::size_t> row(b.size() + 1);
        for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
        for (std::size_t i = 1; i <= a.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= b.size(); ++j) {
                const std::size_t up = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
                diagonal = up;
            }
        }
        return row[b.size()];
    };
    std::string best;
    std::size_t best_distance = 3;
    for (const auto& v : verbs) {
        const std::size_t d = typed.size() >= 3 && v.name.starts_with(typed) ? 1 : distance(typed, v.name);
        if (d < best_distance) {
            best_distance = d;
            best = std::string(v.name);
        }
    }
    return best;
}

constexpr int style = po::command_line_style::unix_style & ~po::command_line_style::allow_guessing;

po::options_description global_description(std::string& url, bool& json, std::string& timeout, bool& help,
                                           bool& version, std::string& token_file) {
    po::options_description d("Global options (before or after the verb)");
    d.add_options()
        ("url", po::value(&url)->value_name("URL"),
         "irqd's address: http://HOST:PORT, or unix:PATH for irqd --unix-socket (default $IRQCTL_URL, else "
         "http://127.0.0.1:8080)")
        ("token-file", po::value(&token_file)->value_name("FILE"),
         "send the bearer token in FILE (irqd --token-file; default $IRQCTL_TOKEN_FILE)")
        ("json", po::bool_switch(&json), "print the JSON answer instead of a table")
        ("timeout", po::value(&timeout)->value_name("DURATION"), "give up on irqd after this long (default 10s)")
        ("help,h", po::bool_switch(&help), "show help (irqctl VERB --help for a verb)")
        ("version", po::bool_switch(&version), "show the version");
    return d;
}

void add_window_options(po::options_description& d, window_options& w) {
    d.add_options()
        ("window", po::value(&w.window)->value_name("DURATION"), "the last DURATION (60s, 5m, 1h30m; default 60s)")
        ("from", po::value(&w.from)->value_name("TIME"), "window start: RFC 3339 (2026-11-23T19:00:00Z) or Unix seconds")
        ("to", po::value(&w.to)->value_name("TIME"), "window end (default now)");
}

// The verb's own options, bound to `o`. `numbers` holds option values that are checked afterwards.
struct verb_values {
    overview_options overview;
    summary_options summary;
    devices_options devices;
    set_options set;
    balance_options balance;
    watch_options watch;
    show_options show;
    history_options history;
    std::string top, every, count, max_moves, min_improvement, tolerance;
};

po::options_description verb_description(std::string_view verb, verb_values& v) {
    po::options_description d("Options");
    if (verb == "overview") {
        add_window_options(d, v.overview.when);
        d.add_options()
            ("cpus", po::value(&v.overview.cpus)->value_name("LIST|all"),
             "only these CPUs (0-3,8); all: a column for every CPU (default: above 8 CPUs, none for a CPU where no "
             "IRQ shown fired)")
            ("top", po::value(&v.top)->value_name("N|all"), "only the N busiest IRQs in the window (default 20; all: every IRQ)")
            ("sort", po::value(&v.overview.sort)->value_name("KEY"), "row order: load (busiest first, the default), rate, irq, name")
            ("name", po::value(&v.overview.name)->value_name("GLOB"), "only IRQs whose name (or number) matches, like 'eth0-*'")
            ("netdev", po::value(&v.overview.netdev)->value_name("IF"), "only IRQs of this network interface (eth2)")
            ("driver", po::value(&v.overview.driver)->value_name("NAME"), "only IRQs of devices with this driver (mlx5_core)")
            ("device", po::value(&v.overview.device)->value_name("PCI"), "only IRQs of this PCI device (0000:3b:00.0)")
            ("exact", po::bool_switch(&v.overview.exact), "full numbers even on a terminal (default there: 12.3M)");
    } else if (verb == "summary") {
        add_window_options(d, v.summary.when);
        d.add_options()
            ("sort", po::value(&v.summary.sort)->value_name("KEY"), "row order: cpu (the default), rate or load (busiest first)")
            ("top", po::value(&v.top)->value_name("N|all"),
             "only the N busiest CPUs, busiest first unless --sort cpu is given (default: every CPU up to 16, the 16 "
             "busiest above; all: every CPU)")
            ("exact", po::bool_switch(&v.summary.exact), "full numbers even on a terminal");
    } else if (verb == "show") {
        add_window_options(d, v.show.when);
    } else if (verb == "history") {
        d.add_options()
            ("window", po::value(&v.history.when.window)->value_name("DURATION"), "the last DURATION (default 1h)")
            ("from", po::value(&v.history.when.from)->value_name("TIME"), "start: RFC 3339 or Unix seconds")
            ("to", po::value(&v.history.when.to)->value_name("TIME"), "end (default now)");
    } else if (verb == "devices") {
        add_window_options(d, v.devices.when);
        d.add_options()("exact", po::bool_switch(&v.devices.exact), "full numbers even on a terminal");
    } else if (verb == "set") {
        d.add_options()
            ("file", po::value(&v.set.file)->value_name("PLAN"), "read the changes from PLAN (- for stdin)")
            ("mask", po::bool_switch(&v.set.mask), "CPUS are hex masks (f, ffffffff,00000001)");
    } else if (verb == "balance") {
        d.add_options()
            ("apply", po::bool_switch(&v.balance.apply), "apply the plan (all or nothing)")
            ("window", po::value(&v.balance.window)->value_name("DURATION"), "rates of the last DURATION (default 5m)")
            ("cpus", po::value(&v.balance.cpus)->value_name("LIST"),
             "CPUs to spread over (default: online minus isolated, nohz_full and banned; with --file the file's)")
            ("max-moves", po::value(&v.max_moves)->value_name("N"), "move at most N IRQs")
            ("min-improvement", po::value(&v.min_improvement)->value_name("F"),
             "move nothing unless the busiest CPU gets at least this fraction lighter (0 to below 1)")
            ("numa", po::value(&v.balance.numa)->value_name("MODE"),
             "prefer (default), require or ignore the NUMA node of each IRQ's device")
            ("banned-cpus", po::value(&v.balance.banned_cpus)->value_name("LIST"), "never give IRQs to these CPUs")
            ("banned-irqs", po::value(&v.balance.banned_irqs)->value_name("IRQ|GLOB"),
             "never move this IRQ (a number or a name glob; repeat for more)")
            ("policy", po::value(&v.balance.policy)->value_name("POLICY"),
             "balance (default: the optimiser) or spread (each NIC's queues one per CPU, node-local first)")
            ("netdev", po::value(&v.balance.netdevs)->value_name("IF"), "--policy spread: this interface's queues (repeat for more)")
            ("device", po::value(&v.balance.devices)->value_name("PCI"), "--policy spread: this PCI device's queues (repeat for more)")
            ("distinct", po::bool_switch(&v.balance.distinct),
             "--policy balance: keep each device's queues on distinct CPUs where the busiest CPU stays within the "
             "tolerance (irqd's default: its --balance-distinct)")
            ("tolerance", po::value(&v.tolerance)->value_name("F"),
             "fewest moves among plans whose busiest CPU is within F of the best (irqd's default 0.01; 0 to 1)")
            ("file", po::value(&v.balance.file)->value_name("FILE"), "offline: a /proc/interrupts-style file to balance");
    } else if (verb == "watch") {
        d.add_options()
            ("top", po::value(&v.top)->value_name("N"), "show the N busiest IRQs (default 10; 0 = none)")
            ("every", po::value(&v.every)->value_name("K"), "one update per K samples (default 1)")
            ("name", po::value(&v.watch.name)->value_name("GLOB"), "only IRQs whose name (or number) matches")
            ("count", po::value(&v.count)->value_name("N"), "exit after N samples");
    }
    return d;
}

core::result<std::size_t> parse_number(std::string_view text, std::string_view option, std::size_t min, std::size_t max) {
    std::size_t n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || p != text.data() + text.size() || n < min || n > max)
        return core::error{"--" + std::string(option) + " must be a whole number from " + std::to_string(min) + " to " +
                           std::to_string(max) + ", not '" + std::string(text) + "'"};
    return n;
}

std::optional<std::string> check_window(const window_options& w) {
    if (!w.window.empty() && !w.from.empty()) return "give either --window or --from/--to, not both";
    if (!w.window.empty()) {
        auto d = core::parse_duration(w.window);
        if (!d) return "--window: " + d.error_message();
        if (d->count() <= 0) return std::string("--window must be longer than 0s");
    }
    if (!w.from.empty())
        if (auto t = core::parse_time(w.from); !t) return "--from: " + t.error_message();
    if (!w.to.empty())
        if (auto t = core::parse_time(w.to); !t) return "--to: " + t.error_message();
    return std::nullopt;
}

std::optional<std::string> check_cpu_list(const std::string& text, std::string_view option) {
    if (text.empty()) return std::nullopt;
    auto r = core::parse_cpu_list(text);
    if (!r) return "--" + std::string(option) + ": " + r.error_message();
    if (r->empty()) return "--" + std::string(option) + " names no CPU";
    return std::nullopt;
}

// Checks what the verb's options and arguments say; returns the options or a message.
core::result<verb_options> finish_verb(std::string_view verb, verb_values& v, const std::vector<std::string>& args) {
    auto no_args = [&]() -> std::optional<std::string> {
        if (args.empty()) return std::nullopt;
        return "unexpected argument '" + args.front() + "'";
    };
    if (verb == "overview") {
        if (auto e = no_args()) return core::error{*e};
        if (auto e = check_window(v.overview.when)) return core::error{*e};
        // Columns asked for are all printed, empty or not.
        v.overview.every_cpu = !v.overview.cpus.empty();
        if (v.overview.cpus == "all") v.overview.cpus.clear();
        else if (auto e = check_cpu_list(v.overview.cpus, "cpus")) return core::error{*e};
        if (v.top == "all") v.overview.top = 0;
        else if (!v.top.empty()) {
            auto n = parse_number(v.top, "top", 1, 1'000'000);
            if (!n) return core::error{n.error_message() + " (or all)"};
            v.overview.top = *n;
        }
        if (v.overview.sort == "rate") v.overview.sort = "load";
        if (v.overview.sort != "load" && v.overview.sort != "irq" && v.overview.sort != "name")
            return core::error{"--sort must be load, rate, irq or name, not '" + v.overview.sort + "'"};
        return verb_options{v.overview};
    }
    if (verb == "summary") {
        if (auto e = no_args()) return core::error{*e};
        if (auto e = check_window(v.summary.when)) return core::error{*e};
        v.summary.sort_given = !v.summary.sort.empty();
        if (!v.summary.sort_given) v.summary.sort = "cpu";
        if (v.summary.sort == "load") v.summary.sort = "rate";
        if (v.summary.sort != "cpu" && v.summary.sort != "rate")
            return core::error{"--sort must be cpu, rate or load, not '" + v.summary.sort + "'"};
        if (v.top == "all") v.summary.top = 0;
        else if (!v.top.empty()) {
            auto n = parse_number(v.top, "top", 1, 1'000'000);
            if (!n) return core::error{n.error_message() + " (or all)"};
            v.summary.top = *n;
        }
        return verb_options{v.summary};
    }
    if (verb == "show") {
        if (args.size() != 1) return core::error{args.empty() ? "show needs an IRQ (like: irqctl show 132)" : "show takes one IRQ"};
        v.show.irq = args.front();
        if (auto e = check_window(v.show.when)) return core::error{*e};
        return verb_options{v.show};
    }
    if (verb == "health") {
        if (auto e = no_args()) return core::error{*e};
        return verb_options{health_options{}};
    }
    if (verb == "history") {
        if (auto e = no_args()) return core::error{*e};
        if (auto e = check_window(v.history.when)) return core::error{*e};
        return verb_options{v.history};
    }
    if (verb == "devices") {
        if (auto e = no_args()) return core::error{*e};
        if (auto e = check_window(v.devices.when)) return core::error{*e};
        return verb_options{v.devices};
    }
    if (verb == "set") {
        if (!v.set.file.empty()) {
            if (!args.empty()) return core::error{"give either IRQ CPUS pairs or --file, not both"};
            return verb_options{v.set};
        }
        if (args.empty()) return core::error{"set needs IRQ CPUS pairs (like: irqctl set 132 1) or --file PLAN"};
        if (args.size() % 2 != 0) return core::error{"IRQ " + args.back() + " has no CPUS after it"};
        for (std::size_t i = 0; i < args.size(); i += 2) {
            auto c = parse_change(args[i], args[i + 1], v.set.mask);
            if (!c) return core::error{c.error_message()};
            for (const auto& seen : v.set.changes)
                if (seen.irq == c->irq) return core::error{"IRQ " + args[i] + " is given twice"};
            v.set.changes.push_back(*c);
        }
        return verb_options{v.set};
    }
    if (verb == "balance") {
        if (auto e = no_args()) return core::error{*e};
        if (auto e = check_cpu_list(v.balance.cpus, "cpus")) return core::error{*e};
        auto& b = v.balance;
        if (!b.file.empty() && (b.apply || !b.window.empty() || !v.max_moves.empty() || !v.min_improvement.empty() ||
                                !v.tolerance.empty() || !b.numa.empty() || !b.banned_cpus.empty() || !b.banned_irqs.empty() ||
                                !b.policy.empty() || b.distinct))
            return core::error{"--file plans offline: --apply, --window, --max-moves, --min-improvement, --tolerance, "
                               "--numa, --banned-cpus, --banned-irqs, --policy and --distinct need the daemon"};
        if (!b.policy.empty() && b.policy != "balance" && b.policy != "spread")
            return core::error{"--policy must be balance or spread, not '" + b.policy + "'"};
        if ((!b.netdevs.empty() || !b.devices.empty()) && b.policy != "spread")
            return core::error{"--netdev and --device select what --policy spread spreads"};
        if (b.distinct && b.policy == "spread")
            return core::error{"--distinct is for --policy balance: --policy spread already puts each queue on its own CPU"};
        if (!b.numa.empty() && b.numa != "prefer" && b.numa != "require" && b.numa != "ignore")
            return core::error{"--numa must be prefer, require or ignore, not '" + b.numa + "'"};
        if (auto e = check_cpu_list(b.banned_cpus, "banned-cpus")) return core::error{*e};
        if (!b.window.empty()) {
            auto d = core::parse_duration(b.window);
            if (!d) return core::error{"--window: " + d.error_message()};
            if (d->count() <= 0) return core::error{"--window must be longer than 0s"};
        }
        if (!v.max_moves.empty()) {
            auto n = parse_number(v.max_moves, "max-moves", 0, 1'000'000);
            if (!n) return core::error{n.error_message()};
            b.max_moves = *n;
        }
        if (!v.min_improvement.empty()) {
            double f = -1;
            auto [p, ec] = std::from_chars(v.min_improvement.data(), v.min_improvement.data() + v.min_improvement.size(), f);
            if (ec != std::errc{} || p != v.min_improvement.data() + v.min_improvement.size() || !(f >= 0 && f < 1))
                return core::error{"--min-improvement must be a number from 0 to below 1, not '" + v.min_improvement + "'"};
            b.min_improvement = f;
        }
        if (!v.tolerance.empty()) {
            double f = -1;
            auto [p, ec] = std::from_chars(v.tolerance.data(), v.tolerance.data() + v.tolerance.size(), f);
            if (ec != std::errc{} || p != v.tolerance.data() + v.tolerance.size() || !(f >= 0 && f <= 1))
                return core::error{"--tolerance must be a number from 0 to 1, not '" + v.tolerance + "'"};
            b.tolerance = f;
        }
        return verb_options{v.balance};
    }
    if (verb == "apply") {
        if (args.size() != 1) return core::error{"apply needs one plan id (like: irqctl apply 7; irqctl balance prints it)"};
        std::uint64_t id = 0;
        auto [p, ec] = std::from_chars(args[0].data(), args[0].data() + args[0].size(), id);
        if (ec != std::errc{} || p != args[0].data() + args[0].size() || id == 0)
            return core::error{"plan id must be a whole number from 1, not '" + args[0] + "'"};
        return verb_options{apply_options{id}};
    }
    if (verb == "revert") {
        if (auto e = no_args()) return core::error{*e};
        return verb_options{revert_options{}};
    }
    if (verb == "watch") {
        if (auto e = no_args()) return core::error{*e};
        if (!v.top.empty()) {
            auto n = parse_number(v.top, "top", 0, 100'000);
            if (!n) return core::error{n.error_message()};
            v.watch.top = *n;
        }
        if (!v.every.empty()) {
            auto n = parse_number(v.every, "every", 1, 3600);
            if (!n) return core::error{n.error_message()};
            v.watch.every = static_cast<unsigned>(*n);
        }
        if (!v.count.empty()) {
            auto n = parse_number(v.count, "count", 1, 1'000'000'000);
            if (!n) return core::error{n.error_message()};
            v.watch.count = *n;
        }
        return verb_options{v.watch};
    }
    return core::error{"unknown verb '" + std::string(verb) + "'"};
}

std::string hint(std::string_view verb) {
    return verb.empty() ? " (see irqctl --help)" : " (see irqctl " + std::string(verb) + " --help)";
}

}  // namespace

core::result<invocation> parse_command_line(const std::vector<std::string>& args, const char* url_env,
                                           const char* token_env) {
    invocation inv;
    std::string url, timeout, token_file;
    auto globals = global_description(url, inv.global.json, timeout, inv.global.help, inv.global.version, token_file);
    std::vector<std::string> rest;
    try {
        po::options_description first;
        first.add(globals).add_options()("args", po::value<std::vector<std::string>>(), "");
        po::positional_options_description pos;
        pos.add("args", -1);
        auto parsed = po::command_line_parser(args).options(first).positional(pos).style(style).allow_unregistered().run();
        po::variables_map vm;
        po::store(parsed, vm);
        po::notify(vm);
        rest = po::collect_unrecognized(parsed.options, po::include_positional);
    } catch (const po::error& e) {
        return core::error{std::string(e.what()) + hint("")};
    }

    if (!rest.empty()) {
        if (rest.front().starts_with("-"))
            return core::error{"'" + rest.front() + "' is not a global option; a verb's options go after the verb" + hint("")};
        inv.verb = rest.front();
        rest.erase(rest.begin());
        if (inv.verb == "help") {   // `irqctl help [VERB]` is `irqctl [VERB] --help`
            inv.global.help = true;
            inv.verb = rest.empty() ? "" : rest.front();
            rest.clear();
        }
        if (!inv.verb.empty() && !find_verb(inv.verb)) {
            auto guess = closest_verb(inv.verb);
            return core::error{"unknown verb '" + inv.verb + "'" + (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                               " (verbs: " + verb_names() + ")" + hint("")};
        }
    }

    std::string_view url_text = !url.empty() ? std::string_view(url) : url_env && *url_env ? url_env : default_url;
    auto u = parse_base_url(url_text);
    if (!u) return core::error{(url.empty() && url_env && *url_env ? "$IRQCTL_URL: " : "--url: ") + u.error_message() + hint("")};
    inv.global.url = *u;
    if (token_file.empty() && token_env && *token_env) token_file = token_env;
    if (!token_file.empty()) {
        auto where = std::string(token_env && token_file == token_env ? "$IRQCTL_TOKEN_FILE " : "--token-file ") + token_file;
        std::ifstream in(token_file);
        std::string token;
        if (!in || !std::getline(in, token)) return core::error{where + ": cannot read the token" + hint("")};
        while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
        if (token.empty()) return core::error{where + " is empty" + hint("")};
        inv.global.url.bearer_token = std::move(token);
    }
    if (!timeout.empty()) {
        auto d = core::parse_duration(timeout);
        if (!d || d->count() <= 0)
            return core::error{"--timeout must be a duration above 0 like 5s, not '" + timeout + "'" + hint(inv.verb)};
        inv.global.timeout = *d;
    }
    if (inv.global.help || inv.global.version) return inv;
    if (inv.verb.empty()) return core::error{"no verb given (verbs: " + verb_names() + ")" + hint("")};

    verb_values values;
    std::vector<std::string> verb_args;
    try {
        auto d = verb_description(inv.verb, values);
        po::options_description all;
        all.add(d).add_options()("args", po::value(&verb_args), "");
        po::positional_options_description pos;
        pos.add("args", -1);
        po::variables_map vm;
        po::store(po::command_line_parser(rest).options(all).positional(pos).style(style).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return core::error{std::string(e.what()) + hint(inv.verb)};
    }
    auto opts = finish_verb(inv.verb, values, verb_args);
    if (!opts) return core::error{opts.error_message() + hint(inv.verb)};
    inv.options = std::move(*opts);
    return inv;
}

std::string help_text(std::string_view verb) {
    std::string url, timeout, token_file;
    bool json = false, help = false, version = false;
    auto globals = global_description(url, json, timeout, help, version, token_file);
    std::ostringstream out;
    if (const auto* v = find_verb(verb)) {
        verb_values values;
        out << "Usage: " << v->synopsis << "\n\n" << v->summary << "\n\n" << verb_description(verb, values) << "\n"
            << globals;
        return out.str();
    }
    out << "irqctl " << core::version() << " - the command-line client of irqd\n\n"
        << "Usage: irqctl [GLOBAL OPTIONS] VERB [OPTIONS]\n\nVerbs:\n";
    for (const auto& v : verbs) {
        out << "  " << v.name << std::string(10 - v.name.size(), ' ') << v.brief << "\n";
    }
    out << "\n" << globals
        << "\nColour and compact numbers are used only when stdout is a terminal (no colour when NO_COLOR is set).\n"
        << "Exit codes: 0 ok, 1 irqd unreachable or it refused the request, 2 usage error.\n"
        << "irqctl VERB --help shows a verb's options.\n";
    return out.str();
}

}  // namespace irqd::client
