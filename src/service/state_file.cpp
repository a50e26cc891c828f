// The state file: load (setting a bad one aside), record chosen affinities, save atomically, restore.
#include "irqd/service/state_file.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

#include "irqd/service/kernel_files.hpp"
#include "irqd/service/log.hpp"

namespace irqd::service {
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {
constexpr int state_version = 1;
constexpr std::size_t state_size_limit = 64 * 1024 * 1024;

json::error_code bad_value() { return make_error_code(json::error::not_object); }
}  // namespace

void tag_invoke(const json::value_from_tag&, json::value& v, const saved_affinity& a) {
    v = json::object{{"irq", a.irq}, {"name", a.name}, {"cpus", a.cpus.to_list()}, {"time", core::format_rfc3339(a.time)}};
}

json::result<saved_affinity> tag_invoke(const json::try_value_to_tag<saved_affinity>&, const json::value& v) {
    const auto* o = v.if_object();
    if (!o) return bad_value();
    saved_affinity a;
    const auto* irq = o->if_contains("irq");
    if (!irq || !(irq->is_int64() || irq->is_uint64())) return bad_value();
    auto n = irq->to_number<std::int64_t>();
    if (n < 0 || n > (1 << 20)) return bad_value();
    a.irq = static_cast<unsigned>(n);
    const auto* name = o->if_contains("name");
    const auto* cpus = o->if_contains("cpus");
    const auto* time = o->if_contains("time");
    if (!name || !name->is_string() || !cpus || !cpus->is_string()) return bad_value();
    a.name = std::string(name->as_string());
    auto set = core::parse_cpu_list(std::string_view(cpus->as_string()));
    if (!set || set->empty()) return bad_value();
    a.cpus = *set;
    if (time && time->is_string())
        if (auto t = core::parse_time(std::string_view(time->as_string()))) a.time = *t;
    return a;
}

std::string render_state(const std::vector<saved_affinity>& entries) {
    json::object o{{"version", state_version}, {"irqs", json::value_from(entries)}};
    auto text = json::serialize(o);
    text += '\n';
    return text;
}

core::result<std::vector<saved_affinity>> parse_state(std::string_view text) {
    json::error_code ec;
    auto v = json::parse(text, ec);
    if (ec) return core::error{"not JSON: " + ec.message()};
    const auto* o = v.if_object();
    if (!o) return core::error{"not a JSON object"};
    const auto* version = o->if_contains("version");
    if (!version || !version->is_int64() || version->as_int64() != state_version)
        return core::error{"unknown \"version\" (this irqd reads version " + std::to_string(state_version) + ")"};
    const auto* irqs = o->if_contains("irqs");
    if (!irqs || !irqs->is_array()) return core::error{"no \"irqs\" array"};
    std::vector<saved_affinity> out;
    for (std::size_t i = 0; i < irqs->as_array().size(); ++i) {
        auto a = json::try_value_to<saved_affinity>(irqs->as_array()[i]);
        if (!a) return core::error{"irqs[" + std::to_string(i) + "] needs irq, name and a non-empty cpus list"};
        out.push_back(std::move(*a));
    }
    return out;
}

namespace {
// Why a saved entry is not for the IRQ with its number now; nothing when number and name match.
std::optional<std::string> mismatch(const saved_affinity& e, const core::snapshot& now) {
    auto row = now.find_row(std::to_string(e.irq));
    if (row && now.rows[*row].name == e.name) return std::nullopt;
    std::string reason = row ? "IRQ " + std::to_string(e.irq) + " is now '" + now.rows[*row].name + "', saved for '" +
                                   e.name + "'"
                             : "IRQ " + std::to_string(e.irq) + " is not in /proc/interrupts";
    // Say where the device went, but do not follow it: a name can be shared or reused.
    for (const auto& r : now.rows)
        if (r.number && r.name == e.name && !e.name.empty()) {
            reason += " ('" + e.name + "' is IRQ " + r.id + " now)";
            break;
        }
    return reason;
}
}  // namespace

restore_report undo_interrupted_batch(const std::vector<saved_affinity>& entries, affinity_port& port,
                                      const core::snapshot& now) {
    restore_report report;
    report.ran = true;
    for (const auto& e : entries) {
        std::string reason;
        if (auto m = mismatch(e, now)) reason = *m;
        else if (auto ec = port.write(e.irq, e.cpus)) reason = explain_write_error(e.irq, ec).message;
        if (reason.empty()) {
            ++report.applied;
            continue;
        }
        log(log_level::warn, "interrupted_batch_skipped", {{"irq", std::to_string(e.irq)}, {"reason", reason}});
        report.skipped.push_back({e.irq, e.name, std::move(reason)});
    }
    log(log_level::warn, "interrupted_batch_undone",
        {{"irqs", std::to_string(entries.size())}, {"put_back", std::to_string(report.applied)},
         {"skipped", std::to_string(report.skipped.size())}});
    return report;
}

restore_report restore_affinities(const std::vector<saved_affinity>& entries, affinity_writer& writer,
                                  const core::snapshot& now, const core::cpu_set& online) {
    restore_report report;
    report.ran = true;
    auto skip = [&](const saved_affinity& e, std::string reason) {
        log(log_level::warn, "restore_skipped", {{"irq", std::to_string(e.irq)}, {"name", e.name}, {"reason", reason}});
        report.skipped.push_back({e.irq, e.name, std::move(reason)});
    };
    for (const auto& e : entries) {
        if (auto m = mismatch(e, now)) {
            skip(e, std::move(*m));
            continue;
        }
        auto r = writer.set({e.irq, e.cpus}, online);
        if (auto* err = std::get_if<affinity_error>(&r)) {
            skip(e, err->code + ": " + err->message);
            continue;
        }
        ++report.applied;
    }
    log(log_level::info, "restored",
        {{"applied", std::to_string(report.applied)}, {"skipped", std::to_string(report.skipped.size())}});
    return report;
}

state_store::state_store(fs::path path) : path_(std::move(path)) {
    std::error_code ec;
    // Leftovers of a write that never reached its rename: the state is PATH, never these.
    auto prefix = path_.filename().string() + ".tmp-";
    auto dir = path_.parent_path().empty() ? fs::path(".") : path_.parent_path();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename().string().starts_with(prefix)) {
            std::error_code rm;
            fs::remove(it->path(), rm);
            log(log_level::info, "state_tmp_removed", {{"file", it->path().string()}});
        }

