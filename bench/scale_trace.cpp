// Scale benchmark of trace replay on the Bitbrains GWA-T-12 "Rnd" month
// (shared/data/bitbrains_rnd/2013-7: 100 VMs, 832,073 rows):
//  1. parse: read, gunzip and parse the 100 files through a TraceCache, wall time;
//  2. replay: every VM's cursor driven through the whole month in time order by the
//     engine's event queue, one event per demand change, as a fluid CPU driver would;
//  3. 20,000 VMs: cursors over the same 100 shared series (different offsets), one day.
// Usage: scale_trace [folder of the 100 files] (default ../shared/data/bitbrains_rnd/2013-7).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bitbrains_files.hpp"
#include "vdc/models/trace/trace_cache.hpp"
#include "vdc/models/trace/trace_reader.hpp"
#include "vdc/sim/simulator.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using vdc::models::TraceCpu;
using vdc::models::TraceEnd;
using vdc::models::TraceFormat;
using vdc::models::trace::TraceCursor;
using vdc::models::trace::TraceSeries;
using vdc::sim::Time;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Drives each cursor through [0, end) with one engine event per demand change; returns the
/// events run and the total demand integral (value-seconds), which must not depend on order.
std::pair<std::uint64_t, double> replay(std::vector<TraceCursor>& cursors, Time end) {
  vdc::sim::Simulator sim;
  double integral = 0.0;
  struct Step {
    vdc::sim::Simulator* sim;
    TraceCursor* cursor;
    double* integral;
    Time end;
    void operator()() const {
      const Time now = sim->now();
      const double v = cursor->value_at(now);
      const Time next = std::min(cursor->next_change(now), end);
      *integral += v * (next - now).seconds();
      if (next < end) sim->at(next, *this);
    }
  };
  for (auto& c : cursors) sim.at(Time::zero(), Step{&sim, &c, &integral, end});
  sim.run();
  return {sim.events_processed(), integral};
}

}  // namespace

int main(int argc, char** argv) {
  const auto found = vdc::bench::bitbrains_files(argc, argv, "scale_trace");
  if (!found) return 2;
  const std::vector<std::string>& files = *found;

  // 1. Parse, with gunzip and parse timed apart (rows counted on the side, untimed).
  std::size_t rows = 0;
  double gunzip_s = 0.0;
  for (const auto& f : files) {
    const auto t0 = Clock::now();
    const std::string text = vdc::models::trace::read_trace_file(f);
    gunzip_s += seconds_since(t0);
    rows += static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 1;
  }
  vdc::models::trace::TraceCache cache;
  std::vector<const TraceSeries*> series;
  const auto parse_start = Clock::now();
  for (const auto& f : files) {
    TraceCpu trace;
    trace.format = TraceFormat::bitbrains;
    trace.file = f;
    trace.column = "cpu_mhz";
    trace.at_end = TraceEnd::stop;
    series.push_back(&cache.get(trace));
  }
  const double parse_s = seconds_since(parse_start);
  std::size_t samples = 0;
  Time longest;
  for (const auto* s : series) {
    samples += s->size();
    longest = std::max(longest, s->span());
  }
  fmt::print(
      "parse: {} files, {} rows, {:.3f} s wall (read+gunzip alone {:.3f} s); {} samples kept, "
      "{:.1f} MB held ({:.2f} bytes/sample incl. overhead)\n",
      files.size(), rows, parse_s, gunzip_s, samples, static_cast<double>(cache.bytes()) / 1e6,
      static_cast<double>(cache.bytes()) / static_cast<double>(samples));

  // 2. Replay the month.
  std::vector<TraceCursor> cursors;
  for (const auto* s : series) cursors.emplace_back(*s, Time::zero(), 1.0, TraceEnd::stop);
  const auto replay_start = Clock::now();
  const auto [events, integral] = replay(cursors, longest);
  const double replay_s = seconds_since(replay_start);
  double expected = 0.0;
  for (const auto* s : series) expected += s->integral();
  fmt::print(
      "replay: 100 VMs over {} ({} demand changes): {:.3f} s wall; demand {:.6e} MHz*s "
      "(trace integral {:.6e})\n",
      longest, events, replay_s, integral, expected);

  // 3. 20,000 VMs sharing the 100 series.
  std::vector<TraceCursor> many;
  many.reserve(20'000);
  for (int i = 0; i < 20'000; ++i) {
    many.emplace_back(*series[static_cast<std::size_t>(i) % series.size()],
                      Time::from_seconds(static_cast<double>(i) * 97.0), 1.0, TraceEnd::loop);
  }
  const auto many_start = Clock::now();
  const auto [many_events, many_integral] = replay(many, Time::from_seconds(86'400.0));
  fmt::print(
      "20,000 VMs: {} KB of cursors ({} B each) over {} MB of shared series; one day, "
      "{} demand changes: {:.3f} s wall (demand {:.3e} MHz*s)\n",
      many.size() * sizeof(TraceCursor) / 1024, sizeof(TraceCursor),
      static_cast<double>(cache.bytes()) / 1e6, many_events, seconds_since(many_start),
      many_integral);
  return 0;
}
