// window_sum adds a plan's chunks over changing layouts: rows and CPUs that come and go are summed
// by id and number, CPUs come out ascending, and completeness is the first chunk's.
#define BOOST_TEST_MODULE window_sum
#include <boost/test/unit_test.hpp>

#include "irqd/core/window_sum.hpp"

using namespace irqd::core;
using namespace std::chrono_literals;

namespace {

const clock_time t0 = clock_time{} + 1'790'000'040s;

window_counts chunk(std::vector<std::string> rows, std::vector<unsigned> cpus, std::vector<std::uint64_t> counts,
                    int from_s, int to_s, std::size_t frames, bool complete = true) {
    window_counts w;
    w.shape = std::make_shared<const layout>(layout{std::move(rows), std::move(cpus)});
    w.counts = std::move(counts);
    w.from = t0 + std::chrono::seconds(from_s);
    w.to = t0 + std::chrono::seconds(to_s);
    w.resolution = 1s;
    w.frames = frames;
    w.complete = complete;
    return w;
}

}  // namespace

BOOST_AUTO_TEST_CASE(chunks_over_changing_layouts_sum_by_id_and_cpu) {
    window_sum s;
    s.add(chunk({"1", "2"}, {2, 0}, {10, 1, 20, 2}, 0, 5, 5));
    s.add(chunk({"2", "3"}, {0, 1, 2}, {3, 4, 5, 6, 7, 8}, 5, 10, 5, false));
    BOOST_TEST(s.frames() == 10u);
    auto w = s.seal();
    BOOST_TEST(w.shape->row_ids == (std::vector<std::string>{"1", "2", "3"}), boost::test_tools::per_element());
    BOOST_TEST(w.shape->cpus == (std::vector<unsigned>{0, 1, 2}), boost::test_tools::per_element());
    // Row "1" on CPU 0, 1, 2; row "2" had 2 on CPU 0 and 20 on CPU 2, then 3, 4, 5; row "3" only the second.
    BOOST_TEST(w.counts == (std::vector<std::uint64_t>{1, 0, 10, 5, 4, 25, 6, 7, 8}), boost::test_tools::per_element());
    BOOST_TEST((w.from == t0));
    BOOST_TEST((w.to == t0 + 10s));
    BOOST_TEST(w.frames == 10u);
    BOOST_TEST(w.complete);                     // the first chunk reached back; the second's flag does not count
    BOOST_TEST(s.frames() == 0u);               // empty again after seal
}

BOOST_AUTO_TEST_CASE(an_empty_first_chunk_makes_the_sum_incomplete) {
    window_sum s;
    window_counts nothing;
    nothing.complete = true;
    s.add(nothing);
    s.add(chunk({"1"}, {0}, {7}, 3, 4, 1));
    auto w = s.seal();
    BOOST_TEST(!w.complete);
    BOOST_TEST((w.from == t0 + 3s));
    BOOST_TEST(w.counts == (std::vector<std::uint64_t>{7}), boost::test_tools::per_element());

    window_sum none;
    auto z = none.seal();
    BOOST_TEST(z.frames == 0u);
    BOOST_TEST(!z.complete);
    BOOST_TEST(z.shape->row_ids.empty());
}
