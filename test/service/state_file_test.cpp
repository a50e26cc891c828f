// Unit tests of the state file's text (render and parse, what counts as corrupt) and of what the store
// does with files that are not regular or not readable (in a temporary directory), without a daemon.
#define BOOST_TEST_MODULE state_file
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "irqd/service/state_file.hpp"
#include "temp_files.hpp"

using namespace irqd;
using namespace irqd::service;

BOOST_AUTO_TEST_CASE(render_and_parse_round_trip) {
    auto t = *core::parse_time("2026-12-02T13:00:00Z");
    std::vector<saved_affinity> in{{30, "eth0-TxRx-0", *core::parse_cpu_list("1,3-4"), t}, {31, "", *core::parse_cpu_list("0"), t}};
    auto text = render_state(in);
    BOOST_TEST(text.back() == '\n');
    auto out = parse_state(text);
    BOOST_REQUIRE(out.has_value());
    BOOST_REQUIRE(out->size() == 2u);
    BOOST_TEST((*out)[0].irq == 30u);
    BOOST_TEST((*out)[0].name == "eth0-TxRx-0");
    BOOST_TEST((*out)[0].cpus.to_list() == "1,3-4");
    BOOST_TEST(core::format_rfc3339((*out)[0].time) == "2026-12-02T13:00:00Z");
    BOOST_TEST((*out)[1].name.empty());
}

BOOST_AUTO_TEST_CASE(what_is_corrupt) {
    for (std::string bad : {"", "{", "[]", R"({"irqs":[]})", R"({"version":2,"irqs":[]})", R"({"version":1})",
                            R"({"version":1,"irqs":[{"irq":-1,"name":"x","cpus":"0"}]})",
                            R"({"version":1,"irqs":[{"irq":30,"name":"x","cpus":""}]})",
                            R"({"version":1,"irqs":[{"irq":30,"name":"x","cpus":"0-"}]})",
                            R"({"version":1,"irqs":[{"irq":30,"cpus":"0"}]})", R"({"version":1,"irqs":[7]})"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!parse_state(bad).has_value()); }
    }
    // An entry without a time is still an entry.
    BOOST_TEST(parse_state(R"({"version":1,"irqs":[{"irq":30,"name":"x","cpus":"0"}]})").has_value());
}

