// Test fixture: starts a real irqd (the built binary) on 127.0.0.1 with a free port, reads the URL it
// prints, and stops it with SIGTERM at the end. Also a fake procfs/sysfs in a temporary directory,
// and the JSON of a reply, of GET /api/v1/health, and a wait for the next samples.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "irqd/client/http_client.hpp"
#include "temp_files.hpp"

namespace irqd::test {

namespace fs = std::filesystem;

inline fs::path binary(const std::string& name) { return fs::path(IRQD_BINARY_DIR) / name; }

// A fake kernel the test controls: <root>/proc/interrupts, <root>/proc/irq/N/*, <root>/sys/...
struct fake_kernel {
    temp_dir dir;
    fs::path proc() const { return dir.path / "proc"; }
    fs::path sys() const { return dir.path / "sys"; }
    void interrupts(const std::string& text) const {
        // Atomic replace, so the daemon never reads half a file.
        write(proc() / "interrupts.new", text);
        fs::rename(proc() / "interrupts.new", proc() / "interrupts");
    }
    void irq(unsigned n, const std::string& affinity_list, int node = 0) const {
        auto d = proc() / "irq" / std::to_string(n);
        write(d / "smp_affinity_list", affinity_list + "\n");
        write(d / "effective_affinity_list", affinity_list + "\n");
        write(d / "node", std::to_string(node) + "\n");
    }
    void cpus(const std::string& online, const std::string& isolated = "", const std::string& nohz_full = "") const {
        write(sys() / "devices/system/cpu/online", online + "\n");
        write(sys() / "devices/system/cpu/isolated", isolated + "\n");
        write(sys() / "devices/system/cpu/nohz_full", nohz_full + "\n");
        write(sys() / "devices/system/node/node0/cpulist", online + "\n");
    }
};

// A reply's body as JSON (throws when it is not JSON).
inline boost::json::value json_body(const client::http_reply& r) { return boost::json::parse(r.body); }

// Polls `pred` every 20 ms until it holds or `limit` passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
}

class irqd_process {
public:
    // Starts irqd with `args` (plus --listen 127.0.0.1:0) and waits for its URL line. With `log`, its
    // stderr (the log) goes to that file instead of the test's.
    explicit irqd_process(std::vector<std::string> args, const fs::path& log = {}) {
        // A test that gives its own --listen (none: the Unix socket only) keeps it.
        if (std::none_of(args.begin(), args.end(), [](const std::string& a) { return a.starts_with("--listen"); }))
            args.insert(args.begin(), {"--listen", "127.0.0.1:0"});
        args.insert(args.begin(), binary("irqd").string());
        int out[2];
        if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            if (!log.empty()) {
                int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
                if (fd < 0 || ::dup2(fd, 2) < 0) ::_exit(126);
                ::close(fd);
            }
            ::close(out[0]);
            ::close(out[1]);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            std::perror("execv irqd");
            ::_exit(127);
        }
        ::close(out[1]);
        out_ = ::fdopen(out[0], "r");
        char line[4096];
        if (!std::fgets(line, sizeof line, out_)) {
            stop();
            throw std::runtime_error("irqd exited before printing its URL");
        }
        first_line_ = line;
        auto at = first_line_.find("http://");
        if (at == std::string::npos) at = first_line_.find("unix:");   // --listen none
        if (at == std::string::npos) throw std::runtime_error("no URL in irqd's first line: " + first_line_);
        auto end = first_line_.find_first_of(" \n", at);
        url_text_ = first_line_.substr(at, end - at);
        while (!url_text_.empty() && url_text_.back() == '/') url_text_.pop_back();
        url_ = *client::parse_base_url(url_text_);
    }
    ~irqd_process() { stop(); }
    irqd_process(const irqd_process&) = delete;
    irqd_process& operator=(const irqd_process&) = delete;

    // Sends SIGTERM and waits (bounded: 10 s, a simulated machine with thousands of IRQs removes its
    // files on the way out); returns the exit status, or -1 when it had to be killed.
    int stop() {
        if (pid_ <= 0) return status_;
        ::kill(pid_, SIGTERM);
        int st = 0;
        for (int i = 0; i < 200; ++i) {
            if (::waitpid(pid_, &st, WNOHANG) == pid_) {
                pid_ = 0;
                if (out_) std::fclose(out_);
                out_ = nullptr;
                return status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &st, 0);
        pid_ = 0;
        if (out_) std::fclose(out_);
        out_ = nullptr;
        return status_ = -1;
    }

    const client::base_url& url() const { return url_; }
    const std::string& url_text() const { return url_text_; }
    const std::string& first_line() const { return first_line_; }
    pid_t pid() const { return pid_; }
    // The TCP port it listens on, for raw_socket and raw_request (not with --listen none).
    unsigned short port() const { return static_cast<unsigned short>(std::stoi(url_.port)); }

    client::http_reply get(const std::string& target) const { return call(boost::beast::http::verb::get, target); }
    client::http_reply call(boost::beast::http::verb v, const std::string& target, std::string body = {}) const {
        auto r = client::http_call(url_, v, target, std::move(body), std::chrono::seconds(10));
        if (!r) throw std::runtime_error(r.error_message());
        return *r;
    }

    // GET /api/v1/health, and the samples it has taken so far.
    boost::json::value health() const { return json_body(get("/api/v1/health")); }
    std::uint64_t samples() const { return health().at("samples").to_number<std::uint64_t>(); }
    // Waits until it has taken `n` more samples than now; false when they do not come in time.
    [[nodiscard]] bool wait_samples(std::uint64_t n) const {
        auto start = samples();
        return eventually([&] { return samples() >= start + n; });
    }

private:
    pid_t pid_ = -1;
    int status_ = -1;
    FILE* out_ = nullptr;
    std::string first_line_, url_text_;
    client::base_url url_;
};

// Runs a command, returns {exit code, stdout+stderr}. For CLI tests.
struct run_result {
    int code;
    std::string out;
};
inline run_result run(const std::string& command) {
    std::string cmd = command + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    std::string out;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : 128, out};
}

}  // namespace irqd::test
