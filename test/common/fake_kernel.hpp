// A fake kernel in a temporary directory: <root>/proc/interrupts, <root>/proc/irq/N/*, <root>/sys/...
// For the e2e tests (through daemon.hpp) and the in-process service tests alike.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>

namespace irqd::test {

namespace fs = std::filesystem;

// A private temporary directory, removed at the end.
struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string t = (fs::temp_directory_path() / "irqd-test-XXXXXX").string();
        if (!::mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
        path = t;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

inline void write(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << text;
}

inline std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

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
    // Every file under <procfs>/irq, with its contents: what "nothing written" is checked against.
    std::map<std::string, std::string> irq_files() const {
        std::map<std::string, std::string> files;
        for (const auto& e : fs::recursive_directory_iterator(proc() / "irq"))
            if (e.is_regular_file()) files[e.path().string()] = read_text(e.path());
        return files;
    }
};

}  // namespace irqd::test
