// Serves web/openapi.json, less the operations of routes this daemon does not have.
#include "irqd/service/openapi.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>

#include "irqd/core/version.hpp"
#include "irqd/service/web_assets.hpp"

namespace irqd::service {
namespace json = boost::json;

std::string endpoint_key(std::string_view line) {
    auto sp = line.find(' ');
    if (sp == std::string_view::npos) return std::string(line);
    auto path = line.substr(sp + 1);
    path = path.substr(0, path.find_first_of(" ?["));
    return std::string(line.substr(0, sp)) + " " + std::string(path);
}

json::object openapi_document(const std::vector<std::string>& listed) {
    const auto* asset = find_web_asset("openapi.json");
    if (!asset) return {};
    auto doc = json::parse(asset->body).as_object();
    doc["info"].as_object()["version"] = core::version();
    std::vector<std::string> keys;
    for (const auto& l : listed) keys.push_back(endpoint_key(l));
    auto& paths = doc["paths"].as_object();
    std::vector<std::string> empty_paths;
    for (auto& p : paths) {
        auto& ops = p.value().as_object();
        std::vector<std::string> drop;
        for (const auto& op : ops) {
            const auto* when = op.value().is_object() ? op.value().as_object().if_contains("x-irqd-when-listed") : nullptr;
            if (!when || !when->is_bool() || !when->as_bool()) continue;
            std::string method(op.key());
            std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
            if (std::find(keys.begin(), keys.end(), method + " " + std::string(p.key())) == keys.end())
                drop.emplace_back(op.key());
        }
        for (const auto& k : drop) ops.erase(k);
        if (ops.empty()) empty_paths.emplace_back(p.key());
    }
    for (const auto& k : empty_paths) paths.erase(k);
    return doc;
}

void add_openapi_route(api_context& ctx) {
    ctx.routes.push_back([&ctx](const request& req, const target& t, responder& send) {
        if (t.path != "/api/v1/openapi.json") return false;
        if (allow_only(req, http::verb::get, send)) send(json_response(req, 200, openapi_document(ctx.extra_endpoints)));
        return true;
    });
    ctx.extra_endpoints.push_back("GET /api/v1/openapi.json (this API in OpenAPI 3.1)");
}

}  // namespace irqd::service
