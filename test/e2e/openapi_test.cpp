// GET /api/v1/openapi.json against the daemon that serves it: the operations it describes are exactly
// the endpoints the GET /api/v1 index lists, every one of them is routed (not a 404 "not_found" or a
// 405), answers with a status it documents, and every $ref and path parameter resolves.
#define BOOST_TEST_MODULE openapi
#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <set>

#include "daemon.hpp"

using namespace irqd::test;
namespace json = boost::json;
using boost::beast::http::verb;

namespace {
// "PUT /api/v1/interrupts/{irq}/affinity {...}" -> "PUT /api/v1/interrupts/{irq}/affinity"
std::string key_of(std::string_view line) {
    auto sp = line.find(' ');
    auto path = line.substr(sp + 1);
    return std::string(line.substr(0, sp)) + " " + std::string(path.substr(0, path.find_first_of(" ?[")));
}

std::string upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

const std::set<std::string> http_methods{"get", "put", "post", "delete", "patch", "head", "options", "trace"};

void check_refs(const json::value& v, const json::object& doc, std::vector<std::string>& broken) {
    if (v.is_object()) {
        for (const auto& kv : v.as_object()) {
            if (kv.key() == "$ref" && kv.value().is_string()) {
                std::string_view ref = kv.value().as_string();
                // "#/components/schemas/Error": walk the document's objects.
                const json::object* at = ref.starts_with("#/") ? &doc : nullptr;
                for (auto rest = ref.substr(std::min<std::size_t>(2, ref.size())); at && !rest.empty();) {
                    auto slash = rest.find('/');
                    auto* next = at->if_contains(rest.substr(0, slash));
                    at = next && next->is_object() ? &next->as_object() : nullptr;
                    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
                }
                if (!at) broken.emplace_back(ref);
            } else {
                check_refs(kv.value(), doc, broken);
            }
        }
    } else if (v.is_array()) {
        for (const auto& e : v.as_array()) check_refs(e, doc, broken);
    }
}

struct simulated_daemon {
    irqd_process d{{"--simulate", "--interval", "200ms", "--history", "1s:1h"}};
};
}  // namespace

BOOST_FIXTURE_TEST_SUITE(openapi, simulated_daemon)

BOOST_AUTO_TEST_CASE(describes_exactly_the_endpoints_the_index_lists) {
    auto index = json::parse(d.get("/api/v1").body).as_object();
    std::set<std::string> listed{"GET /api/v1"};   // the index itself
    for (const auto& e : index.at("endpoints").as_array()) listed.insert(key_of(e.as_string()));

    auto r = d.get("/api/v1/openapi.json");
    BOOST_REQUIRE_EQUAL(r.status, 200u);
    auto doc = json::parse(r.body).as_object();
    BOOST_TEST(doc.at("openapi").as_string() == "3.1.0");
    BOOST_TEST(doc.at("info").at("version").as_string() == index.at("version").as_string());

    std::set<std::string> documented;
    for (const auto& p : doc.at("paths").as_object())
        for (const auto& op : p.value().as_object())
            if (http_methods.count(std::string(op.key()))) documented.insert(upper(std::string(op.key())) + " " + std::string(p.key()));

    for (const auto& k : listed) BOOST_TEST(documented.count(k) == 1u, "listed in GET /api/v1 but not described: " << k);
    for (const auto& k : documented) BOOST_TEST(listed.count(k) == 1u, "described but not listed in GET /api/v1: " << k);
    BOOST_TEST(documented.count("GET /metrics") == 1u);
    BOOST_TEST(documented.count("GET /api/v1/stream") == 1u);
}

BOOST_AUTO_TEST_CASE(every_described_operation_is_routed_and_answers_a_documented_status) {
    auto doc = json::parse(d.get("/api/v1/openapi.json").body).as_object();
    std::size_t probed = 0;
    for (const auto& p : doc.at("paths").as_object()) {
        for (const auto& op : p.value().as_object()) {
            if (!http_methods.count(std::string(op.key()))) continue;
            const auto& o = op.value().as_object();
            BOOST_TEST(!o.at("summary").as_string().empty());
            // Every {name} in the path is a declared path parameter.
            std::string path(p.key());
            for (auto open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
                auto name = path.substr(open + 1, path.find('}', open) - open - 1);
                bool declared = false;
                if (auto* params = o.if_contains("parameters"))
                    for (const auto& prm : params->as_array())
                        declared |= prm.as_object().if_contains("name") && prm.at("name").as_string() == name &&
                                    prm.at("in").as_string() == "path";
                BOOST_TEST(declared, path << ": path parameter " << name << " is not declared");
            }
            // A request the route must recognise; bodies are deliberately not JSON, so nothing changes.
            std::string target = path;
            if (auto at = target.find("{irq}"); at != std::string::npos) target.replace(at, 5, "140");
            if (auto at = target.find("{file}"); at != std::string::npos) target.replace(at, 6, "app.js");
            if (auto at = target.find("{id}"); at != std::string::npos) target.replace(at, 4, "1");
            auto method = upper(std::string(op.key()));
            verb v = method == "GET" ? verb::get : method == "PUT" ? verb::put : method == "POST" ? verb::post : verb::delete_;
            auto reply = d.call(v, target, v == verb::get ? "" : "not json");
            ++probed;
            BOOST_TEST(reply.status != 405u, method << " " << target << " answered 405");
            if (reply.status == 404u) {
                auto code = json::parse(reply.body).at("error").at("code").as_string();
                BOOST_TEST(code != "not_found", method << " " << target << " is not routed");
            }
            const auto& responses = o.at("responses").as_object();
            BOOST_TEST((responses.contains(std::to_string(reply.status)) || responses.contains("default")),
                       method << " " << target << " answered " << reply.status << ", which it does not document");
        }
    }
    BOOST_TEST(probed >= 13u);
    // The probe tells routed from not routed.
    auto none = d.get("/api/v1/no-such-endpoint");
    BOOST_TEST(none.status == 404u);
    BOOST_TEST(json::parse(none.body).at("error").at("code").as_string() == "not_found");
}

BOOST_AUTO_TEST_CASE(every_reference_resolves) {
    auto doc = json::parse(d.get("/api/v1/openapi.json").body).as_object();
    std::vector<std::string> broken;
    check_refs(doc, doc, broken);
    for (const auto& b : broken) BOOST_TEST_ERROR("unresolved $ref " << b);
    BOOST_TEST(broken.empty());
}

BOOST_AUTO_TEST_SUITE_END()
