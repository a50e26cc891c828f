// PUT /api/v1/interrupts/{irq}/affinity and POST /api/v1/affinity: parsed by affinity_request,
// written by the affinity writer (a batch in slices), answered with what changed.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api_call.hpp"
#include "irqd/service/request_checks.hpp"
#include "irqd/service/affinity_request.hpp"

namespace irqd::service {
namespace json = boost::json;

namespace {

json::object outcome_json(const affinity_outcome& o) {
    json::object j;
    j["irq"] = std::to_string(o.irq);
    j["changed"] = o.changed;
    j["before"] = set_json(o.before);
    j["requested"] = o.requested.to_list();
    j["affinity"] = set_json(o.affinity);
    j["mask"] = o.affinity ? json::value(o.affinity->to_mask()) : json::value(nullptr);
    j["effective"] = set_json(o.effective);
    return j;
}

unsigned batch_status(const affinity_writer::batch_result& r) {
    if (auto* f = std::get_if<batch_failure>(&r)) return f->error.status;
    return 200;
}

json::object batch_json(const affinity_writer::batch_result& r) {
    if (auto* f = std::get_if<batch_failure>(&r)) return batch_failure_json(*f);
    const auto& outs = std::get<std::vector<affinity_outcome>>(r);
    json::array applied;
    std::size_t changed = 0;
    for (const auto& o : outs) {
        changed += o.changed;
        applied.push_back(outcome_json(o));
    }
    return json::object{{"applied", std::move(applied)}, {"changed", changed}};
}

// Who the event log names for the changes.
void note_source(api_call& c) {
    if (!c.ctx.events) return;
    c.ctx.events->set_source(std::string(request_source(c.req)));
}

}  // namespace

void put_affinity(api_call& c, std::string_view id) {
    if (c.reject_unknown({})) return;
    auto irq = parse_irq_number(id);
    if (!irq) return c.fail(400, "bad_irq", "IRQ must be a plain decimal number, got '" + std::string(id) + "'");
    auto set = parse_affinity_body(c.req.body());
    if (auto* e = std::get_if<request_error>(&set)) return c.fail(*e);
    note_source(c);
    auto r = c.ctx.writer.set({*irq, std::get<core::cpu_set>(std::move(set))}, c.ctx.samples.online_cpus());
    if (auto* e = std::get_if<affinity_error>(&r)) return c.fail(e->status, e->code, e->message);
    c.reply(200, outcome_json(std::get<affinity_outcome>(r)));
}

void post_affinity(api_call& c) {
    if (c.reject_unknown({})) return;
    auto parsed = parse_affinity_batch(c.req.body());
    if (auto* e = std::get_if<request_error>(&parsed)) return c.fail(*e);
    // Written in slices: other requests are answered meanwhile, and this one when the batch ends.
    auto& changes = std::get<std::vector<affinity_change>>(parsed);
    note_source(c);
    c.ctx.writer.start_batch(std::move(changes), c.ctx.samples.online_cpus(),
                            [send = c.send, head = answer_head(c.req)](affinity_writer::batch_result r) {
                                send(json_response(head, batch_status(r), batch_json(r)));
                            });
}

json::object batch_failure_json(const batch_failure& f) {
    auto irqs = [](const std::vector<unsigned>& list) {
        json::array a;
        for (auto i : list) a.push_back(json::value(std::to_string(i)));
        return a;
    };
    auto body = error_json(f.error.code, f.error.message);
    auto& e = body["error"].as_object();
    e["irq"] = std::to_string(f.irq);
    e["rolled_back"] = irqs(f.rolled_back);
    e["rollback_failed"] = irqs(f.rollback_failed);
    return body;
}

}  // namespace irqd::service
