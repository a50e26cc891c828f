// The state file: load (setting a bad one aside), record chosen affinities, save atomically, restore.
#include "irqd/service/state_file.hpp"

#include <algorithm>
#include <variant>

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
    json::object o{{"irq", a.irq}, {"name", a.name}, {"cpus", a.cpus.to_list()}, {"time", core::format_rfc3339(a.time)}};
    if (a.seen != core::clock_time{}) o["seen"] = core::format_rfc3339(a.seen);
    v = std::move(o);
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
    if (const auto* seen = o->if_contains("seen"); seen && seen->is_string())
        if (auto t = core::parse_time(std::string_view(seen->as_string()))) a.seen = *t;
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
        report.add_skip("interrupted_batch_skipped", {e.irq, e.name, std::move(reason)});
    }
    log(log_level::warn, "interrupted_batch_undone",
        {{"irqs", std::to_string(entries.size())}, {"put_back", std::to_string(report.applied)},
         {"skipped", std::to_string(report.skipped_count)}});
    return report;
}

void restore_report::add_skip(const char* event, skip s) {
    if (++skipped_count > listed_skips) return;
    log(log_level::warn, event, {{"irq", std::to_string(s.irq)}, {"name", s.name}, {"reason", s.reason}});
    if (skipped_count == listed_skips) log(log_level::warn, event, {{"note", "further skips are only counted"}});
    skipped.push_back(std::move(s));
}

restore_report restore_affinities(const std::vector<saved_affinity>& entries, affinity_writer& writer,
                                  const core::snapshot& now, const core::cpu_set& online) {
    restore_report report;
    report.ran = true;
    auto skip = [&](const saved_affinity& e, std::string reason) {
        report.add_skip("restore_skipped", {e.irq, e.name, std::move(reason)});
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
        {{"applied", std::to_string(report.applied)}, {"skipped", std::to_string(report.skipped_count)}});
    return report;
}

namespace {
// Moves a file that is not the state (any more) to PATH.bad, or PATH.bad.1, .2, ... when that is taken,
// so every one is kept. Only a regular file: a device, FIFO or directory is never renamed.
std::variant<fs::path, std::string> set_aside(const fs::path& path) {
    if (auto why = not_a_regular_file(path)) return path.string() + " " + *why + ", so it is left where it is";
    std::error_code ec;
    for (unsigned n = 0; n < 1000; ++n) {
        fs::path bad = path;
        bad += n == 0 ? std::string(".bad") : ".bad." + std::to_string(n);
        if (fs::exists(fs::symlink_status(bad, ec))) continue;
        fs::rename(path, bad, ec);
        if (ec) return ec.message();
        return bad;
    }
    return std::string("1000 earlier .bad files are in the way");
}

std::optional<std::string> refuse_file(const char* what, const fs::path& path) {
    if (auto why = not_a_regular_file(path))
        return std::string(what) + " " + path.string() + " " + *why + "; irqd keeps its state only in a regular file";
    return std::nullopt;
}
}  // namespace

std::optional<std::string> state_store::refuse(const fs::path& path) {
    fs::path batch = path;
    batch += ".batch";
    if (auto r = refuse_file("--state-file", path)) return r;
    return refuse_file("the batch journal", batch);
}

state_store::state_store(fs::path path) : path_(std::move(path)) {
    std::error_code ec;
    // Leftovers of a write that never reached its rename: the state is PATH, never these.
    auto prefix = path_.filename().string() + ".tmp-";
    auto dir = path_.parent_path().empty() ? fs::path(".") : path_.parent_path();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().filename().string().starts_with(prefix) && !not_a_regular_file(it->path())) {
            std::error_code rm;
            fs::remove(it->path(), rm);
            log(log_level::info, "state_tmp_removed", {{"file", it->path().string()}});
        }

    // A batch's journal left behind: irqd stopped (was killed) while writing that batch.
    if (std::string text; fs::exists(fs::symlink_status(batch_path(), ec))) {
        auto rec = read_regular_file(batch_path(), text, state_size_limit);
        auto parsed = rec ? core::result<std::vector<saved_affinity>>(core::error{rec.message()}) : parse_state(text);
        if (parsed) {
            interrupted_ = std::move(*parsed);
            log(log_level::warn, "interrupted_batch_found",
                {{"file", batch_path().string()}, {"irqs", std::to_string(interrupted_.size())}});
        } else {
            // Nothing to undo from it, and the batch it was for may be half written: say so in health
            // until a restart, and keep the file for a human to read.
            journal_problem_ = batch_path().string() + " (a batch cut short) cannot be used: " + parsed.error_message() +
                               "; some IRQs may hold a half-applied batch";
            auto moved = set_aside(batch_path());
            if (auto* to = std::get_if<fs::path>(&moved)) journal_set_aside_ = to->string();
            else journal_problem_ += "; " + std::get<std::string>(moved);
            log(log_level::error, "interrupted_batch_unusable",
                {{"file", batch_path().string()}, {"reason", parsed.error_message()},
                 {"kept_as", journal_set_aside_.empty() ? "not moved" : journal_set_aside_}});
        }
    }

    if (!fs::exists(fs::symlink_status(path_, ec))) {
        log(log_level::info, "state_loaded", {{"file", path_.string()}, {"entries", "0"}, {"note", "no state file yet"}});
        return;
    }
    std::string text;
    std::string problem;
    if (auto rec = read_regular_file(path_, text, state_size_limit)) problem = "cannot read it: " + rec.message();
    else if (auto parsed = parse_state(text)) entries_ = std::move(*parsed);
    else problem = parsed.error_message();
    if (problem.empty()) {
        log(log_level::info, "state_loaded", {{"file", path_.string()}, {"entries", std::to_string(entries_.size())}});
        return;
    }
    load_problem_ = problem;
    auto moved = set_aside(path_);
    if (auto* why = std::get_if<std::string>(&moved)) {
        writable_ = false;
        load_problem_ += "; it could not be moved aside (" + *why + "), so affinities are not saved";
        log(log_level::error, "state_unusable", {{"file", path_.string()}, {"reason", problem}, {"rename", *why}});
        return;
    }
    set_aside_ = std::get<fs::path>(moved).string();
    log(log_level::error, "state_set_aside", {{"file", path_.string()}, {"reason", problem}, {"kept_as", set_aside_}});
}

