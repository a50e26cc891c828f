// Subscribe messages: the ids land in a hash set with an order-free key, and a subscription that
// names more than core::max_selected_ids IRQs is refused with a message that says the limit.
#define BOOST_TEST_MODULE stream_hub
#include <boost/test/unit_test.hpp>

#include <string>

#include "irqd/service/stream_hub.hpp"

using namespace irqd;
using namespace irqd::service;

namespace {

std::string subscribe_ids(std::size_t n, std::size_t first = 0) {
    std::string text = R"({"type":"subscribe","irqs":[)";
    for (std::size_t i = 0; i < n; ++i) text += (i ? "," : "") + std::to_string(first + i);
    return text + "]}";
}

}  // namespace

BOOST_AUTO_TEST_CASE(ids_are_a_set_and_the_key_ignores_their_order) {
    auto a = parse_subscription(R"({"type":"subscribe","irqs":[3,"NMI",3,1],"top":2})");
    auto b = parse_subscription(R"({"type":"subscribe","irqs":[1,"NMI",3],"top":2})");
    BOOST_TEST_REQUIRE(a.has_value());
    BOOST_TEST_REQUIRE(b.has_value());
    BOOST_TEST(a->rows.ids.size() == 3u);
    BOOST_TEST(a->rows.ids.contains("NMI"));
    BOOST_TEST(a->rows.top == 2u);
    BOOST_TEST(a->key == b->key);
    BOOST_TEST(a->key_hash == b->key_hash);
    auto c = parse_subscription(R"({"type":"subscribe","irqs":[1,"NMI",3],"top":3})");
    BOOST_TEST(c->key != a->key);
}

BOOST_AUTO_TEST_CASE(the_ids_one_subscription_may_name_are_capped) {
    auto at_cap = parse_subscription(subscribe_ids(core::max_selected_ids));
    BOOST_TEST_REQUIRE(at_cap.has_value());
    BOOST_TEST(at_cap->rows.ids.size() == core::max_selected_ids);

    auto over = parse_subscription(subscribe_ids(core::max_selected_ids + 1));
    BOOST_TEST_REQUIRE(!over.has_value());
    BOOST_TEST(over.error_message() == "'irqs' names 16385 IRQs; at most 16384 (or a name pattern like \"eth0-*\")");
}
