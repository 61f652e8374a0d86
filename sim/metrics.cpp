#include "vdc/sim/metrics.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

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

std::uint32_t MetricsRegistry::entity_intern(std::string_view entity) {
  if (last_entity_ < entity_names_.size() && entity_names_[last_entity_] == entity) return last_entity_;
  last_entity_ = intern(entity, entity_names_, entity_index_);
  return last_entity_;
}

std::uint32_t MetricsRegistry::name_intern(std::string_view name) {
  const auto address = reinterpret_cast<std::uintptr_t>(name.data());
  NameCacheSlot& slot = name_cache_[(address >> 3) % name_cache_size];
  if (slot.data == name.data() && slot.size == name.size() && names_[slot.id] == name) return slot.id;
  const std::uint32_t id = intern(name, names_, name_index_);
  slot = NameCacheSlot{name.data(), name.size(), id};
  return id;
}

std::optional<MetricId> MetricsRegistry::find_in(std::uint32_t entity, std::uint32_t name) const {
  if (entity >= of_entity_.size()) return std::nullopt;
  const std::vector<MetricId>& ids = of_entity_[entity];
  if (ids.size() > scan_limit) {
    const auto it = by_pair_.find(pair_key(entity, name));
    if (it == by_pair_.end()) return std::nullopt;
    return it->second;
  }
  for (const MetricId id : ids) {
    if (meta_[id].name == name) return id;
  }
  return std::nullopt;
}

MetricId MetricsRegistry::add_metric(std::string_view entity, std::string_view name,
                                     MetricKind kind, bool keep_series) {
  const std::uint32_t e = entity_intern(entity);
  const std::uint32_t n = name_intern(name);
  if (const auto found = find_in(e, n)) {
    assert(meta_[*found].kind == kind && "metric re-registered with another kind");
    return *found;
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
    series_.back().values.reserve(expected_intervals_);
  }
  state_.push_back(st);
  index_metric(e, n, id);
  if (window_started_) open_window(id);  // it held 0 before: nothing to count
  return id;
}

void MetricsRegistry::index_metric(std::uint32_t e, std::uint32_t n, MetricId id) {
  if (of_entity_.size() <= e) of_entity_.resize(e + 1);
  std::vector<MetricId>& ids = of_entity_[e];
  if (ids.empty()) ids.reserve(16);
  ids.push_back(id);
  if (ids.size() == scan_limit + 1) {
    for (const MetricId m : ids) by_pair_.emplace(pair_key(e, meta_[m].name), m);
  } else if (ids.size() > scan_limit + 1) {
    by_pair_.emplace(pair_key(e, n), id);
  }
}

void MetricsRegistry::absorb(MetricsRegistry&& other) {
  assert(&other != this);
  assert(interval_ == other.interval_ && finished_ == other.finished_ && end_ == other.end_);
  assert(window_started_ == other.window_started_ && window_start_ == other.window_start_);
  // Checked first, so that a clash changes nothing: only an entity both know can clash.
  for (std::uint32_t oe = 0; oe < other.entity_names_.size(); ++oe) {
    const auto e = entity_index_.find(other.entity_names_[oe]);
    if (e == entity_index_.end() || oe >= other.of_entity_.size()) continue;
    for (const MetricId id : other.of_entity_[oe]) {
      const auto n = name_index_.find(other.names_[other.meta_[id].name]);
      if (n != name_index_.end() && find_in(e->second, n->second)) {
        throw std::logic_error("metric " + other.entity_names_[oe] + " " + other.names_[other.meta_[id].name] +
                               " registered in both registries");
      }
    }
  }
  std::vector<std::uint32_t> entity_of(other.entity_names_.size());
  for (std::size_t i = 0; i < entity_of.size(); ++i) {
    entity_of[i] = intern(other.entity_names_[i], entity_names_, entity_index_);
  }
  std::vector<std::uint32_t> name_of(other.names_.size());
  for (std::size_t i = 0; i < name_of.size(); ++i) name_of[i] = intern(other.names_[i], names_, name_index_);
  const auto first_series = static_cast<std::int32_t>(series_.size());
  series_.reserve(series_.size() + other.series_.size());
  for (Series& se : other.series_) series_.push_back(std::move(se));
  meta_.reserve(meta_.size() + other.meta_.size());
  state_.reserve(state_.size() + other.state_.size());
  for (MetricId id = 0; id < other.meta_.size(); ++id) {
    const Meta& m = other.meta_[id];
    const auto mine = static_cast<MetricId>(meta_.size());
    meta_.push_back(Meta{entity_of[m.entity], name_of[m.name], m.kind});
    State st = other.state_[id];
    if (st.series >= 0) st.series += first_series;
    state_.push_back(st);
    index_metric(entity_of[m.entity], name_of[m.name], mine);
  }
  expected_intervals_ = std::max(expected_intervals_, other.expected_intervals_);
  other = MetricsRegistry(other.interval_);
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

std::int64_t MetricsRegistry::cross_intervals(Series& se, double v, std::int64_t from, std::int64_t to_ns) {
  const std::int64_t interval = interval_.ns();
  while (to_ns >= se.next_boundary_ns) {
    if (from == se.next_boundary_ns - interval && se.partial == 0.0) {
      // Whole intervals at one value: each closes with the same quotient, so they are
      // appended at once (O(intervals) stays, without the per-interval arithmetic).
      // The interval that holds the window start is closed one by one below.
      auto whole = static_cast<std::size_t>((to_ns - se.next_boundary_ns) / interval + 1);
      const std::size_t first = se.values.size();
      if (window_first_ >= first && window_first_ < first + whole) whole = window_first_ - first;
      if (whole > 0) {
        const double quotient = (0.0 + v * static_cast<double>(interval)) / static_cast<double>(interval);
        se.values.insert(se.values.end(), whole, quotient);
        se.next_boundary_ns += static_cast<std::int64_t>(whole) * interval;
        from = se.next_boundary_ns - interval;
        continue;
      }
    }
    se.partial += v * static_cast<double>(se.next_boundary_ns - from);
    close_interval(se, se.next_boundary_ns);
    from = se.next_boundary_ns;
    se.next_boundary_ns += interval;
  }
  return from;
}

void MetricsRegistry::expect_end(Time end) {
  if (end <= Time::zero()) return;
  expected_intervals_ = static_cast<std::size_t>((end.ns() + interval_.ns() - 1) / interval_.ns());
  for (Series& se : series_) se.values.reserve(expected_intervals_);
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
  return find_in(e->second, n->second);
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
