// Overview table layout.
#include "irqd/client/overview_view.hpp"

#include <numeric>

#include "irqd/client/json_fields.hpp"
#include "irqd/client/number_format.hpp"
#include "irqd/client/text_table.hpp"
#include "irqd/client/window_heading.hpp"
#include "irqd/core/cpu_set.hpp"

namespace irqd::client {
namespace json = boost::json;

namespace {
constexpr std::size_t name_cap = 24;
// Up to this many CPUs every column is printed: a zero there reads at a glance.
constexpr std::size_t fold_above = 8;

std::string affinity_text(const json::value& irq) {
    auto* a = field(irq, "affinity");
    if (!a || !a->is_string()) return "-";
    std::string text(a->as_string());
    auto eff = string_field(irq, "effective");
    if (!eff.empty() && eff != text) text += " (" + eff + ")";
    return text;
}

// Cells of one table: the label columns, the CPU columns and the summary columns, kept apart so
// blocks can pick CPU ranges.
struct cells {
    std::vector<std::string> label_titles{"IRQ", "NAME"};
    std::vector<std::string> summary_titles{"TOTAL", "RATE/s", "AFFINITY"};
    std::vector<std::string> cpu_titles;
    struct row {
        std::vector<std::string> label, cpu, summary;
        emphasis how = emphasis::none;
    };
    std::vector<row> rows;
};

std::size_t column_width(const cells& c, std::string_view title, auto pick) {
    std::size_t w = display_width(title);
    for (const auto& r : c.rows) w = std::max(w, display_width(pick(r)));
    return w;
}

std::string render_block(const cells& c, std::size_t begin, std::size_t end, bool with_summary, bool color) {
    std::vector<column> cols{{c.label_titles[0], align::right}, {c.label_titles[1], align::left}};
    for (std::size_t i = begin; i < end; ++i) cols.push_back({c.cpu_titles[i], align::right});
    if (with_summary) {
        cols.push_back({c.summary_titles[0], align::right});
        cols.push_back({c.summary_titles[1], align::right});
        cols.push_back({c.summary_titles[2], align::left});
    }
    text_table t(std::move(cols));
    for (const auto& r : c.rows) {
        std::vector<std::string> line = r.label;
        auto first = r.cpu.begin() + static_cast<std::ptrdiff_t>(begin);
        line.insert(line.end(), first, first + static_cast<std::ptrdiff_t>(end - begin));
        if (with_summary) line.insert(line.end(), r.summary.begin(), r.summary.end());
        t.add_row(std::move(line), r.how);
    }
    return t.render(color);
}

// Which CPU columns to print: all of them up to fold_above CPUs (or when asked), else those where a
// shown IRQ fired; the others are named in one line each, the idle ones (no interrupt at all in the
// window) apart from those that serviced only IRQs not shown.
struct column_choice {
    std::vector<std::size_t> shown;    // indexes into "cpus"
    core::cpu_set idle, quiet;
    std::uint64_t quiet_count = 0;     // interrupts the quiet CPUs serviced (IRQs not shown)
    double quiet_share = 0;
};

column_choice choose_columns(const json::value& reply, bool every_cpu) {
    const auto& cpus = array_field(reply, "cpus");
    const auto& irqs = array_field(reply, "irqs");
    const auto& totals = array_field(reply, "cpu_totals");
    column_choice choice;
    for (std::size_t i = 0; i < cpus.size(); ++i) {
        bool fired = every_cpu || cpus.size() <= fold_above;
        for (std::size_t r = 0; r < irqs.size() && !fired; ++r) {
            const auto& counts = array_field(irqs[r], "counts");
            fired = i < counts.size() && count_value(counts[i]) > 0;
        }
        if (fired) {
            choice.shown.push_back(i);
            continue;
        }
        const json::value none;
        const auto& t = i < totals.size() ? totals[i] : none;
        const auto cpu = static_cast<unsigned>(count_value(cpus[i]));
        if (count_field(t, "count") == 0) {
            choice.idle.add(cpu);
        } else {
            choice.quiet.add(cpu);
            choice.quiet_count += count_field(t, "count");
            choice.quiet_share += number_field(t, "share");
        }
    }
    return choice;
}

std::string cpus_named(const core::cpu_set& s) { return (s.size() == 1 ? "CPU " : "CPUs ") + s.to_list(); }
}  // namespace

std::string render_overview(const json::value& reply, const output_style& style, std::size_t top, bool every_cpu) {
    const auto& cpus = array_field(reply, "cpus");
    const auto& irqs = array_field(reply, "irqs");
    const auto choice = choose_columns(reply, every_cpu);
    cells c;
    for (auto i : choice.shown) c.cpu_titles.push_back("CPU" + std::to_string(count_value(cpus[i])));

    auto cell = [&](std::uint64_t v) {
        auto text = format_count(v, style.compact);
        return v == 0 ? paint(text, ansi::dim, style.color) : text;
    };
    for (const auto& irq : irqs) {
        cells::row r;
        std::string name = bool_field(irq, "gone") ? "(gone)" : string_field(irq, "name");
        r.label = {string_field(irq, "irq", "?"), style.width ? truncate_to_width(name, name_cap) : name};
        const auto& counts = array_field(irq, "counts");
        for (auto i : choice.shown) r.cpu.push_back(cell(i < counts.size() ? count_value(counts[i]) : 0));
        r.summary = {format_count(count_field(irq, "total"), style.compact),
                     format_rate(number_field(irq, "rate"), style.compact), affinity_text(irq)};
        c.rows.push_back(std::move(r));
    }
    const auto& totals = array_field(reply, "cpu_totals");
    cells::row total{{"TOTAL", ""}, {}, {format_count(count_field(reply, "total"), style.compact),
                                         format_rate(number_field(reply, "rate"), style.compact), ""},
                     emphasis::strong};
    cells::row share{{"SHARE", ""}, {}, {"", "", ""}, emphasis::faint};
    for (auto i : choice.shown) {
        const json::value none;
        const auto& t = i < totals.size() ? totals[i] : none;
        total.cpu.push_back(format_count(count_field(t, "count"), style.compact));
        share.cpu.push_back(format_share(number_field(t, "share")));
    }
    c.rows.push_back(std::move(total));
    c.rows.push_back(std::move(share));

    auto* window = field(reply, "window");
    std::string out = window ? window_heading("Interrupts", *window, style) : "Interrupts\n";
    if (irqs.empty()) out += "(no IRQs match)\n";
    else if (top && irqs.size() >= top)
        out += "The " + std::to_string(irqs.size()) + " busiest IRQs; TOTAL and SHARE count every matching IRQ.\n";
    std::vector<std::string> folded;
    if (!choice.quiet.empty())
        folded.push_back("No column for " + cpus_named(choice.quiet) + " (" + std::to_string(choice.quiet.size()) +
                         "): none of these IRQs fired there; they serviced " + format_share(choice.quiet_share) +
                         " of all interrupts (" + format_count(choice.quiet_count, style.compact) + ").");
    if (!choice.idle.empty())
        folded.push_back("idle CPUs: " + choice.idle.to_list() + " (" + std::to_string(choice.idle.size()) +
                         ", no interrupts in the window).");
    if (!folded.empty()) folded.push_back("--cpus all shows every CPU.");
    for (const auto& line : folded) out += paint(line, ansi::dim, style.color) + "\n";

    // Widths include the gap in front of each column.
    auto w = [&](std::string_view title, auto pick) { return column_width(c, title, pick) + text_table::gap; };
    std::size_t label = column_width(c, "IRQ", [](const cells::row& r) { return r.label[0]; }) +
                        w("NAME", [](const cells::row& r) { return r.label[1]; });
    std::size_t summary = 0;
    for (std::size_t k = 0; k < 3; ++k) summary += w(c.summary_titles[k], [k](const cells::row& r) { return r.summary[k]; });
    std::vector<std::size_t> cpu_widths;
    for (std::size_t i = 0; i < c.cpu_titles.size(); ++i)
        cpu_widths.push_back(w(c.cpu_titles[i], [i](const cells::row& r) { return r.cpu[i]; }));

    auto blocks = fit_blocks(cpu_widths, label + summary, label, style.width);
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        auto [begin, end] = blocks[b];
        if (blocks.size() > 1) {
            core::cpu_set block;
            for (std::size_t i = begin; i < end; ++i) block.add(static_cast<unsigned>(count_value(cpus[choice.shown[i]])));
            out += "\n" + paint((end - begin == 1 ? "CPU " : "CPUs ") + block.to_list(), ansi::cyan, style.color) + "\n";
        } else {
            out += "\n";
        }
        out += render_block(c, begin, end, b == 0, style.color);
    }
    return out;
}

}  // namespace irqd::client
