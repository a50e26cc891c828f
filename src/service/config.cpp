// Program_options wiring for irqd. The command line overrides the config file.
#include "irqd/service/config.hpp"

#include <boost/algorithm/string/case_conv.hpp>
#include <boost/program_options.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "irqd/core/time_parse.hpp"
#include "irqd/core/version.hpp"

namespace irqd::service {
namespace po = boost::program_options;

namespace {
core::result<std::chrono::milliseconds> positive_duration(const std::string& name, const std::string& text) {
    auto d = core::parse_duration(text);
    if (!d) return core::error{"--" + name + ": " + d.error_message()};
    if (d->count() <= 0) return core::error{"--" + name + " must be longer than 0"};
    return *d;
}

// "256M", "1G", "65536": bytes, with an optional binary K/M/G suffix.
core::result<std::size_t> parse_size(const std::string& name, const std::string& text) {
    std::size_t value = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    std::string_view unit(p, text.data() + text.size());
    int shift = unit.empty() ? 0 : unit == "K" || unit == "k" ? 10 : unit == "M" ? 20 : unit == "G" ? 30 : -1;
    if (ec != std::errc{} || p == text.data() || shift < 0 || value == 0 || value > (SIZE_MAX >> shift))
        return core::error{"--" + name + " '" + text + "' is not a size like 256M, 1G or 65536"};
    return value << shift;
}

bool is_loopback(const std::string& addr) {
    return addr.starts_with("127.") || addr == "::1" || addr == "localhost";
}

// ADDR:PORT (or [V6]:PORT) into the settings; a non-loopback address needs --allow-remote.
core::result<bool> parse_listen(const std::string& listen, settings& s) {
    auto colon = listen.rfind(':');
    if (colon == std::string::npos) return core::error{"--listen must be ADDR:PORT, like 127.0.0.1:8080, or none"};
    s.listen_address = listen.substr(0, colon);
    if (s.listen_address.size() > 2 && s.listen_address.front() == '[' && s.listen_address.back() == ']')
        s.listen_address = s.listen_address.substr(1, s.listen_address.size() - 2);
    auto port_text = listen.substr(colon + 1);
    unsigned long port = 0;
    try {
        std::size_t used = 0;
        port = std::stoul(port_text, &used);
        if (used != port_text.size() || port > 65535) throw std::out_of_range("port");
    } catch (const std::exception&) {
        return core::error{"--listen: '" + port_text + "' is not a port number (0-65535)"};
    }
    s.port = static_cast<unsigned short>(port);
    if (s.listen_address == "localhost") s.listen_address = "127.0.0.1";
    if (!is_loopback(s.listen_address) && !s.allow_remote)
        return core::error{"--listen " + listen + " is not a loopback address; add --allow-remote to serve other hosts"};
    return true;
}
}  // namespace

std::filesystem::path default_simulation_file() {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates{fs::path(IRQD_DATADIR) / "interrupts-per-day.txt"};
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share/irqd/interrupts-per-day.txt");
    candidates.push_back(fs::path(IRQD_SOURCE_DATADIR) / "interrupts-per-day.txt");
    for (const auto& c : candidates)
        if (fs::exists(c, ec)) return c;
    return candidates.front();
}

core::result<config_outcome> parse_config(const std::vector<std::string>& args) {
    config_outcome out;
    auto& s = out.values;
    std::string listen, procfs, sysfs, interval, topology_interval, irq_files_interval, history, simulate, faults, level, config_file;
    std::string read_timeout, history_memory;
    std::string token_file, state_file, restore, unix_socket, unix_socket_mode, state_prune_after;
    std::string banned_cpus, banned_irqs, balance_interval, balance_window;
    double min_improvement = s.balance.min_improvement;
    double tolerance = s.balance.tolerance;
    std::string balance_cpus, balance_max_moves, oneshot_window;
    double speed = 1.0;
    std::vector<std::string> allowed_hosts, allowed_origins;
    std::size_t unix_conns = s.limit.max_unix_connections;
    double overload_share = s.overload_share;
    std::size_t body = s.limit.body_limit, header = s.limit.header_limit, conns = s.limit.max_connections,
                subs = s.limit.ws_max_subscribers, wsq = s.limit.ws_queue_limit, wsmsg = s.limit.ws_message_limit,
                wslag = s.limit.ws_max_lag;

    po::options_description general("General");
    general.add_options()
        ("help,h", "show this help and exit")
        ("version", "show the version and exit")
        ("config,c", po::value(&config_file)->value_name("FILE"),
         "read options from FILE (one 'name = value' per line); the command line wins")
        ("log-level", po::value(&level)->default_value("info")->value_name("LEVEL"), "debug, info, warn or error");
    po::options_description serve("Serving");
    serve.add_options()
        ("listen,l", po::value(&listen)->default_value("127.0.0.1:8080")->value_name("ADDR:PORT"),
         "where the HTTP/WebSocket API listens (port 0 picks a free port); 'none': no TCP port, only --unix-socket")
        ("allow-remote", po::bool_switch(&s.allow_remote),
         "allow a non-loopback --listen address (anyone who reaches it can read; use --token-file for changes)")
        ("unix-socket", po::value(&unix_socket)->default_value("")->value_name("PATH"),
         "also serve the API and the stream on a Unix socket at PATH, e.g. /run/irqd/irqd.sock (its directory must "
         "exist; a stale socket there is replaced, any other file is not; removed at exit; empty: none)")
        ("unix-socket-mode", po::value(&unix_socket_mode)->default_value("0660")->value_name("MODE"),
         "permission bits of the --unix-socket file, octal: who may connect (the file belongs to irqd's user and group; "
         "--token-file still applies)")
        ("read-only", po::bool_switch(&s.read_only), "refuse every affinity change with 403")
        ("token-file", po::value(&token_file)->default_value("")->value_name("FILE"),
         "require 'Authorization: Bearer TOKEN' for every change (PUT/POST/DELETE); FILE holds TOKEN and must be "
         "owned by irqd's user with mode 0600 or stricter (empty: no token)")
        ("token-required-for-reads", po::bool_switch(&s.token_required_for_reads),
         "with --token-file, also require the token for reads and the WebSocket stream")
        ("allowed-host", po::value(&allowed_hosts)->value_name("NAME"),
         "a host name clients may reach irqd by, besides IP addresses and localhost (repeatable; '*': any). "
         "Requests with another Host get 421: a DNS-rebinding web page sends its own name (docs/security.md)")
        ("allowed-origin", po::value(&allowed_origins)->value_name("ORIGIN"),
         "a web origin, SCHEME://HOST[:PORT], whose pages may call the API and open the stream besides irqd's "
         "own (repeatable; '*': any). Requests with another Origin header get 403");
    po::options_description saved("Saved affinities");
    saved.add_options()
        ("state-file", po::value(&state_file)->default_value(s.state_file.string())->value_name("PATH"),
         "where the affinities set through irqd are saved, atomically (empty: not saved); with --simulate "
         "the default is a file in the simulated machine's temporary directory, with another --procfs none")
        ("restore", po::value(&restore)->default_value("yes")->implicit_value("yes")->value_name("yes|no"),
         "re-apply the saved affinities at start, to IRQs whose number and name both still match")
        ("state-prune-after", po::value(&state_prune_after)->default_value("30d")->value_name("DURATION"),
         "at start, forget saved affinities of IRQs that have not been seen (number and name) for DURATION "
         "(0s: keep them forever)");
    serve.add(saved);
    po::options_description kernel("Kernel and sampling");
    kernel.add_options()
        ("procfs", po::value(&procfs)->default_value("/proc")->value_name("DIR"), "root of procfs")
        ("sysfs", po::value(&sysfs)->default_value("/sys")->value_name("DIR"), "root of sysfs")
        ("interval,i", po::value(&interval)->default_value("1s")->value_name("DURATION"), "sampling period of /proc/interrupts")
        ("topology-interval", po::value(&topology_interval)->default_value("10s")->value_name("DURATION"),
         "how often CPU topology and device files are re-read")
        ("irq-files-interval", po::value(&irq_files_interval)->default_value("10s")->value_name("DURATION"),
         "every IRQ's smp_affinity_list and effective_affinity_list are re-read once per DURATION, a share each "
         "sample (at once after irqd's own writes and for new IRQs)")
        ("history", po::value(&history)->default_value(core::format_tiers(core::default_tiers()))->value_name("TIERS"),
         "history tiers RESOLUTION:RETENTION,... (see docs/history.md for memory per tier)")
        ("history-memory", po::value(&history_memory)->default_value("256M")->value_name("SIZE"),
         "without --history: coarser default tiers are chosen when the default ones would hold more than SIZE "
         "(K, M, G) on this machine's IRQs x CPUs")
        ("overload-share", po::value(&overload_share)->default_value(overload_share, "0.5")->value_name("FRACTION"),
         "a CPU is overloaded in a window when it spent more than FRACTION of its time in hard + soft interrupts "
         "(/proc/stat), or when softnet_stat counted drops or time squeezes on it");
    po::options_description sim("Simulated machine");
    sim.add_options()
        ("simulate", po::value(&simulate)->implicit_value("")->value_name("FILE"),
         "run on a simulated machine whose IRQs fire at the per-day rates in FILE (/proc/interrupts layout); "
         "without FILE, the bundled seed (65 IRQs on 2 CPUs)")
        ("simulate-speed", po::value(&speed)->default_value(1.0)->value_name("X"), "simulated seconds per real second")
        ("simulate-capacity", po::value(&s.simulate_capacity)->default_value(s.simulate_capacity, "1000000")->value_name("PPS"),
         "packets per second a simulated CPU can process; each NIC queue interrupt brings 2, and past this the CPU "
         "drops packets and is squeezed (/proc/net/softnet_stat)")
        ("simulate-faults", po::value(&faults)->value_name("FILE"),
         "lines 'IRQ ERRNO' (e.g. '140 EIO', '* ENOSPC') the simulated kernel answers affinity writes with");
    po::options_description bal("Balancing");
    bal.add_options()
        ("banned-cpus", po::value(&banned_cpus)->default_value("")->value_name("LIST"),
         "CPUs that never get IRQs from a plan, besides isolated and nohz_full ones (like IRQBALANCE_BANNED_CPULIST)")
        ("banned-irqs", po::value(&banned_irqs)->default_value("")->value_name("LIST"),
         "IRQs a plan never moves: numbers or name globs, comma-separated (like '24,eth0-TxRx-*')")
        ("balance-window", po::value(&balance_window)->default_value("5m")->value_name("DURATION"),
         "plans use the rates of the last DURATION")
        ("min-improvement", po::value(&min_improvement)->default_value(min_improvement, "0.05")->value_name("FRACTION"),
         "a plan moves nothing unless it lowers the busiest CPU's load by at least this fraction")
        ("balance-tolerance", po::value(&tolerance)->default_value(tolerance, "0.01")->value_name("FRACTION"),
         "a plan makes the fewest moves it finds among placements whose busiest CPU is within this fraction "
         "of the best it found (0: the best, fewest moves only among equals)")
        ("balance-cpus", po::value(&balance_cpus)->default_value("")->value_name("LIST"),
         "plans spread IRQs over these CPUs (empty: online minus isolated, nohz_full and banned ones)")
        ("balance-numa", po::value(&s.balance.numa)->default_value(s.balance.numa)->value_name("MODE"),
         "how plans treat an IRQ's NUMA node: prefer (its node's CPUs when it has any), require, ignore")
        ("balance-policy", po::value(&s.balance.policy)->default_value(s.balance.policy)->value_name("POLICY"),
         "balance (the optimiser) or spread (every NIC's queues one per CPU, node-local first, then the optimiser)")
        ("balance-distinct", po::bool_switch(&s.balance.distinct),
         "policy balance: keep each device's queue IRQs on distinct CPUs where the busiest CPU stays within "
         "--balance-tolerance (as evenly as possible when a device has more queues than CPUs)")
        ("balance-max-moves", po::value(&balance_max_moves)->default_value("")->value_name("N"),
         "a plan moves at most N IRQs (empty: no cap)")
        ("balance-interval", po::value(&balance_interval)->default_value("0s")->value_name("DURATION"),
         "auto mode: re-plan this often and apply plans past --min-improvement (0s = off)")
        ("oneshot", po::bool_switch(&s.balance.oneshot),
         "sample for --oneshot-window, plan, apply, print the plan as JSON and exit (no HTTP server)")
        ("oneshot-window", po::value(&oneshot_window)->default_value("10s")->value_name("DURATION"),
         "--oneshot samples this long (and at least 3 intervals) before it plans");
    po::options_description lim("Limits");
    lim.add_options()
        ("max-body-bytes", po::value(&body)->default_value(body), "largest request body")
        ("max-header-bytes", po::value(&header)->default_value(header), "largest request header block")
        ("read-timeout", po::value(&read_timeout)->default_value("15s")->value_name("DURATION"),
         "a request (or the wait for the next one on a kept-alive connection) must arrive within this")
        ("max-connections", po::value(&conns)->default_value(conns), "open TCP connections at once (past it: 503)")
        ("max-unix-connections", po::value(&unix_conns)->default_value(unix_conns),
         "open --unix-socket connections at once, counted apart from TCP's, so a TCP flood does not lock out local admins")
        ("ws-max-subscribers", po::value(&subs)->default_value(subs), "WebSocket subscribers at once")
        ("ws-queue", po::value(&wsq)->default_value(wsq), "messages queued per subscriber before coalescing")
        ("ws-max-message-bytes", po::value(&wsmsg)->default_value(wsmsg), "largest incoming WebSocket message")
        ("ws-max-lag", po::value(&wslag)->default_value(wslag), "samples a subscriber may fall behind before it is closed");

    po::options_description all;
    all.add(general).add(serve).add(kernel).add(sim).add(bal).add(lim);
    std::ostringstream help;
    help << "irqd " << core::version() << " - watches where hardware interrupts land and balances them\n\n"
         << "Usage: irqd [OPTIONS]\n"
         << all
         << "\nSignals (docs/reliability.md):\n"
            "  SIGTERM, SIGINT, SIGQUIT  stop gracefully: a batch being written is rolled back, exit 0\n"
            "  SIGHUP                    read the configuration again and apply its log-level; other options\n"
            "                            take effect at the next start\n"
            "  SIGUSR1, SIGUSR2, SIGALRM logged and ignored\n";
    out.help_text = help.str();

    po::variables_map vm;
    try {
        std::vector<const char*> argv{"irqd"};
        for (const auto& a : args) argv.push_back(a.c_str());
        po::store(po::parse_command_line(static_cast<int>(argv.size()), argv.data(), all), vm);
        if (vm.count("config")) {
            auto path = vm["config"].as<std::string>();
            std::ifstream in(path);
            if (!in) return core::error{"cannot read config file " + path};
            po::store(po::parse_config_file(in, all), vm);
        }
        po::notify(vm);
    } catch (const po::error& e) {
        return core::error{e.what()};
    }
    out.show_help = vm.count("help") > 0;
    out.show_version = vm.count("version") > 0;
    if (out.show_help || out.show_version) return out;

    if (level == "debug") s.level = log_level::debug;
    else if (level == "info") s.level = log_level::info;
    else if (level == "warn") s.level = log_level::warn;
    else if (level == "error") s.level = log_level::error;
    else return core::error{"--log-level must be debug, info, warn or error, not '" + level + "'"};

    if (!unix_socket.empty()) {
        // Absolute, so the path in the log and in /health is the one to connect to.
        std::error_code ec;
        s.unix_socket = std::filesystem::absolute(unix_socket, ec);
        if (ec) return core::error{"--unix-socket " + unix_socket + ": " + ec.message()};
    }
    unsigned mode = 0;
    const char* mode_last = unix_socket_mode.data() + unix_socket_mode.size();
    auto [mode_end, mode_ec] = std::from_chars(unix_socket_mode.data(), mode_last, mode, 8);
    if (mode_ec != std::errc{} || unix_socket_mode.empty() || mode_end != mode_last || mode > 0777)
        return core::error{"--unix-socket-mode '" + unix_socket_mode + "' is not permission bits in octal, like 0660"};
    s.unix_socket_mode = mode;

    if (listen == "none") {
        if (s.unix_socket.empty() && !s.balance.oneshot)
            return core::error{"--listen none needs --unix-socket (irqd would serve nothing)"};
        s.listen_tcp = false;
    } else if (auto l = parse_listen(listen, s); !l) {
        return core::error{l.error_message()};
    }

    s.procfs = procfs;
    s.sysfs = sysfs;
    s.token_file = token_file;
    if (s.token_required_for_reads && s.token_file.empty())
        return core::error{"--token-required-for-reads needs --token-file"};
    s.state_file = state_file;
    s.state_file_given = !vm["state-file"].defaulted();
    if (restore == "yes" || restore == "true" || restore == "on" || restore == "1") s.restore = true;
    else if (restore == "no" || restore == "false" || restore == "off" || restore == "0") s.restore = false;
    else return core::error{"--restore must be yes or no, not '" + restore + "'"};
    auto prune = core::parse_duration(state_prune_after);
    if (!prune) return core::error{"--state-prune-after: " + prune.error_message()};
    if (prune->count() < 0) return core::error{"--state-prune-after must not be negative"};
    s.state_prune_after = std::chrono::ceil<std::chrono::seconds>(*prune);
    auto iv = positive_duration("interval", interval);
    if (!iv) return core::error{iv.error_message()};
    if (*iv < std::chrono::milliseconds(10)) return core::error{"--interval must be at least 10ms"};
    s.interval = *iv;
    auto tv = positive_duration("topology-interval", topology_interval);
    if (!tv) return core::error{tv.error_message()};
    s.topology_interval = *tv;
    auto fv = positive_duration("irq-files-interval", irq_files_interval);
    if (!fv) return core::error{fv.error_message()};
    s.irq_files_interval = *fv;
    auto rt = positive_duration("read-timeout", read_timeout);
    if (!rt) return core::error{rt.error_message()};
    s.limit.read_timeout = std::chrono::ceil<std::chrono::seconds>(*rt);
    auto tiers = core::parse_tiers(history);
    if (!tiers) return core::error{"--history: " + tiers.error_message()};
    s.history = *tiers;
    s.history_given = !vm["history"].defaulted();
    auto hm = parse_size("history-memory", history_memory);
    if (!hm) return core::error{hm.error_message()};
    s.history_memory = *hm;
    if (s.history.front().resolution < std::chrono::ceil<std::chrono::seconds>(s.interval))
        return core::error{"--history: the finest resolution (" + core::format_tiers({s.history.front()}) +
                           ") is finer than --interval " + interval};

    if (vm.count("simulate")) s.simulate = simulate.empty() ? default_simulation_file() : std::filesystem::path(simulate);
    if (!(speed > 0) || speed > 1e7) return core::error{"--simulate-speed must be a number above 0 (and at most 1e7)"};
    s.simulate_speed = speed;
    if (!(s.simulate_capacity >= 1) || s.simulate_capacity > 1e12)
        return core::error{"--simulate-capacity must be a number of packets per second from 1 to 1e12"};
    if (!faults.empty()) s.simulate_faults = faults;
    if (!banned_cpus.empty()) {
        auto b = core::parse_cpu_list(banned_cpus);
        if (!b) return core::error{"--banned-cpus: " + b.error_message()};
        s.balance.banned_cpus = *b;
    }
    for (std::size_t at = 0; at < banned_irqs.size();) {
        auto comma = std::min(banned_irqs.find(',', at), banned_irqs.size());
        if (comma > at) s.balance.banned_irqs.push_back(banned_irqs.substr(at, comma - at));
        at = comma + 1;
    }
    auto bw = positive_duration("balance-window", balance_window);
    if (!bw) return core::error{bw.error_message()};
    s.balance.window = *bw;
    auto bi = core::parse_duration(balance_interval);
    if (!bi) return core::error{"--balance-interval: " + bi.error_message()};
    if (bi->count() < 0) return core::error{"--balance-interval must not be negative"};
    if (bi->count() > 0 && *bi < s.interval) return core::error{"--balance-interval must be at least --interval"};
    s.balance.interval = *bi;
    if (!(min_improvement >= 0 && min_improvement < 1)) return core::error{"--min-improvement must be from 0 to below 1"};
    s.balance.min_improvement = min_improvement;
    if (!(tolerance >= 0 && tolerance <= 1)) return core::error{"--balance-tolerance must be from 0 to 1"};
    s.balance.tolerance = tolerance;
    if (!balance_cpus.empty()) {
        auto c = core::parse_cpu_list(balance_cpus);
        if (!c) return core::error{"--balance-cpus: " + c.error_message()};
        if (c->empty()) return core::error{"--balance-cpus names no CPU"};
        s.balance.cpus = *c;
    }
    if (s.balance.numa != "prefer" && s.balance.numa != "require" && s.balance.numa != "ignore")
        return core::error{"--balance-numa must be prefer, require or ignore, not '" + s.balance.numa + "'"};
    if (s.balance.policy != "balance" && s.balance.policy != "spread")
        return core::error{"--balance-policy must be balance or spread, not '" + s.balance.policy + "'"};
    if (!balance_max_moves.empty()) {
        std::size_t n = 0;
        auto [end, ec] = std::from_chars(balance_max_moves.data(), balance_max_moves.data() + balance_max_moves.size(), n);
        if (ec != std::errc{} || end != balance_max_moves.data() + balance_max_moves.size())
            return core::error{"--balance-max-moves must be a whole number, not '" + balance_max_moves + "'"};
        s.balance.max_moves = n;
    }
    auto ow = positive_duration("oneshot-window", oneshot_window);
    if (!ow) return core::error{ow.error_message()};
    s.balance.oneshot_window = *ow;
    for (auto& h : allowed_hosts) {
        auto lowered = boost::algorithm::to_lower_copy(h);
        if (lowered.empty()) continue;   // "allowed-host =" in irqd.conf: none
        if (lowered.find_first_of(":/ []") != std::string::npos)
            return core::error{"--allowed-host '" + h + "' must be a host name without a port, like irqd.example.org (or *)"};
        s.browser.allowed_hosts.push_back(std::move(lowered));
    }
    for (auto& o : allowed_origins) {
        auto lowered = boost::algorithm::to_lower_copy(o);
        while (!lowered.empty() && lowered.back() == '/') lowered.pop_back();
        if (lowered.empty()) continue;
        auto sep = lowered.find("://");
        if (lowered != "*" && lowered != "null" &&
            (sep == std::string::npos || sep == 0 || sep + 3 >= lowered.size() ||
             lowered.find_first_of("/ ", sep + 3) != std::string::npos))
            return core::error{"--allowed-origin '" + o + "' must be SCHEME://HOST[:PORT], like https://grafana.example:3000 (or * or null)"};
        s.browser.allowed_origins.push_back(std::move(lowered));
    }
    if (!(overload_share > 0 && overload_share <= 1)) return core::error{"--overload-share must be above 0 and at most 1"};
    s.overload_share = overload_share;
    if (body == 0 || header == 0 || conns == 0 || unix_conns == 0 || subs == 0 || wsq == 0 || wsmsg == 0 || wslag == 0)
        return core::error{"limits must be above 0"};
    s.limit.body_limit = body;
    s.limit.header_limit = header;
    s.limit.max_connections = conns;
    s.limit.max_unix_connections = unix_conns;
    s.limit.ws_max_subscribers = subs;
    s.limit.ws_queue_limit = wsq;
    s.limit.ws_message_limit = wsmsg;
    s.limit.ws_max_lag = wslag;
    return out;
}

}  // namespace irqd::service