    // A batch's journal left behind: irqd stopped (was killed) while writing that batch.
    if (std::string text; fs::exists(fs::symlink_status(batch_path(), ec))) {
        auto rec = read_file(batch_path(), text, state_size_limit);
        auto parsed = rec ? core::result<std::vector<saved_affinity>>(core::error{rec.message()}) : parse_state(text);
        if (parsed) interrupted_ = std::move(*parsed);
        log(parsed ? log_level::warn : log_level::error, "interrupted_batch_found",
            {{"file", batch_path().string()},
             {"irqs", std::to_string(interrupted_.size())},
             {"problem", parsed ? std::string("none") : parsed.error_message()}});
    }

    if (!fs::exists(fs::symlink_status(path_, ec))) {
        log(log_level::info, "state_loaded", {{"file", path_.string()}, {"entries", "0"}, {"note", "no state file yet"}});
        return;
    }
    std::string text;
    std::string problem;
    if (auto rec = read_file(path_, text, state_size_limit)) problem = "cannot read it: " + rec.message();
    else if (auto parsed = parse_state(text)) entries_ = std::move(*parsed);
    else problem = parsed.error_message();
    if (problem.empty()) {
        log(log_level::info, "state_loaded", {{"file", path_.string()}, {"entries", std::to_string(entries_.size())}});
        return;
    }
    fs::path bad = path_;
    bad += ".bad";
    if (fs::exists(fs::symlink_status(bad, ec))) {   // keep an earlier bad file too
        bad += "-" + std::to_string(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
    }
    std::error_code mv;
    fs::rename(path_, bad, mv);
    load_problem_ = problem;
    if (mv) {
        writable_ = false;
        load_problem_ += "; it could not be moved aside (" + mv.message() + "), so affinities are not saved";
        log(log_level::error, "state_unusable", {{"file", path_.string()}, {"reason", problem}, {"rename", mv.message()}});
        return;
    }
    set_aside_ = bad.string();
    log(log_level::error, "state_set_aside", {{"file", path_.string()}, {"reason", problem}, {"kept_as", set_aside_}});
}

void state_store::record(const std::vector<affinity_outcome>& outcomes,
                         const std::function<std::string(unsigned)>& name_of, core::clock_time now) {
    bool changed = false;
    for (const auto& o : outcomes) {
        std::string name = name_of ? name_of(o.irq) : std::string();
        auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.irq == o.irq; });
        if (it == entries_.end()) {
            entries_.push_back({o.irq, std::move(name), o.requested, now});
            changed = true;
        } else if (!(it->cpus == o.requested) || it->name != name) {
            *it = {o.irq, std::move(name), o.requested, now};
            changed = true;
        }
    }
    // A failed earlier write is retried with the next change, whatever it is.
    if (changed || !last_error_.empty()) save();
}

