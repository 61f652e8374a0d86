#include "vdc/models/workload/cpu_generator.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <numbers>
#include <type_traits>

namespace vdc::models::workload {

namespace {

double ns_of(sim::Time t) { return static_cast<double>(t.ns()); }

// cos without libm, so a seed gives the same levels on every platform (as sim::RngStream
// does for its distributions): range-reduce to [-pi, pi], then a Taylor series to x^20.
double det_cos(double x) {
  constexpr double two_pi = 2.0 * std::numbers::pi;
  const double k = static_cast<double>(static_cast<std::int64_t>(x / two_pi));
  x -= k * two_pi;
  if (x > std::numbers::pi) x -= two_pi;
  if (x < -std::numbers::pi) x += two_pi;
  const double x2 = x * x;
  double term = 1.0;
  double sum = 1.0;
  for (int n = 1; n <= 10; ++n) {
    term *= -x2 / static_cast<double>((2 * n - 1) * (2 * n));
    sum += term;
  }
  return sum;
}

}  // namespace

VcpuGenerator::VcpuGenerator(const CpuWorkload& spec, std::uint64_t root_seed,
                             std::string_view stream_name, sim::Time constant_period)
    : period_(constant_period), rng_(root_seed, stream_name) {
  assert(period_ > sim::Time::zero());
  std::visit(
      [this](const auto& w) {
        using W = std::decay_t<decltype(w)>;
        if constexpr (std::is_same_v<W, ConstantCpu>) {
          kind_ = Kind::constant;
          demand_ = std::clamp(w.demand, 0.0, 1.0);
        } else if constexpr (std::is_same_v<W, OnOffCpu>) {
          kind_ = Kind::on_off;
          on_off_ = w;
        } else if constexpr (std::is_same_v<W, DiurnalCpu>) {
          kind_ = Kind::diurnal;
          diurnal_ = w;
          assert(diurnal_.step > sim::Time::zero());
        } else if constexpr (std::is_same_v<W, TasksCpu>) {
          kind_ = Kind::tasks;
          tasks_ = w;
          tasks_left_ = std::max(0, w.count);
        } else {
          static_assert(std::is_same_v<W, TraceCpu>);
          kind_ = Kind::trace;
        }
      },
      spec);
}

void VcpuGenerator::restart() {
  if (kind_ == Kind::tasks) tasks_left_ = std::max(0, tasks_.count);
  phased_ = false;
}

Burst VcpuGenerator::first_phase(sim::Time now) {
  // Periodic bursts start at a random point of their period, so that vCPUs (of one VM or
  // of many) are not all in step from time zero.
  phased_ = true;
  const sim::Time offset = period_ * rng_.uniform01();
  next_start_ = now + offset;
  return Burst{0.0, offset, next_start_};
}

double VcpuGenerator::draw(double mean) {
  if (mean <= 0.0) return 0.0;
  switch (on_off_.distribution) {
    case BurstDistribution::exponential: return rng_.exponential(mean);
    case BurstDistribution::deterministic: return mean;
    case BurstDistribution::lognormal: return rng_.lognormal_mean_cv(mean, on_off_.cv);
    case BurstDistribution::pareto: return rng_.pareto(on_off_.alpha, mean);
  }
  return mean;
}

double VcpuGenerator::diurnal_level(std::int64_t step) {
  // Noise is drawn once per step, in step order, whichever steps the caller asks for, so
  // the levels of a vCPU depend only on its stream.
  while (step_ < step) {
    ++step_;
    const sim::Time start = diurnal_.step * step_;
    const double phase = 2.0 * std::numbers::pi * ns_of((start - diurnal_.peak) % one_day) /
                         ns_of(one_day);
    double level = diurnal_.mean + diurnal_.amplitude * det_cos(phase);
    if (diurnal_.noise > 0.0) level += rng_.normal(0.0, diurnal_.noise);
    step_level_ = std::clamp(level, 0.0, 1.0);
  }
  return step_level_;
}

Level VcpuGenerator::diurnal_at(sim::Time now) {
  const std::int64_t step = now.ns() / diurnal_.step.ns();
  return Level{diurnal_level(step), diurnal_.step * (step + 1)};
}

Level VcpuGenerator::trace_at(sim::Time now) {
  assert(cursor_.has_value() && "the driver sets a trace's cursor before using it");
  return Level{std::max(0.0, cursor_->value_at(now)), cursor_->next_change(now)};
}

Level VcpuGenerator::level(sim::Time now) {
  switch (kind_) {
    case Kind::constant: return Level{demand_, sim::Time::max()};
    case Kind::on_off: {
      const double run = ns_of(on_off_.run);
      const double cycle = run + ns_of(on_off_.idle);
      return Level{cycle > 0.0 ? run / cycle : 0.0, sim::Time::max()};
    }
    case Kind::diurnal: return diurnal_at(now);
    case Kind::trace: return trace_at(now);
    case Kind::tasks: break;
  }
  assert(false && "work-based generators have no level");
  return Level{};
}

VcpuGenerator::BurstShape VcpuGenerator::burst_shape(double level) const {
  switch (kind_) {
    case Kind::on_off: return BurstShape{ns_of(on_off_.run), ns_of(on_off_.idle), true};
    case Kind::tasks: return BurstShape{ns_of(tasks_.size), 0.0, false};
    case Kind::constant:
    case Kind::diurnal:
    case Kind::trace: break;
  }
  const double d = std::clamp(level, 0.0, 1.0);
  return BurstShape{d * ns_of(period_), (1.0 - d) * ns_of(period_), false};
}

std::optional<Burst> VcpuGenerator::next_burst(sim::Time now) {
  constexpr double forever = std::numeric_limits<double>::infinity();
  switch (kind_) {
    case Kind::constant:
      if (demand_ <= 0.0) return std::nullopt;
      if (demand_ >= 1.0) return Burst{forever, sim::Time::zero()};
      if (!phased_) return first_phase(now);
      next_start_ += period_;
      return Burst{demand_ * ns_of(period_), period_ * (1.0 - demand_), next_start_};
    case Kind::on_off:
      return Burst{draw(ns_of(on_off_.run)),
                   sim::Time::from_ns(sim::Time::round_to_ns(draw(ns_of(on_off_.idle))))};
    case Kind::diurnal:
    case Kind::trace: {
      const Level l = kind_ == Kind::diurnal ? diurnal_at(now) : trace_at(now);
      if (l.until == sim::Time::max()) {
        // The level holds for good: as a constant demand.
        if (l.demand <= 0.0) return std::nullopt;
        if (l.demand >= 1.0) return Burst{forever, sim::Time::zero()};
      }
      if (l.demand <= 0.0 || l.demand >= 1.0) {
        // No periodic arrivals until the level changes: they resume from then, instead of
        // catching up on the ones this interval did not have.
        next_start_ = l.until;
        if (l.demand <= 0.0) return Burst{0.0, l.until - now};
        return Burst{ns_of(l.until - now), sim::Time::zero()};
      }
      if (!phased_) return first_phase(now);
      next_start_ += period_;
      return Burst{l.demand * ns_of(period_), period_ * (1.0 - l.demand), next_start_};
    }
    case Kind::tasks:
      if (tasks_left_ <= 0) return std::nullopt;
      --tasks_left_;
      return Burst{ns_of(tasks_.size), sim::Time::zero()};
  }
  return std::nullopt;
}

}  // namespace vdc::models::workload
