// A strict reader of the Prometheus text exposition format (0.0.4) for tests: checks names, label
// syntax and escaping, that every sample follows its family's # TYPE, and that no series appears twice.
#pragma once

#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace irqd::test {

struct prom_sample {
    std::string name;
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct prom_exposition {
    std::map<std::string, std::string> types;          // family -> counter, gauge, ...
    std::vector<prom_sample> samples;

    // The value of the one sample with this name and (a superset of) these labels; throws when not exactly one.
    double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
        const prom_sample* found = nullptr;
        for (const auto& s : samples) {
            if (s.name != name) continue;
            bool match = true;
            for (const auto& [k, v] : labels) {
                auto it = s.labels.find(k);
                if (it == s.labels.end() || it->second != v) match = false;
            }
            if (!match) continue;
            if (found) throw std::runtime_error("more than one sample of " + name);
            found = &s;
        }
        if (!found) throw std::runtime_error("no sample of " + name);
        return found->value;
    }
    std::size_t count(const std::string& name) const {
        std::size_t n = 0;
        for (const auto& s : samples) n += s.name == name;
        return n;
    }
};

namespace prom_detail {
inline bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
inline bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9'); }
inline std::string read_name(std::string_view line, std::size_t& p, bool label) {
    std::size_t start = p;
    if (p >= line.size() || !name_start(line[p]) || (label && line[p] == ':')) throw std::runtime_error("bad name in: " + std::string(line));
    while (p < line.size() && name_char(line[p]) && !(label && line[p] == ':')) ++p;
    return std::string(line.substr(start, p - start));
}
}  // namespace prom_detail

inline prom_exposition parse_prometheus_text(std::string_view text) {
    using namespace prom_detail;
    prom_exposition out;
    std::set<std::string> series;
    std::string family;                                 // of the latest # TYPE
    std::size_t pos = 0;
    if (!text.empty() && text.back() != '\n') throw std::runtime_error("exposition must end with a newline");
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.empty()) continue;
        if (line[0] == '#') {
            if (line.starts_with("# TYPE ")) {
                std::size_t p = 7;
                auto name = read_name(line, p, false);
                auto type = std::string(line.substr(p + 1));
                static const std::set<std::string> known{"counter", "gauge", "histogram", "summary", "untyped"};
                if (p >= line.size() || line[p] != ' ' || !known.count(type)) throw std::runtime_error("bad TYPE: " + std::string(line));
                if (out.types.count(name)) throw std::runtime_error("TYPE given twice: " + name);
                out.types[name] = type;
                family = name;
            } else if (line.starts_with("# HELP ")) {
                std::size_t p = 7;
                read_name(line, p, false);
            }
            continue;
        }
        prom_sample s;
        std::size_t p = 0;
        s.name = read_name(line, p, false);
        if (s.name != family) throw std::runtime_error("sample " + s.name + " not under its # TYPE");
        std::string key = s.name + "{";
        if (p < line.size() && line[p] == '{') {
            ++p;
            while (p < line.size() && line[p] != '}') {
                auto label = read_name(line, p, true);
                if (line.substr(p, 2) != "=\"") throw std::runtime_error("expected =\" in: " + std::string(line));
                p += 2;
                std::string value;
                while (p < line.size() && line[p] != '"') {
                    if (line[p] == '\\') {
                        if (p + 1 >= line.size()) throw std::runtime_error("dangling escape");
                        char e = line[p + 1];
                        if (e == 'n') value += '\n';
                        else if (e == '\\' || e == '"') value += e;
                        else throw std::runtime_error("bad escape in: " + std::string(line));
                        p += 2;
                    } else {
                        value += line[p++];
                    }
                }
                if (p >= line.size()) throw std::runtime_error("unterminated label value");
                ++p;
                if (!s.labels.emplace(label, value).second) throw std::runtime_error("label twice: " + label);
                if (p < line.size() && line[p] == ',') ++p;
            }
            if (p >= line.size()) throw std::runtime_error("unterminated labels");
            ++p;
        }
        for (const auto& [k, v] : s.labels) key += k + "=" + v + ",";
        if (p >= line.size() || line[p] != ' ') throw std::runtime_error("expected a space before the value: " + std::string(line));
        ++p;
        auto rest = line.substr(p);
        auto sp = rest.find(' ');
        auto v = rest.substr(0, sp);
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), s.value);
        if (ec != std::errc{} || end != v.data() + v.size() || std::isnan(s.value))
            throw std::runtime_error("bad value in: " + std::string(line));
        if (!series.insert(key).second) throw std::runtime_error("series twice: " + key);
        out.samples.push_back(std::move(s));
    }
    return out;
}

}  // namespace irqd::test