void state_store::save() {
    if (!writable_) return;
    std::sort(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) { return a.irq < b.irq; });
    if (auto ec = write_file_atomic(path_, render_state(entries_), 0600)) {
        ++write_failures_;
        last_error_ = "cannot write " + path_.string() + ": " + ec.message() + " (the previous file is kept)";
        log(log_level::error, "state_write_failed", {{"file", path_.string()}, {"error", ec.message()}});
        return;
    }
    ++writes_;
    last_error_.clear();
}

fs::path state_store::batch_path() const {
    auto p = path_;
    p += ".batch";
    return p;
}

void state_store::begin_batch(const std::vector<affinity_change>& previous,
                              const std::function<std::string(unsigned)>& name_of, core::clock_time now) {
    if (!writable_) return;
    std::vector<saved_affinity> entries;
    entries.reserve(previous.size());
    for (const auto& c : previous) entries.push_back({c.irq, name_of ? name_of(c.irq) : std::string(), c.cpus, now});
    // Without it a crash mid-batch is not undone at restart; the batch itself still goes ahead.
    if (auto ec = write_file_atomic(batch_path(), render_state(entries), 0600))
        log(log_level::error, "batch_journal_write_failed", {{"file", batch_path().string()}, {"error", ec.message()}});
}

void state_store::end_batch() {
    std::error_code ec;
    fs::remove(batch_path(), ec);
    interrupted_.clear();
}

json::object state_store::health_json() const {
    json::object o{{"path", path_.string()},
                   {"entries", entries_.size()},
                   {"writes", writes_},
                   {"write_failures", write_failures_},
                   {"saving", writable_}};
    if (!last_error_.empty()) o["last_error"] = last_error_;
    if (!load_problem_.empty()) o["load_error"] = load_problem_;
    if (!set_aside_.empty()) o["set_aside"] = set_aside_;
    return o;
}

json::object restore_json(const restore_report& r) {
    json::array skipped;
    for (const auto& s : r.skipped)
        skipped.push_back(json::object{{"irq", std::to_string(s.irq)}, {"name", s.name}, {"reason", s.reason}});
    return json::object{{"ran", r.ran}, {"applied", r.applied}, {"skipped", std::move(skipped)}};
}

void add_state_health(json::object& health, const state_store* state, const restore_report& restored,
                      const restore_report& undone) {
    health["state"] = state ? json::value(state->health_json()) : json::value(nullptr);
    health["restore"] = restore_json(restored);
    health["interrupted_batch"] = undone.ran ? json::value(restore_json(undone)) : json::value(nullptr);
}

}  // namespace irqd::service
