// Stream messages, and how `irqctl watch` draws them.
#include "irqd/client/watch_view.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <boost/json.hpp>

#include "irqd/client/json_fields.hpp"
#include "irqd/client/number_format.hpp"
#include "irqd/client/terminal.hpp"
#include "irqd/client/text_table.hpp"

namespace irqd::client {
namespace json = boost::json;

namespace {
constexpr std::size_t name_cap = 20;
constexpr std::size_t column_gap = 3;        // between columns of CPU bars
constexpr std::size_t small_bar = 10;        // bar width when CPUs are in several columns

// A bar `width` columns long, filled to `fraction` in eighths of a column.
std::string bar(double fraction, std::size_t width) {
    static constexpr const char* eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    fraction = std::clamp(fraction, 0.0, 1.0);
    auto units = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(width * 8)));
    std::string out;
    for (std::size_t i = 0; i < units / 8; ++i) out += "█";
    std::size_t used = units / 8;
    if (units % 8) {
        out += eighths[units % 8];
        ++used;
    }
    out.append(width - std::min(width, used), ' ');
    return out;
}

std::string pad_left(std::string s, std::size_t width) {
    auto w = display_width(s);
    return w >= width ? s : std::string(width - w, ' ') + s;
}

// Where most of an IRQ's rate lands: "cpu3 98% cpu7 2%" (up to three CPUs).
std::string main_cpus(const stream_irq& irq, const std::vector<unsigned>& cpus) {
    std::vector<std::size_t> order(std::min(irq.rates.size(), cpus.size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return irq.rates[a] > irq.rates[b]; });
    std::string out;
    for (std::size_t k = 0; k < order.size() && k < 3; ++k) {
        if (irq.rates[order[k]] <= 0) break;
        out += (out.empty() ? "" : " ") + ("cpu" + std::to_string(cpus[order[k]])) + " " +
               format_share(irq.rate > 0 ? irq.rates[order[k]] / irq.rate : 0);
    }
    return out.empty() ? "-" : out;
}
}  // namespace

core::result<stream_message> parse_stream_message(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object()) return core::error{"irqd sent a message that is not a JSON object"};
    stream_message m;
    m.type = string_field(v, "type");
    m.error = string_field(v, "message");
    m.time = string_field(v, "time");
    m.interval_s = number_field(v, "interval_s");
    m.total_rate = number_field(v, "total_rate");
    for (const auto& c : array_field(v, "cpus")) {
        stream_cpu cpu{static_cast<unsigned>(count_field(c, "cpu")), number_field(c, "rate"), bool_field(c, "overloaded"), {}};
        for (const auto& r : array_field(c, "overload_reasons"))
            if (r.is_string()) cpu.reasons += (cpu.reasons.empty() ? "" : "+") + std::string(r.as_string());
        m.cpus.push_back(std::move(cpu));
    }
    for (const auto& i : array_field(v, "irqs")) {
        stream_irq irq{string_field(i, "irq"), string_field(i, "name"), number_field(i, "rate"), {}};
        for (const auto& r : array_field(i, "rates")) irq.rates.push_back(r.is_number() ? r.to_number<double>() : 0.0);
        m.irqs.push_back(std::move(irq));
    }
    for (const auto& c : array_field(v, "irq_cpus")) m.irq_cpus.push_back(static_cast<unsigned>(count_value(c)));
    return m;
}

std::string subscribe_message(std::size_t top, unsigned every, std::string_view name_glob) {
    json::object o{{"type", "subscribe"}, {"cpus", true}, {"top", top}, {"every", every}};
    if (!name_glob.empty()) o["irqs"] = name_glob;
    return json::serialize(o);
}

std::string plain_line(const stream_message& m) {
    std::string out = (m.time.empty() ? "-" : m.time) + " total=" + format_rate(m.total_rate, false) + "/s";
    for (const auto& c : m.cpus)
        out += " cpu" + std::to_string(c.cpu) + "=" + format_rate(c.rate, false) + "/s(" +
               format_share(m.total_rate > 0 ? c.rate / m.total_rate : 0) + ")" +
               (c.overloaded ? "[OVERLOADED:" + c.reasons + "]" : "");
    for (const auto& i : m.irqs) out += " irq" + i.irq + "=" + format_rate(i.rate, false) + "/s";
    return out;
}

