#include "vdc/models/trace/trace_series.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "vdc/models/trace/trace_error.hpp"

namespace vdc::models::trace {

const char* to_string(TraceUnit unit) {
  switch (unit) {
    case TraceUnit::percent:
      return "percent";
    case TraceUnit::mhz:
      return "MHz";
    case TraceUnit::kilobytes:
      return "KB";
    case TraceUnit::megabytes:
      return "MB";
    case TraceUnit::gigabytes:
      return "GB";
    case TraceUnit::kilobytes_per_second:
      return "KB/s";
    case TraceUnit::count:
      return "count";
  }
  return "?";
}

TraceSeries::TraceSeries(std::string source, TraceUnit unit, sim::Time tick,
                         std::vector<std::uint32_t> times, std::vector<float> values,
                         std::uint32_t end_ticks)
    : source_(std::move(source)),
      unit_(unit),
      tick_ns_(tick.ns()),
      times_(std::move(times)),
      values_(std::move(values)),
      end_ticks_(end_ticks) {
  assert(!times_.empty() && times_.size() == values_.size() && times_.front() == 0);
  assert(end_ticks_ > times_.back() && tick_ns_ > 0);
}

std::uint32_t TraceSeries::index_at(std::int64_t ticks, std::uint32_t hint) const {
  assert(ticks >= 0 && ticks < static_cast<std::int64_t>(end_ticks_));
  const std::size_t n = times_.size();
  // A replay walks forward sample by sample: the hint or its successor is almost always it.
  for (std::size_t i = hint; i < n && i <= std::size_t{hint} + 1; ++i) {
    if (times_[i] <= ticks && (i + 1 == n || ticks < times_[i + 1])) {
      return static_cast<std::uint32_t>(i);
    }
  }
  const auto it = std::upper_bound(times_.begin(), times_.end(), static_cast<std::uint32_t>(ticks));
  return static_cast<std::uint32_t>(it - times_.begin() - 1);
}

double TraceSeries::integral() const {
  double sum = 0.0;
  for (std::size_t i = 0; i < values_.size(); ++i) {
    const auto width = static_cast<double>(start_ticks(i + 1) - start_ticks(i));
    sum += static_cast<double>(values_[i]) * width;
  }
  return sum * static_cast<double>(tick_ns_) * 1e-9;
}

std::size_t TraceSeries::bytes() const {
  return sizeof(*this) + source_.capacity() + times_.capacity() * sizeof(std::uint32_t) +
         values_.capacity() * sizeof(float);
}

TraceSeries compact(const RawSamples& raw, std::string source, const std::string& file,
                    TraceUnit unit, sim::Time tick, std::int64_t single_step_ticks) {
  assert(!raw.times.empty() && raw.times.size() == raw.values.size());
  const std::int64_t origin = raw.times.front();
  std::vector<std::int64_t> times;
  std::vector<double> values;
  times.reserve(raw.times.size());
  values.reserve(raw.values.size());
  for (std::size_t i = 0; i < raw.times.size(); ++i) {
    const std::int64_t t = raw.times[i] - origin;
    if (!times.empty() && times.back() == t) {
      values.back() = raw.values[i];  // same instant: the later row replaces the earlier
    } else {
      times.push_back(t);
      values.push_back(raw.values[i]);
    }
  }
  const std::size_t n = times.size();
  if (n == 1 && single_step_ticks <= 0) {
    throw TraceError({file, 0, 0, {}}, "every row has the same time",
                     "at least two distinct times, so the sampling step is known");
  }
  const std::int64_t last_step = n >= 2 ? times[n - 1] - times[n - 2] : single_step_ticks;
  constexpr std::int64_t max_ticks = std::numeric_limits<std::uint32_t>::max();
  if (times.back() > max_ticks || last_step > max_ticks - times.back()) {
    throw TraceError(
        {file, 0, 0, {}},
        fmt::format("the trace spans more than {} ticks of {}", max_ticks, sim::to_string(tick)),
        "a shorter trace (136 years in seconds, 49 days in milliseconds)");
  }
  const std::int64_t end = times.back() + last_step;
  std::vector<std::uint32_t> packed_times;
  std::vector<float> packed_values;
  packed_times.reserve(n);
  packed_values.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto v = static_cast<float>(values[i]);
    if (!packed_values.empty() && packed_values.back() == v) continue;
    packed_times.push_back(static_cast<std::uint32_t>(times[i]));
    packed_values.push_back(v);
  }
  packed_times.shrink_to_fit();
  packed_values.shrink_to_fit();
  return TraceSeries(std::move(source), unit, tick, std::move(packed_times),
                     std::move(packed_values), static_cast<std::uint32_t>(end));
}

}  // namespace vdc::models::trace
