// A window summed a slice at a time: the one-piece query's answer on random data, over one layout or
// several, a restart when a sample drops a frame still to be read, and one piece after two restarts.
#define BOOST_TEST_MODULE sliced_window_sum
#include <boost/test/unit_test.hpp>

#include <random>

#include "irqd/core/sliced_window_sum.hpp"
#include "window_checks.hpp"

using namespace irqd::core;
using irqd::test::big;
using irqd::test::same_window;
using namespace std::chrono_literals;

namespace {

using counts = std::vector<std::uint64_t>;

// A multiple of every resolution used here, so buckets start at t0.
const clock_time t0 = clock_time{} + 1'790'000'040s;
clock_time at(std::chrono::milliseconds offset) { return t0 + offset; }

std::vector<tier_config> tiers_of(std::string_view text) {
    auto t = parse_tiers(text);
    BOOST_TEST_REQUIRE(t.has_value());
    return *t;
}

layout_ptr rows_by_cpus(int rows, std::vector<unsigned> cpus) {
    layout l;
    for (int r = 0; r < rows; ++r) l.row_ids.push_back(std::to_string(r));
    l.cpus = std::move(cpus);
    return std::make_shared<const layout>(std::move(l));
}

// Frame k covers (t0 + k s, t0 + k+1 s].
void add_frame(history& h, int k, const layout_ptr& shape, std::uint64_t value) {
    h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, big(counts(shape->row_ids.size() * shape->cpus.size(), value))});
}

// step() until done; `between` runs after each step that is not the last.
window_counts stepped(sliced_window_sum& sum, std::size_t cells, const std::function<void()>& between = [] {}) {
    for (int steps = 0; !sum.step(cells); ++steps) {
        BOOST_TEST_REQUIRE(steps < 100000);
        between();
    }
    return sum.take();
}

}  // namespace

BOOST_AUTO_TEST_CASE(in_slices_or_at_once_the_sum_is_the_one_piece_query) {
    history h(tiers_of("1s:20s,5s:1m,1m:10m"));
    const auto shape = rows_by_cpus(5, {0, 1, 3});
    std::mt19937_64 rng(16);
    for (int k = 0; k < 200; ++k) {
        counts c(15);
        for (auto& v : c) v = rng() % 1000;
        if (k % 37 == 0) c[rng() % c.size()] = 5'000'000'000;   // kept whole beside the 32-bit counts
        h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, big(c)});
    }
    sliced_sum_counters counters;
    for (int i = 0; i < 200; ++i) {
        const auto from = at(std::chrono::seconds(static_cast<long>(rng() % 210)));
        const auto to = from + std::chrono::seconds(static_cast<long>(rng() % 80)) - 3s;
        const std::size_t cells = std::size_t{1} << (rng() % 12);
        BOOST_TEST_CONTEXT("window " << i << ", " << cells << " cells a step") {
            const auto whole = h.query(from, to);
            sliced_window_sum sliced(h, from, to, &counters);
            same_window(stepped(sliced, cells), whole);
            sliced_window_sum at_once(h, from, to, &counters);
            at_once.finish();
            same_window(at_once.take(), whole);
        }
    }
    BOOST_TEST(counters.restarts == 0u);
    BOOST_TEST(counters.one_piece == 0u);
}

namespace {

// A history of frames 0..9 (one a second, 7 rows x 3 CPUs, 1 in every cell) that keeps ten: the next
// sample drops frame 0. A sum over all ten reads the oldest frame first, a row a step of 3 cells.
struct ten_frames {
    history h{tiers_of("1s:10s")};
    layout_ptr shape = rows_by_cpus(7, {0, 1, 2});
    int next = 0;
    sliced_sum_counters counters;

