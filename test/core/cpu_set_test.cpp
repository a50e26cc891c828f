// Tests for cpu_set: set operations, the list and mask forms the kernel writes, round trips between
// them, and the messages bad text gets.
#define BOOST_TEST_MODULE cpu_set
#include <boost/test/unit_test.hpp>

#include <random>

#include "irqd/core/cpu_set.hpp"

using irqd::core::cpu_set;
using irqd::core::parse_cpu_list;
using irqd::core::parse_cpu_mask;

namespace {

std::string list_error(std::string_view text) {
    auto r = parse_cpu_list(text);
    BOOST_TEST_REQUIRE(!r.has_value());
    return r.error_message();
}

std::string mask_error(std::string_view text) {
    auto r = parse_cpu_mask(text);
    BOOST_TEST_REQUIRE(!r.has_value());
    return r.error_message();
}

}  // namespace

BOOST_AUTO_TEST_CASE(set_operations) {
    cpu_set a = cpu_set::of({0, 1, 2, 64, 200});
    const cpu_set b = cpu_set::range(2, 65);
    BOOST_TEST(a.size() == 5u);
    BOOST_TEST(a.contains(64));
    BOOST_TEST(!a.contains(63));
    BOOST_TEST(!a.contains(100000));
    BOOST_TEST(*a.first() == 0u);
    BOOST_TEST((a & b).to_list() == "2,64");
    BOOST_TEST((a | b).to_list() == "0-65,200");
    BOOST_TEST((a - b).to_list() == "0-1,200");
    a.remove(200);
    BOOST_TEST((a == cpu_set::of({0, 1, 2, 64})));   // removing the top CPU leaves no trailing zero word
    BOOST_TEST(cpu_set::range(3, 1).empty());
    BOOST_TEST(!cpu_set{}.first().has_value());
    cpu_set big;
    big.add(cpu_set::max_cpus);                      // beyond the kernel's limit: ignored
    BOOST_TEST(big.empty());
}

BOOST_AUTO_TEST_CASE(lists_as_the_kernel_writes_them) {
    BOOST_TEST(parse_cpu_list("0-3,8,10-11\n")->cpus() == (std::vector<unsigned>{0, 1, 2, 3, 8, 10, 11}));
    BOOST_TEST(parse_cpu_list("5")->to_list() == "5");
    BOOST_TEST(parse_cpu_list(" 1 , 2-3 \n")->to_list() == "1-3");
    BOOST_TEST(parse_cpu_list("3,1,2")->to_list() == "1-3");
    BOOST_TEST(parse_cpu_list("8191")->to_mask().size() == 8u + 255u * 9u);
    BOOST_TEST(cpu_set{}.to_list() == "");
}

BOOST_AUTO_TEST_CASE(masks_as_the_kernel_writes_them) {
    BOOST_TEST(cpu_set::of({0}).to_mask() == "1");
    BOOST_TEST(cpu_set::of({0, 32}).to_mask() == "1,00000001");
    BOOST_TEST(cpu_set::of({32}).to_mask() == "1,00000000");
    BOOST_TEST(cpu_set::range(0, 63).to_mask() == "ffffffff,ffffffff");
    BOOST_TEST(cpu_set::range(4, 7).to_mask() == "f0");
    BOOST_TEST(cpu_set{}.to_mask() == "0");

    BOOST_TEST(parse_cpu_mask("ffffffff,00000001\n")->to_list() == "0,32-63");
    BOOST_TEST(parse_cpu_mask("0x3")->to_list() == "0-1");
    BOOST_TEST(parse_cpu_mask("00000000,00000100")->to_list() == "8");
    BOOST_TEST(parse_cpu_mask("F0")->to_list() == "4-7");
    BOOST_TEST(parse_cpu_mask("0")->empty());
    BOOST_TEST(parse_cpu_mask("1,0,0")->to_list() == "64");   // short groups still count 32 bits each
}

BOOST_AUTO_TEST_CASE(list_errors_say_what_is_wrong) {
    BOOST_TEST(list_error("3-1") == "range 3-1 is reversed");
    BOOST_TEST(list_error("x") == "'x' is not a CPU number");
    BOOST_TEST(list_error("") == "empty CPU list");
    BOOST_TEST(list_error(" \n") == "empty CPU list");
    BOOST_TEST(list_error("1,,2") == "empty entry in CPU list '1,,2'");
    BOOST_TEST(list_error("1,") == "empty entry in CPU list '1,'");
    BOOST_TEST(list_error("8192") == "CPU 8192 is beyond the maximum of 8191");
    BOOST_TEST(list_error("0-99999999999999999999") == "CPU 99999999999999999999 is beyond the maximum of 8191");
    BOOST_TEST(list_error("0-15:2") == "stride form '0-15:2' is not supported");
    BOOST_TEST(list_error("1-") == "'' is not a CPU number");
    BOOST_TEST(list_error("+1") == "'+1' is not a CPU number");
}

BOOST_AUTO_TEST_CASE(mask_errors_say_what_is_wrong) {
    BOOST_TEST(mask_error("") == "empty CPU mask");
    BOOST_TEST(mask_error("0x") == "empty CPU mask");
    BOOST_TEST(mask_error("fg") == "'g' in CPU mask 'fg' is not a hex digit");
    BOOST_TEST(mask_error("1ffffffff") == "mask group '1ffffffff' has more than 8 hex digits");
    BOOST_TEST(mask_error("1,,2") == "empty group in CPU mask '1,,2'");
    // 257 groups: the top one is CPU 8192.
    std::string too_big = "1";
    for (int i = 0; i < 256; ++i) too_big += ",00000000";
    BOOST_TEST(mask_error(too_big) == "CPU mask: CPU 8192 is beyond the maximum of 8191");
    // Leading zero groups beyond the limit set nothing and are accepted.
    BOOST_TEST(parse_cpu_mask("0," + too_big.substr(2))->empty());
}

BOOST_AUTO_TEST_CASE(random_sets_round_trip_through_list_and_mask) {
    std::mt19937_64 rng(20240611);
    for (int round = 0; round < 500; ++round) {
        cpu_set s;
        const unsigned span = 1u + static_cast<unsigned>(rng() % (round % 5 == 0 ? cpu_set::max_cpus : 130));
        const unsigned count = static_cast<unsigned>(rng() % 40);
        for (unsigned i = 0; i < count; ++i) {
            const unsigned first = static_cast<unsigned>(rng() % span);
            const unsigned len = rng() % 3 == 0 ? static_cast<unsigned>(rng() % 9) : 0u;
            for (unsigned c = first; c <= first + len; ++c) s.add(c);
        }
        const std::string list = s.to_list();
        const std::string mask = s.to_mask();
        if (s.empty()) {
            BOOST_TEST(!parse_cpu_list(list).has_value());
        } else {
            BOOST_TEST((*parse_cpu_list(list) == s), "list " << list);
        }
        BOOST_TEST((*parse_cpu_mask(mask) == s), "mask " << mask);
        BOOST_TEST((*parse_cpu_mask("0x" + mask + "\n") == s));
        BOOST_TEST(s.cpus().size() == s.size());
    }
}
