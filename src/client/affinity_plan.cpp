// Affinity changes for `irqctl set`: parsing pairs and plan files, building the request, and
// describing the daemon's answer.
#include "irqd/client/affinity_plan.hpp"

#include <boost/json.hpp>

#include "irqd/client/json_fields.hpp"
#include "irqd/client/text_table.hpp"
#include "irqd/core/cpu_set.hpp"
#include "irqd/core/irq_selection.hpp"

namespace irqd::client {
namespace json = boost::json;

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

std::optional<std::string> add_unique(std::vector<planned_change>& changes, planned_change c, std::string_view where) {
    for (const auto& seen : changes)
        if (seen.irq == c.irq) return std::string(where) + "IRQ " + std::to_string(c.irq) + " appears twice";
    changes.push_back(std::move(c));
    return std::nullopt;
}

// The IRQ of a JSON entry: a number or a numeric string.
std::optional<unsigned> json_irq(const json::value* v) {
    if (!v) return std::nullopt;
    if (v->is_int64() && v->as_int64() >= 0 && v->as_int64() <= 0xFFFFFFFF) return static_cast<unsigned>(v->as_int64());
    if (v->is_string()) return core::parse_irq_number(std::string_view(v->as_string()));
    return std::nullopt;
}

std::optional<std::string> json_cpu_number(const json::value& v) {
    if (v.is_int64() && v.as_int64() >= 0) return std::to_string(v.as_int64());
    if (v.is_uint64()) return std::to_string(v.as_uint64());
    return std::nullopt;
}

core::result<std::vector<planned_change>> parse_json_plan(std::string_view text) {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return core::error{"plan is not valid JSON: " + ec.message()};
    if (!v.is_object()) return core::error{"a JSON plan is an object with \"changes\" or \"assignments\""};
    const auto& o = v.as_object();
    std::vector<planned_change> out;
    if (auto* list = o.if_contains("changes"); list && list->is_array()) {
        for (std::size_t i = 0; i < list->as_array().size(); ++i) {
            std::string where = "changes[" + std::to_string(i) + "]: ";
            const auto& e = list->as_array()[i];
            if (!e.is_object()) return core::error{where + "must be an object"};
            const auto& eo = e.as_object();
            auto irq = json_irq(eo.if_contains("irq"));
            if (!irq) return core::error{where + "'irq' must be an IRQ number"};
            planned_change c{*irq, {}, false};
            int given = 0;
            if (auto* cpu = eo.if_contains("cpu")) {
                auto n = json_cpu_number(*cpu);
                if (!n) return core::error{where + "'cpu' must be a CPU number"};
                c.cpus = *n;
                ++given;
            }
            if (auto* cpus = eo.if_contains("cpus")) {
                if (!cpus->is_string()) return core::error{where + "'cpus' must be a string like \"0-3\""};
                c.cpus = std::string(cpus->as_string());
                ++given;
            }
            if (auto* mask = eo.if_contains("mask")) {
                if (!mask->is_string()) return core::error{where + "'mask' must be a string like \"f\""};
                c.cpus = std::string(mask->as_string());
                c.mask = true;
                ++given;
            }
            if (given != 1) return core::error{where + "give exactly one of 'cpu', 'cpus' or 'mask'"};
            auto checked = parse_change(std::to_string(c.irq), c.cpus, c.mask);
            if (!checked) return core::error{where + checked.error_message()};
            if (auto e2 = add_unique(out, *checked, where)) return core::error{*e2};
        }
    } else if (auto* list2 = o.if_contains("assignments"); list2 && list2->is_array()) {
        for (std::size_t i = 0; i < list2->as_array().size(); ++i) {
            std::string where = "assignments[" + std::to_string(i) + "]: ";
            const auto& e = list2->as_array()[i];
            const auto* eo = e.if_object();
            auto irq = eo ? json_irq(eo->if_contains("irq")) : std::nullopt;
            auto* cpu = eo ? eo->if_contains("cpu") : nullptr;
            auto n = cpu ? json_cpu_number(*cpu) : std::nullopt;
            if (!irq || !n) return core::error{where + "expected {\"irq\": \"N\", \"cpu\": N}"};
            if (auto e2 = add_unique(out, {*irq, *n, false}, where)) return core::error{*e2};
        }
    } else {
        return core::error{"a JSON plan needs a \"changes\" or an \"assignments\" list"};
    }
    if (out.empty()) return core::error{"the plan has no changes"};
    return out;
}

}  // namespace