using irqd::test::read_text;
using irqd::test::temp_dir;
using irqd::test::write;
namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(only_a_regular_file_or_nothing_is_a_state_file) {
    temp_dir d;
    BOOST_TEST(!state_store::refuse(d.path / "absent.json"));
    write(d.path / "plain.json", "{}");
    BOOST_TEST(!state_store::refuse(d.path / "plain.json"));
    BOOST_REQUIRE(::mkfifo((d.path / "fifo").c_str(), 0600) == 0);
    fs::create_symlink(d.path / "plain.json", d.path / "link");
    fs::create_directory(d.path / "dir");
    auto why = [&](const char* name) { return state_store::refuse(d.path / name).value_or("accepted"); };
    BOOST_TEST(why("fifo").find("is a FIFO") != std::string::npos);
    BOOST_TEST(why("link").find("is a symbolic link") != std::string::npos);
    BOOST_TEST(why("dir").find("is a directory") != std::string::npos);
    // The journal beside a good file counts too.
    BOOST_REQUIRE(::mkfifo((d.path / "plain.json.batch").c_str(), 0600) == 0);
    BOOST_TEST(why("plain.json").find("batch journal") != std::string::npos);
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("character device case skipped: mknod needs root");
        return;
    }
    // A node with /dev/null's numbers, made here: the real one is never touched.
    BOOST_REQUIRE(::mknod((d.path / "null").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0);
    BOOST_TEST(why("null").find("is a character device") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_fifo_or_a_symlink_is_neither_read_nor_renamed) {
    temp_dir d;
    auto fifo = d.path / "state.json";
    BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    state_store s(fifo);   // no writer on the FIFO: a blocking open would hang here
    BOOST_TEST(fs::is_fifo(fifo));
    BOOST_TEST(!fs::exists(d.path / "state.json.bad"));
    auto h = s.health_json();
    BOOST_TEST(!h.at("saving").as_bool());
    // A symlink to a good file is not followed, and the target stays as it was.
    temp_dir e;
    write(e.path / "target", R"({"version":1,"irqs":[]})");
    fs::create_symlink(e.path / "target", e.path / "state.json");
    state_store l(e.path / "state.json");
    BOOST_TEST(fs::is_symlink(e.path / "state.json"));
    BOOST_TEST(read_text(e.path / "target") == R"({"version":1,"irqs":[]})");
    BOOST_TEST(!l.health_json().at("saving").as_bool());
}

BOOST_AUTO_TEST_CASE(every_corrupt_file_is_kept_under_its_own_name) {
    temp_dir d;
    auto path = d.path / "state.json";
    for (int i = 0; i < 3; ++i) {   // within one second, as a crash loop would
        write(path, "corrupt " + std::to_string(i));
        state_store s(path);
        BOOST_TEST(s.entries().empty());
    }
    BOOST_TEST(read_text(d.path / "state.json.bad") == "corrupt 0");
    BOOST_TEST(read_text(d.path / "state.json.bad.1") == "corrupt 1");
    BOOST_TEST(read_text(d.path / "state.json.bad.2") == "corrupt 2");
}

BOOST_AUTO_TEST_CASE(a_corrupt_journal_is_set_aside_and_reported) {
    temp_dir d;
    auto path = d.path / "state.json";
    write(d.path / "state.json.batch", R"({"version":1,"irqs":[{"irq":3)");
    state_store s(path);
    BOOST_TEST(s.degraded());
    BOOST_TEST(s.interrupted().empty());
    BOOST_TEST(!fs::exists(d.path / "state.json.batch"));
    BOOST_TEST(read_text(d.path / "state.json.batch.bad") == R"({"version":1,"irqs":[{"irq":3)");
    auto h = s.health_json();
    BOOST_TEST(std::string(h.at("journal_error").as_string()).find("not JSON") != std::string::npos);
    BOOST_TEST(h.at("journal_set_aside").as_string() == (d.path / "state.json.batch.bad").string());
}

BOOST_AUTO_TEST_CASE(entries_of_irqs_absent_for_long_are_pruned) {
    temp_dir d;
    auto path = d.path / "state.json";
    auto now = *core::parse_time("2026-12-02T00:00:00Z");
    auto old = *core::parse_time("2026-10-01T00:00:00Z");
    auto recent = *core::parse_time("2026-11-30T00:00:00Z");
    auto one = *core::parse_cpu_list("1");
    write(path, render_state({{30, "eth0-TxRx-0", one, old},        // present: kept, however old
                              {31, "eth0-TxRx-1", one, old, old},   // absent since long: pruned
                              {32, "eth0-TxRx-2", one, recent, old},   // absent, but chosen lately
                              {33, "gone", one, old, recent},       // absent, but seen lately
                              {34, "older", one, old}}));           // never seen: counted from now
    auto table = core::parse_interrupts("           CPU0       CPU1\n"
                                        " 30:          1          2   PCI-MSI 1-edge      eth0-TxRx-0\n");
    state_store s(path);
    BOOST_TEST(s.prune(table, now, std::chrono::hours(24 * 30)) == 1u);
    BOOST_REQUIRE(s.entries().size() == 4u);
    BOOST_TEST(s.entries()[0].irq == 30u);
    BOOST_TEST(core::format_rfc3339(s.entries()[0].seen) == "2026-12-02T00:00:00Z");
    auto saved = parse_state(read_text(path));
    BOOST_REQUIRE(saved.has_value());
    BOOST_TEST(saved->size() == 4u);
    BOOST_TEST(core::format_rfc3339(saved->back().seen) == "2026-12-02T00:00:00Z");   // 34, seen from now on
    BOOST_TEST(s.health_json().at("pruned").to_number<int>() == 1);
    // 0 keeps everything.
    BOOST_TEST(s.prune(core::snapshot{}, now + std::chrono::hours(24 * 400), std::chrono::seconds(0)) == 0u);
}

BOOST_AUTO_TEST_CASE(health_lists_the_first_skips_and_counts_all) {
    restore_report r;
    r.ran = true;
    for (unsigned i = 0; i < 200000; ++i) r.add_skip("restore_skipped", {i, "x", "IRQ is not in /proc/interrupts"});
    auto j = restore_json(r);
    BOOST_TEST(j.at("skipped_count").to_number<int>() == 200000);
    BOOST_TEST(j.at("skipped").as_array().size() == restore_report::listed_skips);
    BOOST_TEST(j.at("skipped").as_array()[0].at("irq").as_string() == "0");
}
