// The dashboard's routes: index.html at /, everything else under /assets/. The page itself talks to
// the JSON API and the WebSocket stream like any other client.
#include "irqd/service/dashboard.hpp"

#include <algorithm>

#include "irqd/service/web_assets.hpp"

namespace irqd::service {

const web_asset* find_web_asset(std::string_view name) {
    auto all = web_assets();
    auto it = std::find_if(all.begin(), all.end(), [&](const web_asset& a) { return a.name == name; });
    return it == all.end() ? nullptr : &*it;
}

namespace {
void send_asset(const request& req, responder& send, const web_asset& a) {
    if (!allow_only(req, http::verb::get, send)) return;
    response res{http::status::ok, req.version()};
    res.set(http::field::content_type, a.content_type);
    res.set(http::field::server, "irqd");
    // Assets change only with the binary; revalidating each load is cheap and never shows a stale page.
    res.set(http::field::cache_control, "no-cache");
    res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
    res.body().assign(a.body);
    send(std::move(res));
}
}  // namespace

void add_dashboard_routes(api_context& ctx) {
    ctx.routes.push_back([](const request& req, const target& t, responder& send) {
        if (t.path == "/") {
            if (auto* a = find_web_asset("index.html")) send_asset(req, send, *a);
            return true;
        }
        const auto& s = t.segments;
        if (s.size() < 2 || s.size() > 3 || s[0] != "assets") return false;
        // /assets/NAME, or /assets/vendor/NAME for the third-party files in web/vendor/.
        std::string name = s.size() == 3 ? s[1] + "/" + s[2] : s[1];
        if (auto* a = find_web_asset(name); a && name != "index.html") send_asset(req, send, *a);
        else send(error_response(req, 404, "not_found", "no such asset: " + name));
        return true;
    });
    ctx.extra_endpoints.push_back("GET / (web dashboard)");
    ctx.extra_endpoints.push_back("GET /assets/{file} (the dashboard's scripts and styles)");
}

}  // namespace irqd::service
