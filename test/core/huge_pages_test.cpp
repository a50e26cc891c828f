// The huge-page allocator: blocks of 2 MiB or more are mapped aligned to 2 MiB and marked for
// transparent huge pages; smaller ones and everything a vector or string does with them still work.
#define BOOST_TEST_MODULE huge_pages
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>

#include "irqd/core/huge_pages.hpp"

using namespace irqd::core;

namespace {

// The VmFlags of the mapping that holds `p`, from /proc/self/smaps (read only).
std::string vm_flags_of(const void* p) {
    std::ifstream in("/proc/self/smaps");
    const auto addr = reinterpret_cast<std::uintptr_t>(p);
    bool inside = false;
    for (std::string line; std::getline(in, line);) {
        std::uintptr_t lo = 0, hi = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
            inside = lo <= addr && addr < hi;
        } else if (inside && line.rfind("VmFlags:", 0) == 0) {
            return line;
        }
    }
    return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_big_block_is_aligned_zeroed_and_whole) {
    const std::size_t bytes = 3 * huge_page_size + 5;   // a tail shorter than a huge page
    auto* p = static_cast<unsigned char*>(map_huge(bytes));
    BOOST_TEST_REQUIRE(p != nullptr);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(p) % huge_page_size == 0u);
    BOOST_TEST(std::accumulate(p, p + bytes, 0u) == 0u);
    for (std::size_t i = 0; i < bytes; i += 4096) p[i] = 1;
    p[bytes - 1] = 2;
    BOOST_TEST(p[bytes - 1] == 2);
    // Where the kernel has transparent huge pages, the mapping asks for them ("hg").
    if (std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled")) {
        const auto flags = vm_flags_of(p);
        BOOST_TEST_INFO(flags);
        BOOST_TEST(flags.find(" hg") != std::string::npos);
    }
    unmap_huge(p, bytes);
}

BOOST_AUTO_TEST_CASE(a_block_below_a_huge_page_takes_a_whole_one) {
    auto* p = static_cast<unsigned char*>(map_huge(huge_page_threshold));
    BOOST_TEST_REQUIRE(p != nullptr);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(p) % huge_page_size == 0u);
    p[huge_page_size - 1] = 1;   // the whole huge page is mapped
    BOOST_TEST(p[huge_page_size - 1] == 1);
    unmap_huge(p, huge_page_threshold);
}

BOOST_AUTO_TEST_CASE(a_vector_keeps_its_values_as_it_grows_past_a_huge_page_and_back) {
    big_vector<std::uint64_t> v;
    for (std::uint64_t i = 0; i < 1000; ++i) v.push_back(i);                  // operator new
    v.resize(huge_page_size / sizeof(std::uint64_t) * 3 + 7, 9);              // mapped
    BOOST_TEST(v[999] == 999u);
    BOOST_TEST(v[1000] == 9u);
    BOOST_TEST(v.back() == 9u);
    if (decltype(v)::allocator_type::mapped(v.capacity()))
        BOOST_TEST(reinterpret_cast<std::uintptr_t>(v.data()) % huge_page_size == 0u);
    v.resize(10);
    v.shrink_to_fit();                                                        // back to operator new
    BOOST_TEST(v.size() == 10u);
    BOOST_TEST(v[9] == 9u);
    big_vector<std::uint64_t> w = v;
    BOOST_TEST(w == v);
}

BOOST_AUTO_TEST_CASE(a_string_reads_like_any_other) {
    big_string s(huge_page_size + 100, 'x');
    s += "\nend";
    BOOST_TEST(s.size() == huge_page_size + 104);
    BOOST_TEST(std::string_view(s).substr(s.size() - 4) == "\nend");
    s.clear();
    s.shrink_to_fit();
    BOOST_TEST(s.empty());
}
