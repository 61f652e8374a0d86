#pragma once
/// Run metrics registered by (entity, name): counters and time-weighted gauges, with
/// optional per-sample-interval series and percentiles over them. Names are free strings;
/// models use esxtop's where one exists ("%RDY", "%CSTP", "MCTLSZ", "SWCUR", ...).
/// Built for 20,000 VMs x ~10 gauges: per-gauge state is 48 bytes and `set` does no string
/// work and no lookups; interval series cost memory only for gauges that ask for them.

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vdc/sim/time.hpp"

namespace vdc::sim {

/// String hash allowing lookups by std::string_view in maps keyed by std::string.
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// Dense index of a metric, from 0 in registration order.
using MetricId = std::uint32_t;

/// What a metric accumulates.
enum class MetricKind : std::uint8_t {
  counter,  ///< a running total (add)
  gauge,    ///< a piecewise-constant value over time (set), time-weighted
};

/// Registry of a run's metrics.
///
/// Gauges are piecewise constant: a gauge is 0 from time 0 until its first set(); each
/// set(id, t, v) makes it v from t on. finish(end) closes every gauge at `end`. Then:
/// integral = sum of value x held duration in value-seconds over [0, end]; average =
/// integral / end; min and max over the values held for a positive duration.
/// Interval series (keep_series gauges only): element i is the time-weighted average over
/// [i*interval, (i+1)*interval), the last one over its possibly shorter part before `end`.
/// Percentiles: nearest rank over the series: the ceil(p/100 * n)-th smallest of the n
/// values (the smallest for p = 0).
///
/// Measured window: start_window(w) makes every accumulator cover [w, end) instead of
/// [0, end) (a run's warm-up is left out): integral, average, min, max, counter totals and
/// percentiles. The kept series still hold every interval from 0 (for display);
/// window_series gives the intervals of the window, the first one averaged over its part
/// after w, so nothing before w counts anywhere.
class MetricsRegistry {
 public:
  /// A registry whose series use `sample_interval` (> 0; vCenter real-time charts: 20 s).
  explicit MetricsRegistry(Time sample_interval = Time::from_ns(20'000'000'000));

  /// Registers a counter, or returns the existing one of that (entity, name); registering
  /// an existing name with another kind is an assertion failure.
  MetricId counter(std::string_view entity, std::string_view name);
  /// Registers a gauge (see counter); `keep_series` keeps its interval series (the flag of
  /// the first registration wins).
  MetricId gauge(std::string_view entity, std::string_view name, bool keep_series = false);

  /// Adds `amount` to a counter.
  void add(MetricId id, double amount) {
    state_[id].value += amount;
  }
  /// Sets a gauge to `value` from time `now` on; `now` must not go back (asserted).
  void set(MetricId id, Time now, double value) {
    assert(meta_[id].kind == MetricKind::gauge && !finished_);
    assert(now.ns() >= state_[id].last_ns && "gauge set back in time");
    advance(id, now.ns());
    state_[id].value = value;
  }
  /// The run is expected to end at `end`: every kept series, and each kept later, reserves
  /// its intervals up front, so it is allocated once instead of regrown. Only a hint: a
  /// series still grows past it, and a run that stops earlier leaves the rest untouched.
  void expect_end(Time end);
  /// Closes every gauge at `end` (>= every set time); call once, after the run.
  void finish(Time end);
  /// Starts the measured window at `at` (>= every set time so far; before finish; once):
  /// gauges are carried to `at`, then their integral, min and max restart there and
  /// counters restart at zero. Metrics registered later start at `at` too. O(metrics).
  void start_window(Time at);

  /// Appends the metrics of `other`, a registry of the same sample interval, finished at
  /// the same end with the same window (a run's engines that simulated disjoint hosts):
  /// its entities and metrics follow this one's, in their order, with their values,
  /// series and window as they are. A metric both registered is a std::logic_error (and
  /// nothing is changed).
  void absorb(MetricsRegistry&& other);

  /// The metric registered as (entity, name), if any.
  std::optional<MetricId> find(std::string_view entity, std::string_view name) const;
  /// The metrics of `entity` in registration order (empty if unknown).
  std::span<const MetricId> metrics_of(std::string_view entity) const;
  /// The id of a metric name, to look it up in many entities without hashing it again
  /// (nothing when no metric has that name).
  std::optional<std::uint32_t> name_id(std::string_view name) const;
  /// The metric of name `name` (a name_id) among `metrics` (one entity's metrics_of): a
  /// scan of that entity's few metrics, no hashing.
  std::optional<MetricId> find(std::span<const MetricId> metrics, std::optional<std::uint32_t> name) const {
    if (!name) return std::nullopt;
    for (const MetricId id : metrics) {
      if (meta_[id].name == *name) return id;
    }
    return std::nullopt;
  }
  /// Every entity, in order of first registration.
  const std::vector<std::string>& entities() const { return entity_names_; }
  /// Number of metrics.
  std::size_t size() const { return meta_.size(); }

  /// Entity of a metric.
  const std::string& entity(MetricId id) const { return entity_names_[meta_[id].entity]; }
  /// Name of a metric.
  const std::string& name(MetricId id) const { return names_[meta_[id].name]; }
  /// Kind of a metric.
  MetricKind kind(MetricId id) const { return meta_[id].kind; }

  /// Counter total (of what was added from the window start on).
  double total(MetricId id) const;
  /// Current (gauge) value.
  double value(MetricId id) const { return state_[id].value; }
  /// Gauge integral over the window [window_start, end] in value-seconds (after finish).
  double integral(MetricId id) const;
  /// Gauge time-weighted average over the window (after finish; 0 for an empty window).
  double average(MetricId id) const;
  /// Smallest gauge value held for a positive duration (after finish; the current value
  /// if none was).
  double min(MetricId id) const;
  /// Largest gauge value held for a positive duration (after finish; as min otherwise).
  double max(MetricId id) const;
  /// The interval series from time 0, the warm-up included (empty unless kept; complete
  /// after finish).
  std::span<const double> series(MetricId id) const;
  /// The intervals of the series that overlap the window, from window_first_interval() on,
  /// each averaged over its part in the window: the first one over [window_start, its end),
  /// the last one up to `end` (empty unless kept; after finish). The whole series when the
  /// window starts at 0.
  std::vector<double> window_series(MetricId id) const;
  /// Nearest-rank percentile `p` in [0, 100] of the window series (0 if it is empty).
  double percentile(MetricId id, double p) const;

  /// Length of a series interval.
  Time sample_interval() const { return interval_; }
  /// Time passed to finish (zero before).
  Time end() const { return end_; }
  /// Start of the measured window (zero unless start_window was called).
  Time window_start() const { return window_start_; }
  /// Index of the series interval that holds window_start().
  std::size_t window_first_interval() const { return window_first_; }

 private:
  /// Hot state of one metric: 48 bytes.
  struct State {
    std::int64_t last_ns = 0;  // gauge: time of the last set
    double value = 0.0;        // gauge: current value; counter: total
    double integral = 0.0;     // gauge: value x ns up to last_ns
    double min;                // +inf until a value was held for a positive duration
    double max;                // -inf until then
    std::int32_t series = -1;  // index into series_, -1 if none
  };
  struct Meta {
    std::uint32_t entity;
    std::uint32_t name;
    MetricKind kind;
  };
  struct Series {
    std::int64_t next_boundary_ns;  // end of the interval being accumulated
    double partial = 0.0;           // value x ns within it (from the window start in the
                                    // interval that holds it)
    double before_window = 0.0;     // value x ns of that interval before the window start
    double window_head = 0.0;       // average of that interval over its part in the window
    std::vector<double> values;
  };

  MetricId add_metric(std::string_view entity, std::string_view name, MetricKind kind,
                      bool keep_series);
  /// Lists metric `id` (entity `e`, name `n`) among its entity's.
  void index_metric(std::uint32_t e, std::uint32_t n, MetricId id);
  /// Accounts for the current value held over [last_ns, to_ns). Inline for the common
  /// case, within the interval its series is in; cross_intervals closes the intervals
  /// passed and returns the start of the last one's part.
  void advance(MetricId id, std::int64_t to_ns) {
    State& st = state_[id];
    if (to_ns == st.last_ns) return;
    const double v = st.value;
    st.integral += v * static_cast<double>(to_ns - st.last_ns);
    st.min = std::min(st.min, v);
    st.max = std::max(st.max, v);
    if (st.series >= 0) {
      Series& se = series_[static_cast<std::size_t>(st.series)];
      std::int64_t from = st.last_ns;
      if (to_ns >= se.next_boundary_ns) from = cross_intervals(se, v, from, to_ns);
      se.partial += v * static_cast<double>(to_ns - from);
    }
    st.last_ns = to_ns;
  }
  std::int64_t cross_intervals(Series& se, double v, std::int64_t from, std::int64_t to_ns);
  void open_window(MetricId id);
  void close_interval(Series& se, std::int64_t interval_end_ns);
  static std::uint64_t pair_key(std::uint32_t entity, std::uint32_t name) {
    return (static_cast<std::uint64_t>(entity) << 32) | name;
  }

  Time interval_;
  Time end_ = Time::zero();
  Time window_start_ = Time::zero();
  std::size_t window_first_ = 0;
  bool finished_ = false;
  bool window_started_ = false;
  std::vector<State> state_;
  std::vector<Meta> meta_;
  std::vector<Series> series_;
  std::vector<std::string> entity_names_, names_;
  std::unordered_map<std::string, std::uint32_t, TransparentHash, std::equal_to<>> entity_index_,
      name_index_;
  // Registration runs entity by entity with names that are mostly the models' constants:
  // the last entity is compared before any hashing, and a name is looked up by the address
  // of its characters first (the hit checked against the stored text, so a reused address
  // cannot alias another name).
  std::uint32_t entity_intern(std::string_view entity);
  std::uint32_t name_intern(std::string_view name);
  struct NameCacheSlot {
    const char* data = nullptr;
    std::size_t size = 0;
    std::uint32_t id = 0;
  };
  static constexpr std::size_t name_cache_size = 256;
  std::vector<NameCacheSlot> name_cache_ = std::vector<NameCacheSlot>(name_cache_size);
  std::uint32_t last_entity_ = 0;
  std::size_t expected_intervals_ = 0;  // expect_end's: intervals each series reserves
  // An entity's metrics are found by scanning its few ids; only entities with more than
  // `scan_limit` metrics are indexed by (entity, name) here.
  static constexpr std::size_t scan_limit = 64;
  std::unordered_map<std::uint64_t, MetricId> by_pair_;
  std::vector<std::vector<MetricId>> of_entity_;
  std::optional<MetricId> find_in(std::uint32_t entity, std::uint32_t name) const;
};

}  // namespace vdc::sim