std::vector<std::string> screen_lines(const stream_message& m, const screen_layout& layout) {
    const bool color = layout.color;
    const std::size_t width = std::max<std::size_t>(layout.width, 20);
    const std::size_t height = std::max<std::size_t>(layout.height, 5);
    std::vector<std::string> lines;

    std::string title = "irqctl watch  " + layout.url + "  " + (m.time.empty() ? "waiting for a sample" : m.time);
    std::string keys = "q quits";
    if (display_width(title) + 2 + keys.size() <= width)
        title += std::string(width - display_width(title) - keys.size(), ' ') + keys;
    lines.push_back(paint(title, ansi::bold, color));
    std::string status = "total " + format_rate(m.total_rate, true) + "/s on " + std::to_string(m.cpus.size()) +
                         " CPUs   sample " + std::to_string(layout.samples) + ", rates over the last " +
                         format_rate(m.interval_s, false) + "s";

    // CPU bars: one column when they fit in the rows left after a few IRQs, else several.
    std::size_t irq_rows = std::min(m.irqs.size(), layout.top);
    std::size_t reserved = 3 + 1 + (irq_rows ? 2 + std::min<std::size_t>(irq_rows, 3) : 0);
    std::size_t cpu_rows_max = height > reserved ? height - reserved : 1;
    double max_rate = 0, sum = 0;
    for (const auto& c : m.cpus) {
        max_rate = std::max(max_rate, c.rate);
        sum += c.rate;
    }
    double mean = m.cpus.empty() ? 0 : sum / static_cast<double>(m.cpus.size());
    std::size_t num_w = 3;
    for (const auto& c : m.cpus) num_w = std::max(num_w, std::to_string(c.cpu).size());
    const std::size_t text_w = num_w + 1 + 7 + 1 + 6 + 1;   // "cpu rate share "
    bool one_column = m.cpus.size() <= cpu_rows_max;
    std::size_t bar_w = one_column ? std::min<std::size_t>(60, width > text_w + 1 ? width - text_w - 1 : 1) : small_bar;
    std::size_t entry_w = text_w + bar_w;
    std::size_t columns = one_column ? 1 : std::max<std::size_t>(1, (width + column_gap) / (entry_w + column_gap));
    std::size_t rows = (m.cpus.size() + columns - 1) / columns;
    if (rows > cpu_rows_max) rows = cpu_rows_max;
    std::size_t shown = std::min(m.cpus.size(), rows * columns);
    if (shown < m.cpus.size())
        status += "   (" + std::to_string(shown) + " of " + std::to_string(m.cpus.size()) + " CPUs fit)";
    std::string overloaded;
    std::size_t hot = 0;
    for (const auto& c : m.cpus)
        if (c.overloaded && ++hot <= 4) overloaded += " cpu" + std::to_string(c.cpu) + " (" + c.reasons + ")";
    if (hot > 4) overloaded += " and " + std::to_string(hot - 4) + " more";
    lines.push_back(status);
    if (hot) lines.back() += "   " + paint("OVERLOADED:" + overloaded, ansi::red, color);   // cut at the width like all lines
    lines.push_back("");

    auto entry = [&](const stream_cpu& c) {
        std::string_view tone = c.overloaded                                ? ansi::red
                                : c.rate >= 1.25 * mean && mean > 0 ? ansi::red
                                : c.rate >= 1.1 * mean && mean > 0 ? ansi::yellow
                                                                   : ansi::green;
        return pad_left(std::to_string(c.cpu), num_w) + " " + pad_left(format_rate(c.rate, true), 7) + " " +
               pad_left(format_share(sum > 0 ? c.rate / sum : 0), 6) + " " +
               paint(bar(max_rate > 0 ? c.rate / max_rate : 0, bar_w), tone, color);
    };
    std::string cpu_header;
    for (std::size_t col = 0; col < columns && col * rows < shown; ++col) {
        std::string h = pad_left("CPU", num_w) + " " + pad_left("RATE/s", 7) + " " + pad_left("SHARE", 6);
        if (col > 0) cpu_header += std::string(column_gap, ' ');
        cpu_header += h + std::string(entry_w - display_width(h), ' ');
    }
    lines.push_back(paint(cpu_header, ansi::bold, color));
    for (std::size_t r = 0; r < rows; ++r) {
        std::string line;
        for (std::size_t col = 0; col < columns; ++col) {
            std::size_t i = col * rows + r;   // down the columns, like ls
            if (i >= shown) break;
            if (col > 0) line += std::string(column_gap, ' ');
            line += entry(m.cpus[i]);
        }
        lines.push_back(line);
    }

    if (irq_rows > 0 && lines.size() + 2 < height) {
        lines.push_back("");
        std::size_t fit = std::min(irq_rows, height - lines.size() - 1);
        std::size_t fixed = 5 + 2 + name_cap + 2 + 7;
        bool per_cpu = fixed + m.irq_cpus.size() * 9 <= width;
        std::vector<column> cols{{"IRQ", align::right}, {"NAME", align::left}, {"RATE/s", align::right}};
        if (per_cpu)
            for (auto c : m.irq_cpus) cols.push_back({"CPU" + std::to_string(c), align::right});
        else
            cols.push_back({"MOSTLY ON", align::left});
        text_table t(std::move(cols));
        for (std::size_t k = 0; k < fit; ++k) {
            const auto& irq = m.irqs[k];
            std::vector<std::string> row{irq.irq, truncate_to_width(irq.name, name_cap), format_rate(irq.rate, true)};
            if (per_cpu)
                for (std::size_t c = 0; c < m.irq_cpus.size(); ++c) {
                    double r = c < irq.rates.size() ? irq.rates[c] : 0;
                    row.push_back(r > 0 ? format_rate(r, true) : paint("0", ansi::dim, color));
                }
            else
                row.push_back(main_cpus(irq, m.irq_cpus));
            t.add_row(std::move(row));
        }
        auto text = t.render(color);
        std::size_t start = 0;
        while (start < text.size()) {
            auto nl = text.find('\n', start);
            lines.push_back(text.substr(start, nl - start));
            start = nl + 1;
        }
    }
    if (lines.size() > height) lines.resize(height);
    for (auto& l : lines) l = truncate_to_width(l, width);
    return lines;
}

}  // namespace irqd::client