std::size_t state_store::prune(const core::snapshot& now, core::clock_time t, std::chrono::seconds absent_for) {
    std::size_t before = entries_.size();
    std::erase_if(entries_, [&](saved_affinity& e) {
        if (!mismatch(e, now) || e.seen == core::clock_time{}) {
            // Present; or from a file without seen times: absence is counted from this start.
            e.seen = t;
            return false;
        }
        return absent_for.count() > 0 && t - std::max(e.seen, e.time) > absent_for;
    });
    std::size_t gone = before - entries_.size();
    if (gone > 0)
        log(log_level::info, "state_pruned", {{"entries", std::to_string(gone)}, {"absent_for", core::format_duration(absent_for)}});
    pruned_ += gone;
    if (gone > 0) save();   // else the seen times go with the next write: a start alone writes nothing
    return gone;
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
    // Something put in its place since the start is never replaced (a rename would move a device).
    auto refused = refuse_file("--state-file", path_);
    std::string problem = refused ? *refused : std::string();
    if (!refused)
        if (auto ec = write_file_atomic(path_, render_state(entries_), 0600))
            problem = "cannot write " + path_.string() + ": " + ec.message();
    if (!problem.empty()) {
        ++write_failures_;
        last_error_ = problem + " (the previous file is kept)";
        log(log_level::error, "state_write_failed", {{"file", path_.string()}, {"error", problem}});
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
    if (auto refused = refuse_file("the batch journal", batch_path()))
        log(log_level::error, "batch_journal_write_failed", {{"file", batch_path().string()}, {"error", *refused}});
    else if (auto ec = write_file_atomic(batch_path(), render_state(entries), 0600))
        log(log_level::error, "batch_journal_write_failed", {{"file", batch_path().string()}, {"error", ec.message()}});
}

void state_store::end_batch() {
    std::error_code ec;
    if (!not_a_regular_file(batch_path())) fs::remove(batch_path(), ec);
    interrupted_.clear();
}

json::object state_store::health_json() const {
    json::object o{{"path", path_.string()},
                   {"entries", entries_.size()},
                   {"writes", writes_},
                   {"write_failures", write_failures_},
                   {"saving", writable_},
                   {"pruned", pruned_}};
    if (!last_error_.empty()) o["last_error"] = last_error_;
    if (!load_problem_.empty()) o["load_error"] = load_problem_;
    if (!set_aside_.empty()) o["set_aside"] = set_aside_;
    if (!journal_problem_.empty()) o["journal_error"] = journal_problem_;
    if (!journal_set_aside_.empty()) o["journal_set_aside"] = journal_set_aside_;
    return o;
}

json::object restore_json(const restore_report& r) {
    json::array skipped;
    for (const auto& s : r.skipped)
        skipped.push_back(json::object{{"irq", std::to_string(s.irq)}, {"name", s.name}, {"reason", s.reason}});
    return json::object{{"ran", r.ran}, {"applied", r.applied}, {"skipped_count", r.skipped_count},
                        {"skipped", std::move(skipped)}};
}

void add_state_health(json::object& health, const state_store* state, const restore_report& restored,
                      const restore_report& undone) {
    health["state"] = state ? json::value(state->health_json()) : json::value(nullptr);
    if (state && state->degraded()) health["status"] = "degraded";
    health["restore"] = restore_json(restored);
    health["interrupted_batch"] = undone.ran ? json::value(restore_json(undone)) : json::value(nullptr);
}

void add_state_health_key(std::vector<std::uint64_t>& key, const state_store* state) {
    if (!state) return;
    const auto values = state->health_key_values();
    key.insert(key.end(), values.begin(), values.end());
}

}  // namespace irqd::service
