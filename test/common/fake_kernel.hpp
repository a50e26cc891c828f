// A fake kernel in a temporary directory: <root>/proc/interrupts, <root>/proc/irq/N/*, <root>/sys/...
// For the e2e tests (through daemon.hpp) and the in-process service tests alike.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <system_error>

#include "temp_files.hpp"

namespace irqd::test {

namespace fs = std::filesystem;

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
