// The balance metric as JSON, the same for the daemon and irqctl.
#include "irqd/core/balancer_json.hpp"

#include <boost/json/object.hpp>

namespace irqd::core {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& v, const balance_metric& m) {
    v = boost::json::object{{"total", m.total},
                            {"max_load", m.max_load},
                            {"min_load", m.min_load},
                            {"spread", m.spread},
                            {"peak_to_mean", m.peak_to_mean},
                            {"lower_bound", m.lower_bound},
                            {"gap", m.gap},
                            {"gap_ratio", m.gap_ratio},
                            {"outside", m.outside}};
}

}  // namespace irqd::core
