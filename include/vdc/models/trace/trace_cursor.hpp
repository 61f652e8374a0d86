#pragma once
/// Per-VM replay state over a shared TraceSeries: what a CPU driver holds for each VM and
/// asks for the demand now and the time of its next change (docs/traces.md "Replay").

#include <cstdint>

#include "vdc/models/inventory.hpp"
#include "vdc/models/trace/trace_series.hpp"
#include "vdc/sim/time.hpp"

namespace vdc::models::trace {

/// Replays `series` from simulation time zero: at time t >= 0 the cursor plays trace time
/// t + offset, multiplied by scale. Before trace time 0 (negative offset) the value is 0.
/// Past the end of the span: `loop` starts over from trace time 0 (period span()), `hold`
/// keeps the last sample's value, `stop` gives 0. The value is right-continuous: at a
/// sample's start time it is already that sample's value. 32 bytes per VM; the series is
/// borrowed and must outlive the cursor (TraceCache keeps it).
class TraceCursor {
 public:
  /// A cursor over `series` starting at trace time `offset`, values multiplied by `scale`.
  TraceCursor(const TraceSeries& series, sim::Time offset, double scale, TraceEnd at_end);

  /// The scaled value in force at simulation time `t` (any t >= 0; cheapest when t does
  /// not decrease between calls).
  [[nodiscard]] double value_at(sim::Time t);
  /// The first simulation time after `t` at which the value may change (a sample boundary,
  /// the wrap of a loop, the drop to 0 of a stopped trace), or sim::Time::max() when it
  /// never changes again.
  [[nodiscard]] sim::Time next_change(sim::Time t);

  /// The series replayed.
  [[nodiscard]] const TraceSeries& series() const { return *series_; }
  /// The factor applied to every value.
  [[nodiscard]] double scale() const { return scale_; }

 private:
  /// position() before trace time 0 (negative offset), and past the end without looping.
  static constexpr std::int64_t before_start = -1;
  static constexpr std::int64_t past_end = -2;
  /// Position in the span (ns) played at simulation time `t` >= 0, or one of the above.
  [[nodiscard]] std::int64_t position(sim::Time t) const;

  const TraceSeries* series_;
  std::int64_t offset_ns_;
  double scale_;
  std::uint32_t hint_ = 0;
  TraceEnd at_end_;
};

}  // namespace vdc::models::trace
