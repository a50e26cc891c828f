// Unit tests of UTF-8 validation and repair: what IRQ names from the kernel become before irqd
// passes them on.
#define BOOST_TEST_MODULE utf8
#include <boost/test/unit_test.hpp>

#include "irqd/core/interrupts.hpp"
#include "irqd/core/utf8.hpp"

using namespace irqd::core;

namespace {
std::string repaired(std::string s) {
    replace_invalid_utf8(s);
    return s;
}
const std::string fffd = "\xEF\xBF\xBD";
}  // namespace

BOOST_AUTO_TEST_CASE(valid_text_is_left_alone) {
    for (std::string s : {"", "eth0-TxRx-0", "caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9F\x98\x80", "\x7F"})
        BOOST_TEST_CONTEXT(s) {
            BOOST_TEST(is_valid_utf8(s));
            BOOST_TEST(repaired(s) == s);
        }
}

BOOST_AUTO_TEST_CASE(each_invalid_byte_becomes_one_replacement_character) {
    BOOST_TEST(repaired("eth\xFF" "0") == "eth" + fffd + "0");
    BOOST_TEST(repaired("\x80") == fffd);                          // a stray continuation byte
    BOOST_TEST(repaired("a\xC3") == "a" + fffd);                   // cut short at the end
    BOOST_TEST(repaired("\xC0\xAF") == fffd + fffd);               // overlong '/'
    BOOST_TEST(repaired("\xED\xA0\x80") == fffd + fffd + fffd);    // a surrogate
    BOOST_TEST(repaired("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);   // above U+10FFFF
    BOOST_TEST(repaired("\xE2\x82" "x") == fffd + fffd + "x");
    BOOST_TEST(is_valid_utf8(repaired("\xFE\xFF\xC3\x28")));
}

BOOST_AUTO_TEST_CASE(parsed_names_are_valid_utf8) {
    auto s = parse_interrupts("           CPU0       CPU1\n"
                              " 30:          1          2   PCI-MSI 1-edge      eth\xFF-q\x80, caf\xC3\xA9\n");
    BOOST_REQUIRE(s.rows.size() == 1u);
    BOOST_TEST(s.rows[0].name == "eth" + fffd + "-q" + fffd + ", caf\xC3\xA9");
}
