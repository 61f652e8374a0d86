#include "series_stats.hpp"

#include <algorithm>
#include <cmath>

namespace vdc::report {

double nearest_rank(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  const auto n = values.size();
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank - 1), values.end());
  return values[rank - 1];
}

Spread spread_of(const sim::MetricsRegistry& m, const std::string& entity, std::string_view name) {
  Spread s;
  const auto id = m.find(entity, name);
  if (!id) return s;
  s.avg = m.average(*id);
  s.max = m.max(*id);
  if (m.series(*id).empty()) {
    s.p50 = s.p95 = s.p99 = s.avg;
  } else {
    s.p50 = m.percentile(*id, 50);
    s.p95 = m.percentile(*id, 95);
    s.p99 = m.percentile(*id, 99);
  }
  return s;
}

Spread spread_of_sum(const sim::MetricsRegistry& m, const std::vector<std::string>& entities, std::string_view name) {
  Spread s;
  std::vector<double> sum;
  bool all_series = true;
  for (const auto& e : entities) {
    const auto id = m.find(e, name);
    if (!id) continue;
    s.avg += m.average(*id);
    s.max += m.max(*id);  // an upper bound: the hosts' peaks need not coincide
    const auto series = m.window_series(*id);
    if (series.empty()) all_series = false;
    if (sum.size() < series.size()) sum.resize(series.size(), 0.0);
    for (std::size_t i = 0; i < series.size(); ++i) sum[i] += series[i];
  }
  if (!all_series || sum.empty()) {
    s.p50 = s.p95 = s.p99 = s.avg;
    return s;
  }
  s.p50 = nearest_rank(sum, 50);
  s.p95 = nearest_rank(sum, 95);
  s.p99 = nearest_rank(sum, 99);
  s.max = *std::max_element(sum.begin(), sum.end());
  return s;
}

double time_over(const sim::MetricsRegistry& m, sim::MetricId id, double scale, double threshold) {
  const auto series = m.window_series(id);
  const double end = m.end().seconds();
  const double start = m.window_start().seconds();
  if (series.empty()) return scale * m.average(id) > threshold ? end - start : 0.0;
  const double step = m.sample_interval().seconds();
  const std::size_t first = m.window_first_interval();
  double over = 0.0;
  for (std::size_t i = 0; i < series.size(); ++i) {
    if (scale * series[i] <= threshold) continue;
    // Only the interval's part in the window counts: the first starts at the window start.
    const double begin = static_cast<double>(first + i) * step;
    over += std::min(step, end - begin) - (begin < start ? start - begin : 0.0);
  }
  return over;
}

}  // namespace vdc::report
