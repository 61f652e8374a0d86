#include "vdc/sim/metrics.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace vdc::sim {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

/// Index of `key` in `names`, adding it if new.
std::uint32_t intern(std::string_view key, std::vector<std::string>& names,
                     std::unordered_map<std::string, std::uint32_t, TransparentHash,
                                        std::equal_to<>>& index) {
  if (const auto it = index.find(key); it != index.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(names.size());
  names.emplace_back(key);
  index.emplace(std::string(key), id);
  return id;
}

}  // namespace

MetricsRegistry::MetricsRegistry(Time sample_interval) : interval_(sample_interval) {
  assert(sample_interval > Time::zero());
}

MetricId MetricsRegistry::counter(std::string_view entity, std::string_view name) {
  return add_metric(entity, name, MetricKind::counter, false);
}

MetricId MetricsRegistry::gauge(std::string_view entity, std::string_view name,
                                bool keep_series) {
  return add_metric(entity, name, MetricKind::gauge, keep_series);
}

MetricId MetricsRegistry::add_metric(std::string_view entity, std::string_view name,
                                     MetricKind kind, bool keep_series) {
  const std::uint32_t e = intern(entity, entity_names_, entity_index_);
  const std::uint32_t n = intern(name, names_, name_index_);
  if (const auto it = by_pair_.find(pair_key(e, n)); it != by_pair_.end()) {
    assert(meta_[it->second].kind == kind && "metric re-registered with another kind");
    return it->second;
  }
  const auto id = static_cast<MetricId>(meta_.size());
  meta_.push_back(Meta{e, n, kind});
  static_assert(sizeof(State) == 48, "per-metric hot state must stay small");
  State st;
  st.min = inf;
  st.max = -inf;
  if (kind == MetricKind::gauge && keep_series) {
    st.series = static_cast<std::int32_t>(series_.size());
    series_.push_back(Series{interval_.ns(), 0.0, 0.0, 0.0, {}});
  }
  state_.push_back(st);
  by_pair_.emplace(pair_key(e, n), id);
  if (of_entity_.size() <= e) of_entity_.resize(e + 1);
  of_entity_[e].push_back(id);
  if (window_started_) open_window(id);  // it held 0 before: nothing to count
  return id;
}

void MetricsRegistry::close_interval(Series& se, std::int64_t interval_end_ns) {
  const std::int64_t start = static_cast<std::int64_t>(se.values.size()) * interval_.ns();
  if (se.values.size() == window_first_) {
    // The interval that holds the window start: the whole of it for display, its part in
    // the window for the window's statistics.
    const std::int64_t from = std::max(start, window_start_.ns());
    se.window_head = interval_end_ns > from ? se.partial / static_cast<double>(interval_end_ns - from) : 0.0;
    se.values.push_back((se.partial + se.before_window) / static_cast<double>(interval_end_ns - start));
    se.before_window = 0.0;
  } else {
    se.values.push_back(se.partial / static_cast<double>(interval_end_ns - start));
  }
  se.partial = 0.0;
}

void MetricsRegistry::advance(MetricId id, std::int64_t to_ns) {
  // Accounts for the current value held over [last_ns, to_ns).
  State& st = state_[id];
  if (to_ns == st.last_ns) return;
  const double v = st.value;
  st.integral += v * static_cast<double>(to_ns - st.last_ns);
  st.min = std::min(st.min, v);
  st.max = std::max(st.max, v);
  if (st.series >= 0) {
    Series& se = series_[static_cast<std::size_t>(st.series)];
    std::int64_t from = st.last_ns;
    while (to_ns >= se.next_boundary_ns) {
      se.partial += v * static_cast<double>(se.next_boundary_ns - from);
      close_interval(se, se.next_boundary_ns);
      from = se.next_boundary_ns;
      se.next_boundary_ns += interval_.ns();
    }
    se.partial += v * static_cast<double>(to_ns - from);
  }
  st.last_ns = to_ns;
}

void MetricsRegistry::set(MetricId id, Time now, double value) {
  assert(meta_[id].kind == MetricKind::gauge && !finished_);
  assert(now.ns() >= state_[id].last_ns && "gauge set back in time");
  advance(id, now.ns());
  state_[id].value = value;
}

