// The per-sample answer cache: keys that ignore the query's order, ETag matching as RFC 9110 says,
// the bounds on entries and bytes, and a new generation emptying it.
#define BOOST_TEST_MODULE answer_cache
#include <boost/test/unit_test.hpp>

#include "irqd/service/answer_cache.hpp"

using irqd::service::answer_cache;
using irqd::service::parse_target;

namespace {
std::string key_of(std::string_view target) { return answer_cache::key(*parse_target(target)); }
}  // namespace

BOOST_AUTO_TEST_CASE(keys_are_path_and_sorted_query) {
    BOOST_TEST(key_of("/api/v1/cpus?window=60s&cpus=1") == key_of("/api/v1/cpus?cpus=1&window=60s"));
    BOOST_TEST(key_of("/api/v1/cpus?window=1s&window=60s") == key_of("/api/v1/cpus?window=60s"));   // the last one counts
    BOOST_TEST(key_of("/api/v1/cpus?window=60s") != key_of("/api/v1/cpus?window=61s"));
    BOOST_TEST(key_of("/api/v1/cpus") != key_of("/api/v1/raw"));
    // A value holding what a separator would look like cannot pose as two parameters.
    BOOST_TEST(key_of("/x?a=1%0A1:b1:2") != key_of("/x?a=1&b=2"));
}

BOOST_AUTO_TEST_CASE(etags_match_lists_weak_tags_and_star) {
    auto tag = answer_cache::etag_of("{\"irqs\":[]}\n");
    BOOST_TEST(tag.size() == 18u);
    BOOST_TEST(tag == answer_cache::etag_of("{\"irqs\":[]}\n"));
    BOOST_TEST(tag != answer_cache::etag_of("{\"irqs\":[1]}\n"));
    BOOST_TEST(answer_cache::matches(tag, tag));
    BOOST_TEST(answer_cache::matches("\"a\", W/" + tag + " ,\"b\"", tag));
    BOOST_TEST(answer_cache::matches("*", tag));
    BOOST_TEST(!answer_cache::matches("", tag));
    BOOST_TEST(!answer_cache::matches("\"a\",\"b\"", tag));
}

BOOST_AUTO_TEST_CASE(bounded_in_entries_and_bytes_oldest_used_go_first) {
    answer_cache c(2, 10);
    c.store("a", 1, "application/json", "1234");
    c.store("b", 1, "application/json", "5678");
    BOOST_TEST(c.find("a", 1) != nullptr);   // a is now the most recently used
    c.store("c", 1, "application/json", "9");
    BOOST_TEST(c.size() == 2u);
    BOOST_TEST(c.find("b", 1) == nullptr);
    BOOST_TEST(*c.find("a", 1)->body == "1234");
    c.store("d", 1, "text/plain", "123456789");   // 9 bytes: only room when both others go
    BOOST_TEST(c.size() == 1u);
    BOOST_TEST(c.bytes() == 9u);
    BOOST_TEST(c.find("d", 1)->content_type == "text/plain");
    auto big = c.store("e", 1, "text/plain", "12345678901");   // larger than the bound: answered, not kept
    BOOST_TEST(big.etag == answer_cache::etag_of("12345678901"));
    BOOST_TEST(c.find("e", 1) == nullptr);
    BOOST_TEST(c.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_new_generation_empties_it) {
    answer_cache c(8, 1024);
    c.store("a", 1, "application/json", "{}");
    BOOST_TEST(c.find("a", 1) != nullptr);
    BOOST_TEST(c.find("a", 2) == nullptr);
    BOOST_TEST(c.size() == 0u);
    BOOST_TEST(c.bytes() == 0u);
    c.store("a", 2, "application/json", "{}");
    c.clear();
    BOOST_TEST(c.find("a", 2) == nullptr);
    BOOST_TEST(c.counters().hits == 1u);
}
