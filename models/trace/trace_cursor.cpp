#include "vdc/models/trace/trace_cursor.hpp"

#include <algorithm>
#include <limits>

namespace vdc::models::trace {
namespace {

static_assert(sizeof(TraceCursor) <= 32, "a cursor is per-VM state: 20,000 VMs must fit");

/// t + d for d >= 0, or Time::max() when that is not representable.
sim::Time saturating_add(sim::Time t, std::int64_t d) {
  return t.ns() > std::numeric_limits<std::int64_t>::max() - d ? sim::Time::max()
                                                               : t + sim::Time::from_ns(d);
}

}  // namespace

TraceCursor::TraceCursor(const TraceSeries& series, sim::Time offset, double scale, TraceEnd at_end)
    : series_(&series), offset_ns_(offset.ns()), scale_(scale), at_end_(at_end) {
  // A non-negative offset only matters modulo the span when looping, and up to the span
  // otherwise: reducing it keeps t + offset far from overflow for any run length.
  const std::int64_t span_ns = series.span().ns();
  if (offset_ns_ >= 0)
    offset_ns_ = at_end == TraceEnd::loop ? offset_ns_ % span_ns : std::min(offset_ns_, span_ns);
}

std::int64_t TraceCursor::position(sim::Time t) const {
  const std::int64_t span_ns = series_->span().ns();
  if (offset_ns_ < 0 && t.ns() < -offset_ns_) return before_start;
  if (at_end_ == TraceEnd::loop) {
    // (t + offset) mod span, without forming t + offset.
    return offset_ns_ < 0 ? (t.ns() + offset_ns_) % span_ns
                          : (t.ns() % span_ns + offset_ns_) % span_ns;
  }
  std::int64_t tau = 0;
  if (__builtin_add_overflow(t.ns(), offset_ns_, &tau) || tau >= span_ns) return past_end;
  return tau;
}

double TraceCursor::value_at(sim::Time t) {
  const std::int64_t pos = position(t);
  if (pos == before_start) return 0.0;
  if (pos == past_end) {
    return at_end_ == TraceEnd::hold ? scale_ * series_->value(series_->size() - 1) : 0.0;
  }
  hint_ = series_->index_at(pos / series_->tick_ns(), hint_);
  return scale_ * series_->value(hint_);
}

sim::Time TraceCursor::next_change(sim::Time t) {
  const std::int64_t pos = position(t);
  if (pos == before_start) return sim::Time::from_ns(-offset_ns_);
  if (pos == past_end) return sim::Time::max();
  hint_ = series_->index_at(pos / series_->tick_ns(), hint_);
  const std::size_t next = std::size_t{hint_} + 1;
  // Holding the last sample past the end changes nothing, nor does looping a single one;
  // stopping drops to 0 there.
  if (next == series_->size() &&
      (at_end_ == TraceEnd::hold || (at_end_ == TraceEnd::loop && next == 1))) {
    return sim::Time::max();
  }
  const std::int64_t boundary_ns = series_->start_ticks(next) * series_->tick_ns();
  return saturating_add(t, boundary_ns - pos);
}

}  // namespace vdc::models::trace