void MetricsRegistry::finish(Time end) {
  assert(!finished_ && "finish called twice");
  finished_ = true;
  end_ = end;
  for (MetricId id = 0; id < meta_.size(); ++id) {
    if (meta_[id].kind != MetricKind::gauge) continue;
    assert(end.ns() >= state_[id].last_ns);
    advance(id, end.ns());
    const State& st = state_[id];
    if (st.series < 0) continue;
    Series& se = series_[static_cast<std::size_t>(st.series)];
    const std::int64_t interval_start = se.next_boundary_ns - interval_.ns();
    if (end.ns() > interval_start) close_interval(se, end.ns());
  }
}

void MetricsRegistry::start_window(Time at) {
  assert(!finished_ && !window_started_ && at >= Time::zero());
  window_started_ = true;
  window_start_ = at;
  window_first_ = static_cast<std::size_t>(at.ns() / interval_.ns());
  for (MetricId id = 0; id < meta_.size(); ++id) open_window(id);
}

void MetricsRegistry::open_window(MetricId id) {
  State& st = state_[id];
  if (meta_[id].kind == MetricKind::counter) {
    st.value = 0.0;
    return;
  }
  assert(window_start_.ns() >= st.last_ns && "window started before a gauge's last set");
  advance(id, window_start_.ns());
  st.integral = 0.0;
  st.min = inf;
  st.max = -inf;
  if (st.series >= 0) {
    Series& se = series_[static_cast<std::size_t>(st.series)];
    se.before_window = se.partial;
    se.partial = 0.0;
  }
}

std::optional<MetricId> MetricsRegistry::find(std::string_view entity,
                                              std::string_view name) const {
  const auto e = entity_index_.find(entity);
  const auto n = name_index_.find(name);
  if (e == entity_index_.end() || n == name_index_.end()) return std::nullopt;
  const auto it = by_pair_.find(pair_key(e->second, n->second));
  if (it == by_pair_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint32_t> MetricsRegistry::name_id(std::string_view name) const {
  const auto n = name_index_.find(name);
  if (n == name_index_.end()) return std::nullopt;
  return n->second;
}

std::span<const MetricId> MetricsRegistry::metrics_of(std::string_view entity) const {
  const auto e = entity_index_.find(entity);
  if (e == entity_index_.end()) return {};
  return of_entity_[e->second];
}

double MetricsRegistry::total(MetricId id) const {
  assert(meta_[id].kind == MetricKind::counter);
  return state_[id].value;
}

double MetricsRegistry::integral(MetricId id) const {
  return state_[id].integral / 1e9;
}

double MetricsRegistry::average(MetricId id) const {
  if (end_ <= window_start_) return 0.0;
  return state_[id].integral / static_cast<double>(end_.ns() - window_start_.ns());
}

double MetricsRegistry::min(MetricId id) const {
  const State& st = state_[id];
  return st.min == inf ? st.value : st.min;
}

double MetricsRegistry::max(MetricId id) const {
  const State& st = state_[id];
  return st.max == -inf ? st.value : st.max;
}

std::span<const double> MetricsRegistry::series(MetricId id) const {
  const State& st = state_[id];
  if (st.series < 0) return {};
  return series_[static_cast<std::size_t>(st.series)].values;
}

std::vector<double> MetricsRegistry::window_series(MetricId id) const {
  const std::span<const double> s = series(id);
  if (window_first_ >= s.size()) return {};
  std::vector<double> out(s.begin() + static_cast<std::ptrdiff_t>(window_first_), s.end());
  out.front() = series_[static_cast<std::size_t>(state_[id].series)].window_head;
  return out;
}

double MetricsRegistry::percentile(MetricId id, double p) const {
  assert(p >= 0.0 && p <= 100.0);
  std::vector<double> sorted = window_series(id);
  if (sorted.empty()) return 0.0;
  const auto n = static_cast<double>(sorted.size());
  const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(p / 100.0 * n)));
  const auto k = std::min(rank, sorted.size()) - 1;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(k), sorted.end());
  return sorted[k];
}

}  // namespace vdc::sim
