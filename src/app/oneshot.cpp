// irqd --oneshot: one plan over --oneshot-window of history (at least a few samples), applied unless --read-only.
#include "oneshot.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>

#include <ostream>

#include "irqd/service/json_text.hpp"

namespace irqd::app {
using namespace irqd::service;
namespace json = boost::json;

int run_oneshot(boost::asio::io_context& io, const service::settings& cfg, service::sampler& samples,
                service::balance_service& balancing, std::ostream& out) {
    int code = 1;
    samples.start();
    boost::asio::steady_timer wait(io);
    // At least three frames (four samples) give every IRQ a rate; --oneshot-window asks for more.
    wait.expires_after(std::max<std::chrono::milliseconds>(cfg.balance.oneshot_window, cfg.interval * 3 + cfg.interval / 2));
    wait.async_wait([&](boost::system::error_code ec) {
        if (ec) return;
        balance_options o = default_balance_options(cfg.balance);
        o.apply = !cfg.read_only;
        balancing.plan(o, "oneshot", [&](unsigned status, const json::value& body) {
            out << to_json_text(body) << std::endl;
            code = status == 200 ? 0 : 1;
            samples.stop();
            balancing.stop();
        });
    });
    io.run();
    return code;
}

}  // namespace irqd::app
