#pragma once
/// A utilisation trace held in memory: piecewise-constant samples, shared by every VM that
/// replays the same file and column (docs/traces.md "Series").

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vdc/sim/time.hpp"

namespace vdc::models::trace {

/// What the values of a series measure, which decides how a driver turns them into demand.
enum class TraceUnit {
  percent,               ///< percent of the whole VM (planetlab, azure, csv, bitbrains cpu_pct)
  mhz,                   ///< MHz used by the whole VM (bitbrains cpu_mhz, csv columns named *mhz)
  kilobytes,             ///< KB = 1024 bytes (bitbrains memory columns, csv columns named *_kb)
  megabytes,             ///< MB = 2^20 bytes (csv columns named *_mb or *_mib)
  gigabytes,             ///< GB = 2^30 bytes (csv columns named *_gb or *_gib)
  kilobytes_per_second,  ///< KB/s (bitbrains disk and network columns)
  count,                 ///< a plain count (bitbrains CPU cores)
};

/// Name of a unit as docs/traces.md writes it ("percent", "MHz", ...).
[[nodiscard]] const char* to_string(TraceUnit unit);

/// Piecewise-constant samples: value(i) holds from time(i) until time(i + 1), and the last
/// one until span(). Time 0 is the first sample of the file. Compact: 8 bytes per sample
/// (uint32 time in ticks of 1 s or 1 ms, float value). Consecutive samples with equal values
/// are merged and of samples sharing a timestamp the last one wins (a zero-length interval
/// carries no demand), so size() can be smaller than the file's row count.
class TraceSeries {
 public:
  /// Builds a series from sample times (ticks of `tick` after the first sample, strictly
  /// increasing, the first 0), values (same length, at least one) and the end of the last
  /// sample (`end_ticks` > the last time). Asserted, not checked: readers produce these.
  TraceSeries(std::string source, TraceUnit unit, sim::Time tick, std::vector<std::uint32_t> times,
              std::vector<float> values, std::uint32_t end_ticks);

  /// Number of samples.
  [[nodiscard]] std::size_t size() const { return values_.size(); }
  /// Start of sample `i`, from the start of the trace.
  [[nodiscard]] sim::Time time(std::size_t i) const {
    return sim::Time::from_ns(static_cast<std::int64_t>(times_[i]) * tick_ns_);
  }
  /// Value of sample `i`, in unit().
  [[nodiscard]] double value(std::size_t i) const { return static_cast<double>(values_[i]); }
  /// Length of the trace: the end of its last sample.
  [[nodiscard]] sim::Time span() const {
    return sim::Time::from_ns(static_cast<std::int64_t>(end_ticks_) * tick_ns_);
  }
  /// Resolution of the stored times (1 s, or 1 ms for csv files with fractional seconds).
  [[nodiscard]] sim::Time tick() const { return sim::Time::from_ns(tick_ns_); }
  /// What the values measure.
  [[nodiscard]] TraceUnit unit() const { return unit_; }
  /// "<file>" or "<file> column <name>", for messages.
  [[nodiscard]] const std::string& source() const { return source_; }

  /// Index of the sample in force at `ticks` ticks after the start (0 <= ticks < span), found
  /// by binary search; `hint` is tried first and its successor next, so a forward replay costs
  /// O(1) per step.
  [[nodiscard]] std::uint32_t index_at(std::int64_t ticks, std::uint32_t hint) const;
  /// Start of sample `i` in ticks (i == size() gives the end of the span).
  [[nodiscard]] std::int64_t start_ticks(std::size_t i) const {
    return i < times_.size() ? static_cast<std::int64_t>(times_[i])
                             : static_cast<std::int64_t>(end_ticks_);
  }
  /// The tick length in nanoseconds.
  [[nodiscard]] std::int64_t tick_ns() const { return tick_ns_; }

  /// Integral of the value over the span, in value-seconds (MHz*s, percent*s, ...), summed in
  /// double precision: what a replay over one span must reproduce.
  [[nodiscard]] double integral() const;
  /// Heap and object bytes held by this series.
  [[nodiscard]] std::size_t bytes() const;

 private:
  std::string source_;
  TraceUnit unit_;
  std::int64_t tick_ns_;
  std::vector<std::uint32_t> times_;
  std::vector<float> values_;
  std::uint32_t end_ticks_;
};

/// Samples as a reader collects them, before compaction into a TraceSeries.
struct RawSamples {
  /// Sample times in ticks, non-decreasing, any origin (the first becomes 0).
  std::vector<std::int64_t> times;
  /// Values, one per time.
  std::vector<double> values;
};

/// Compacts `raw` (at least one sample) into a series: shifts times so the first is 0, keeps
/// the last of samples sharing a time, merges equal consecutive values, and ends the last
/// sample one interval after it (the interval before it; `single_step_ticks` when there is
/// a single distinct time). Throws TraceError (file `file`) when the span does not fit in
/// uint32 ticks, or when there is a single distinct time and `single_step_ticks` <= 0.
[[nodiscard]] TraceSeries compact(const RawSamples& raw, std::string source,
                                  const std::string& file, TraceUnit unit, sim::Time tick,
                                  std::int64_t single_step_ticks);

}  // namespace vdc::models::trace
