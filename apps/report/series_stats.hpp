#pragma once
/// Order statistics and threshold time over the sample-interval series of the registry.

#include <string>
#include <string_view>
#include <vector>

#include "vdc/report/analysis.hpp"
#include "vdc/sim/metrics.hpp"

namespace vdc::report {

/// Everything here covers the registry's measured window (after the warm-up): averages,
/// percentiles over the window's intervals, time over.

/// Average, p50/p95/p99 (nearest rank over the interval series) and max of a gauge. A gauge
/// without a series gives its average for the percentiles; a missing gauge gives zeros.
[[nodiscard]] Spread spread_of(const sim::MetricsRegistry& m, const std::string& entity, std::string_view name);

/// The same for the sum of one gauge over several entities, interval by interval.
[[nodiscard]] Spread spread_of_sum(const sim::MetricsRegistry& m, const std::vector<std::string>& entities,
                                   std::string_view name);

/// Simulated seconds in the sample intervals where `scale` x the gauge's interval average is
/// above `threshold` (of the interval that holds the window start, its part in the window);
/// without a series, the whole window when its average is above.
[[nodiscard]] double time_over(const sim::MetricsRegistry& m, sim::MetricId id, double scale, double threshold);

/// Nearest-rank percentile (the ceil(p/100 n)-th smallest; the smallest for p = 0).
[[nodiscard]] double nearest_rank(std::vector<double> values, double p);

}  // namespace vdc::report