core::result<planned_change> parse_change(std::string_view irq, std::string_view cpus, bool mask) {
    auto n = core::parse_irq_number(irq);
    if (!n && !irq.empty() && irq.find_first_not_of("0123456789") == std::string_view::npos)
        return core::error{"IRQ " + std::string(irq) + " is out of range (IRQ numbers are below " +
                           std::to_string(core::max_irq_number) + ")"};
    if (!n) return core::error{"IRQ must be a number, not '" + std::string(irq) + "'"};
    if (mask) {
        auto m = core::parse_cpu_mask(cpus);
        if (!m) return core::error{"IRQ " + std::string(irq) + ": " + m.error_message()};
        if (m->empty()) return core::error{"IRQ " + std::string(irq) + ": the mask selects no CPU"};
    } else {
        auto l = core::parse_cpu_list(cpus);
        if (!l)
            return core::error{"IRQ " + std::string(irq) + ": " + l.error_message() +
                               (cpus.find_first_of("abcdefABCDEFxX") != std::string_view::npos
                                    ? " (use --mask for hex masks)"
                                    : "")};
        if (l->empty()) return core::error{"IRQ " + std::string(irq) + ": no CPU given"};
    }
    return planned_change{*n, std::string(cpus), mask};
}

core::result<std::vector<planned_change>> parse_plan(std::string_view text, bool masks) {
    auto body = trim(text);
    while (!body.empty() && (body.front() == '\n')) body = trim(body.substr(1));
    if (body.starts_with("{")) return parse_json_plan(text);
    std::vector<planned_change> out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        auto nl = text.find('\n');
        auto line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++line_no;
        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        if (line.empty()) continue;
        std::string where = "line " + std::to_string(line_no) + ": ";
        auto space = line.find_first_of(" \t");
        if (space == std::string_view::npos) return core::error{where + "expected 'IRQ CPUS', got '" + std::string(line) + "'"};
        auto irq = line.substr(0, space);
        auto cpus = trim(line.substr(space));
        if (cpus.find_first_of(" \t") != std::string_view::npos)
            return core::error{where + "expected 'IRQ CPUS', got '" + std::string(line) + "'"};
        auto c = parse_change(irq, cpus, masks);
        if (!c) return core::error{where + c.error_message()};
        if (auto e = add_unique(out, *c, where)) return core::error{*e};
    }
    if (out.empty()) return core::error{"the plan has no changes"};
    return out;
}

affinity_request make_affinity_request(const std::vector<planned_change>& changes) {
    auto body_of = [](const planned_change& c) {
        return c.mask ? json::object{{"mask", c.cpus}} : json::object{{"cpus", c.cpus}};
    };
    if (changes.size() == 1) {
        const auto& c = changes.front();
        return {boost::beast::http::verb::put, "/api/v1/interrupts/" + std::to_string(c.irq) + "/affinity",
                json::serialize(body_of(c))};
    }
    json::array list;
    for (const auto& c : changes) {
        auto o = body_of(c);
        o["irq"] = c.irq;
        list.push_back(std::move(o));
    }
    return {boost::beast::http::verb::post, "/api/v1/affinity", json::serialize(json::object{{"changes", std::move(list)}})};
}

std::string render_affinity_result(const json::value& reply, const output_style& style) {
    // A PUT answers with one outcome, a POST with {"applied":[outcomes]}.
    std::vector<const json::value*> outcomes;
    if (field(reply, "applied"))
        for (const auto& a : array_field(reply, "applied")) outcomes.push_back(&a);
    else
        outcomes.push_back(&reply);
    text_table t({{"IRQ", align::right}, {"BEFORE", align::left}, {"AFTER", align::left},
                  {"EFFECTIVE", align::left}, {"", align::left}});
    std::size_t changed = 0;
    for (const auto* o : outcomes) {
        bool did = bool_field(*o, "changed");
        changed += did;
        t.add_row({string_field(*o, "irq", "-"), string_field(*o, "before", "-"), string_field(*o, "affinity", "-"),
                   string_field(*o, "effective", "-"), did ? "" : "unchanged"},
                  did ? emphasis::none : emphasis::faint);
    }
    return t.render(style.color) + std::to_string(changed) + " of " + std::to_string(outcomes.size()) +
           (outcomes.size() == 1 ? " IRQ" : " IRQs") + " changed\n";
}

std::string describe_affinity_error(const json::value& reply, std::string_view fallback) {
    const auto* e = field(reply, "error");
    if (!e || !e->is_object()) return std::string(fallback);
    std::string msg = string_field(*e, "message", fallback);
    auto list_of = [&](std::string_view key) {
        std::string s;
        for (const auto& i : array_field(*e, key))
            s += (s.empty() ? "" : ", ") + (i.is_string() ? std::string(i.as_string()) : json::serialize(i));
        return s;
    };
    auto back = list_of("rolled_back"), failed = list_of("rollback_failed");
    if (!back.empty()) msg += " (rolled back: " + back + ")";
    else if (field(*e, "rolled_back") && failed.empty()) msg += " (nothing was changed)";
    if (!failed.empty()) msg += "; NOT restored, check by hand: " + failed;
    return msg;
}

}  // namespace irqd::client
