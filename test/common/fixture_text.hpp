// Test helper: the whole text of a file under test/fixtures, failing the test when it cannot be read.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

#include <boost/test/unit_test.hpp>

namespace irqd::test {

inline std::string fixture_text(const std::string& relative) {
    std::ifstream in(IRQD_FIXTURES "/" + relative, std::ios::binary);
    BOOST_TEST_REQUIRE(in.good(), "cannot open " << relative);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace irqd::test
