// Parsing and checking of affinity request bodies, before anything touches the kernel.
// Every refusal is a request_error with a status, a stable code and a sentence naming the field.
#include "irqd/service/affinity_request.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "irqd/service/json_text.hpp"

namespace irqd::service {
namespace json = boost::json;

std::variant<json::value, request_error> parse_request_json(std::string_view body) {
    auto v = parse_json_body(body);
    if (auto* p = std::get_if<json_body_problem>(&v)) return request_error{400, std::move(p->code), std::move(p->message)};
    return std::get<json::value>(std::move(v));
}

namespace {

// The CPU set of one change: exactly one of "cpu", "cpus" or "mask" ("irq" is the caller's).
std::variant<core::cpu_set, request_error> cpus_from_json(const json::object& o, const std::string& where) {
    for (const auto& kv : o) {
        auto k = kv.key();
        if (k != "irq" && k != "cpu" && k != "cpus" && k != "mask")
            return request_error{400, "unknown_field",
                                 where + "unknown field '" + std::string(k) + "' (use cpu, cpus or mask)"};
    }
    int given = 0;
    core::cpu_set set;
    if (auto* v = o.if_contains("cpu")) {
        ++given;
        if (!v->is_int64() && !v->is_uint64())
            return request_error{400, "bad_cpu", where + "'cpu' must be a non-negative integer"};
        auto n = v->is_int64() ? v->as_int64()
                               : static_cast<std::int64_t>(std::min<std::uint64_t>(v->as_uint64(), 1u << 30));
        if (n < 0 || n >= static_cast<std::int64_t>(core::cpu_set::max_cpus))
            return request_error{422, "bad_cpu", where + "CPU " + std::to_string(n) + " is out of range"};
        set.add(static_cast<unsigned>(n));
    }
    if (auto* v = o.if_contains("cpus")) {
        ++given;
        if (!v->is_string()) return request_error{400, "bad_cpus", where + "'cpus' must be a CPU list string like \"0-3,8\""};
        auto r = core::parse_cpu_list(std::string_view(v->as_string()));
        if (!r) return request_error{400, "bad_cpus", where + "'cpus': " + r.error_message()};
        set = *r;
    }
    if (auto* v = o.if_contains("mask")) {
        ++given;
        if (!v->is_string()) return request_error{400, "bad_mask", where + "'mask' must be a hex string like \"f\""};
        auto r = core::parse_cpu_mask(std::string_view(v->as_string()));
        if (!r) return request_error{400, "bad_mask", where + "'mask': " + r.error_message()};
        set = *r;
    }
    if (given != 1) return request_error{400, "bad_affinity", where + "give exactly one of 'cpu', 'cpus' or 'mask'"};
    if (set.empty()) return request_error{422, "empty_cpu_set", where + "the CPU set is empty"};
    return set;
}
}  // namespace

std::variant<core::cpu_set, request_error> parse_affinity_body(std::string_view body) {
    auto v = parse_request_json(body);
    if (auto* e = std::get_if<request_error>(&v)) return std::move(*e);
    const auto& doc = std::get<json::value>(v);
    if (!doc.is_object()) return request_error{400, "bad_json", "body must be a JSON object like {\"cpu\": 3}"};
    return cpus_from_json(doc.as_object(), "");
}

std::variant<std::vector<affinity_change>, request_error> parse_affinity_batch(std::string_view body) {
    auto v = parse_request_json(body);
    if (auto* e = std::get_if<request_error>(&v)) return std::move(*e);
    const auto& doc = std::get<json::value>(v);
    const json::array* list = nullptr;
    if (doc.is_object()) {
        for (const auto& kv : doc.as_object())
            if (kv.key() != "changes")
                return request_error{400, "unknown_field",
                                     "unknown field '" + std::string(kv.key()) + "' (expected 'changes')"};
        if (auto* c = doc.as_object().if_contains("changes"); c && c->is_array()) list = &c->as_array();
    }
    if (!list) return request_error{400, "bad_json", "body must be {\"changes\": [{\"irq\": N, \"cpus\": \"LIST\"}, ...]}"};
    if (list->empty()) return request_error{400, "no_changes", "'changes' is empty"};
    if (list->size() > max_batch_changes)
        return request_error{413, "too_many_changes", "at most " + std::to_string(max_batch_changes) + " changes in one request"};
    std::vector<affinity_change> changes;
    changes.reserve(list->size());
    for (std::size_t i = 0; i < list->size(); ++i) {
        std::string where = "changes[" + std::to_string(i) + "]: ";
        const auto& item = (*list)[i];
        if (!item.is_object()) return request_error{400, "bad_change", where + "must be an object"};
        const auto& o = item.as_object();
        auto* irqv = o.if_contains("irq");
        std::optional<unsigned> irq;
        if (irqv && irqv->is_int64() && irqv->as_int64() >= 0 && irqv->as_int64() < max_irq_number)
            irq = static_cast<unsigned>(irqv->as_int64());
        else if (irqv && irqv->is_string())
            irq = parse_irq_number(std::string_view(irqv->as_string()));
        if (!irq) return request_error{400, "bad_irq", where + "'irq' must be a plain IRQ number"};
        auto set = cpus_from_json(o, where);
        if (auto* e = std::get_if<request_error>(&set)) return std::move(*e);
        changes.push_back({*irq, std::get<core::cpu_set>(std::move(set))});
    }
    return changes;
}

}  // namespace irqd::service