    ten_frames() {
        while (next < 10) sample(1);
    }
    void sample(std::uint64_t value) { add_frame(h, next++, shape, value); }
    // As the API does: a window ending now moves to the newest sample when the sum starts again.
    void ending_now(sliced_window_sum& sum) {
        sum.on_restart = [this](clock_time& from, clock_time& to) {
            from = h.newest() - 10s;
            to = h.newest();
        };
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_sample_that_drops_a_frame_still_to_be_read_starts_the_sum_again, ten_frames) {
    sliced_window_sum sum(h, at(0s), at(10s), &counters);
    ending_now(sum);
    BOOST_TEST(!sum.step(3));
    sample(2);
    auto got = stepped(sum, 3);
    BOOST_TEST(sum.restarts() == 1);
    BOOST_TEST(counters.restarts == 1u);
    BOOST_TEST(counters.one_piece == 0u);
    BOOST_TEST(sum.from() == at(1s));
    BOOST_TEST(sum.to() == at(11s));
    same_window(got, h.query(at(1s), at(11s)));
    BOOST_TEST(got.counts[0] == 9u + 2u);   // frames 1..9 and the new frame 10

    // Without on_restart the window stays: it starts again over what is left of it.
    sliced_window_sum stays(h, at(1s), at(11s), &counters);
    BOOST_TEST(!stays.step(3));
    sample(2);
    same_window(stepped(stays, 3), h.query(at(1s), at(11s)));
    BOOST_TEST(stays.restarts() == 1);
    BOOST_TEST(counters.restarts == 2u);
}

BOOST_FIXTURE_TEST_CASE(after_two_restarts_the_rest_is_summed_in_one_piece, ten_frames) {
    sliced_window_sum sum(h, at(0s), at(10s), &counters);
    ending_now(sum);
    // A sample after every step drops the oldest frame, which every new plan reads first.
    auto got = stepped(sum, 3, [&] { sample(3); });
    BOOST_TEST(sum.restarts() == sliced_window_sum::max_restarts + 1);
    BOOST_TEST(counters.restarts == 3u);
    BOOST_TEST(counters.one_piece == 1u);
    same_window(got, h.query(h.newest() - 10s, h.newest()));
    BOOST_TEST(got.frames == 10u);
}

namespace {

// Two sums over several layouts: the union is made afresh by each, so equal layouts, not one pointer.
void same_union_window(window_counts got, const window_counts& whole) {
    BOOST_TEST_REQUIRE((got.shape && whole.shape));
    BOOST_TEST((*got.shape == *whole.shape));
    got.shape = whole.shape;
    same_window(got, whole);
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_window_over_two_layouts_is_summed_in_slices) {
    history h(tiers_of("1s:1m"));
    for (int k = 0; k < 5; ++k) add_frame(h, k, rows_by_cpus(2, {0}), 1);
    for (int k = 5; k < 8; ++k) add_frame(h, k, rows_by_cpus(3, {0}), 1);   // a row appears
    sliced_sum_counters counters;
    sliced_window_sum sum(h, at(0s), at(8s), &counters);
    BOOST_TEST(sum.work() == 3u * 8u);   // the union's cells times the frames
    int steps = 1;
    while (!sum.step(1)) ++steps;
    BOOST_TEST(steps == 2 + 3);   // a row a step of a chunk of frames that never spans the change
    const auto whole = h.query(at(0s), at(8s));
    same_union_window(sum.take(), whole);
    BOOST_TEST(whole.counts == (counts{8, 8, 3}));
    BOOST_TEST(counters.restarts == 0u);
    BOOST_TEST(counters.one_piece == 0u);
}

BOOST_AUTO_TEST_CASE(windows_over_random_layouts_in_random_slices_are_the_one_piece_query) {
    history h(tiers_of("1s:20s,5s:1m,1m:10m"));
    std::mt19937_64 rng(1616);
    // Layouts that come and go, and come back: rows and CPUs drawn from a few of each.
    std::vector<layout_ptr> shapes;
    for (int i = 0; i < 6; ++i) {
        layout l;
        for (int r = 0; r < 6; ++r)
            if (rng() % 3 != 0) l.row_ids.push_back("irq" + std::to_string(r));
        for (unsigned c = 0; c < 5; ++c)
            if (c == 0 || rng() % 3 != 0) l.cpus.push_back(c);
        shapes.push_back(std::make_shared<const layout>(std::move(l)));
    }
    layout_ptr shape = shapes[0];
    for (int k = 0; k < 200; ++k) {
        if (rng() % 6 == 0) shape = shapes[rng() % shapes.size()];
        counts c(shape->row_ids.size() * shape->cpus.size());
        for (auto& v : c) v = rng() % 1000;
        if (k % 23 == 0 && !c.empty()) c[rng() % c.size()] = 5'000'000'000;   // kept whole beside the 32-bit counts
        h.add(at(k * 1s), at((k + 1) * 1s), delta_frame{shape, big(c)});
    }
    sliced_sum_counters counters;
    int mixed = 0;
    for (int i = 0; i < 300; ++i) {
        const auto from = at(std::chrono::seconds(static_cast<long>(rng() % 210)));
        const auto to = from + std::chrono::seconds(static_cast<long>(rng() % 120)) - 3s;
        const std::size_t cells = std::size_t{1} << (rng() % 10);
        BOOST_TEST_CONTEXT("window " << i << ", " << cells << " cells a step") {
            const auto whole = h.query(from, to);
            sliced_window_sum sliced(h, from, to, &counters);
            int steps = 1;
            while (!sliced.step(cells)) ++steps;
            if (whole.shape && whole.frames > 1 && !h.plan_query(from, to).by_rows) {
                ++mixed;
                if (cells == 1) BOOST_TEST(steps > 1);
            }
            same_union_window(sliced.take(), whole);
        }
    }
    BOOST_TEST(mixed > 100);
    BOOST_TEST(counters.restarts == 0u);
    BOOST_TEST(counters.one_piece == 0u);
}

BOOST_AUTO_TEST_CASE(a_window_over_two_layouts_follows_samples_and_starts_again_when_one_drops_a_frame_it_needs) {
    history h(tiers_of("1s:10s"));
    const auto two = rows_by_cpus(2, {0, 1}), three = rows_by_cpus(3, {1, 2});
    int next = 0;
    const auto sample = [&] { add_frame(h, next, next % 4 < 2 ? two : three, next + 1); ++next; };
    while (next < 10) sample();
    sliced_sum_counters counters;
    // Frames 2..7, closed: a sample drops frame 0, not one the sum needs.
    const auto whole = h.query(at(2s), at(8s));
    sliced_window_sum kept(h, at(2s), at(8s), &counters);
    BOOST_TEST(!kept.step(1));
    sample();
    same_union_window([&] { while (!kept.step(1)) {} return kept.take(); }(), whole);
    BOOST_TEST(kept.restarts() == 0);
    // Frames 1..9: the next sample drops frame 1, read first, so the sum starts again on 2..9.
    sliced_window_sum again(h, at(1s), at(10s), &counters);
    BOOST_TEST(!again.step(1));   // the first of frame 1's two rows
    sample();
    same_union_window([&] { while (!again.step(1)) {} return again.take(); }(), h.query(at(1s), at(10s)));
    BOOST_TEST(again.restarts() == 1);
    BOOST_TEST(counters.restarts == 1u);
    BOOST_TEST(counters.one_piece == 0u);
}
