#pragma once
/// CPU demand of one vCPU over time, generated lazily from a workload of the scenario
/// (docs/scenario.md "Workload kinds"). Both CPU fidelities read it: the detailed model as
/// run bursts and idle gaps, the fluid model as a piecewise-constant demand level.
///
/// Work is measured in nanoseconds of CPU time on one uncontended core at the host's
/// nominal frequency with local memory; the CPU models stretch it for hyperthread sharing
/// and remote NUMA memory.

#include <cstdint>
#include <optional>
#include <string_view>

#include "vdc/models/inventory.hpp"
#include "vdc/models/trace/trace_cursor.hpp"
#include "vdc/sim/rng.hpp"
#include "vdc/sim/time.hpp"

namespace vdc::models::workload {

/// Length of one day, the period of the diurnal workload.
inline constexpr sim::Time one_day = sim::Time::from_ns(86'400'000'000'000);

/// One run burst and what follows it.
struct Burst {
  /// CPU work of the burst, ns on an uncontended core; +infinity for a vCPU that stays
  /// busy until its demand level changes (a constant demand of 100%).
  double work_ns = 0.0;
  /// Idle (guest halted) time after the burst completes: the think time of on_off.
  sim::Time idle;
  /// Periodic workloads (constant, diurnal): when the next burst arrives, however long
  /// this one takes (open arrivals: a delayed burst does not delay the next one); the vCPU
  /// idles only until then. Time::max() for think-time workloads.
  sim::Time next_start = sim::Time::max();
};

/// A demand level of the fluid model: `demand` (fraction of one core, 0..1; a trace may
/// ask for more, which the CPU models cap at one core) holds from now until `until`
/// (Time::max() when it never changes).
struct Level {
  double demand = 0.0;
  sim::Time until = sim::Time::max();
};

/// Generator of one vCPU's CPU demand. Draws from its own random stream (by convention
/// named "vm/<vm>/vcpu<k>"), so adding a VM never changes another VM's draws.
class VcpuGenerator {
 public:
  /// `constant_period` is the burst period into which the detailed model cuts a constant
  /// demand (parameter workload.constant_period). A TraceCpu generator needs its cursor
  /// (set_trace) before its first level or burst.
  VcpuGenerator(const CpuWorkload& spec, std::uint64_t root_seed, std::string_view stream_name,
                sim::Time constant_period);

  /// Trace workloads: the cursor whose value is this vCPU's demand (per vCPU, fraction of a
  /// core at the host's frequency: trace::make_cpu_cursor). Set before the first use and
  /// again when the VM moves to a host of another frequency. The trace plays in simulation
  /// time, not from power-on.
  void set_trace(const trace::TraceCursor& cursor) { cursor_ = cursor; }

  /// True for the finite `tasks` workload, which the fluid model tracks as work (each
  /// task is one burst with no idle gap) rather than as a demand level.
  [[nodiscard]] bool work_based() const { return kind_ == Kind::tasks; }

  /// Detailed model: the burst that starts at `now`, or nothing when the vCPU has no more
  /// work at all (tasks done, or a constant demand of zero). A burst may have no work, only
  /// idle time.
  ///  - constant d: work d x period arriving every period, after a first idle of a
  ///    random fraction of the period (so vCPUs are not in step); d = 1 runs forever;
  ///  - on_off: run and idle drawn from the distribution with the given means;
  ///  - diurnal: like constant, with the level of the step containing `now`; at 100% the
  ///    burst lasts until the step ends, at 0% the vCPU idles until then, and periodic
  ///    arrivals resume from the step's end;
  ///  - trace: like diurnal, with the trace's value at `now` held until its next change
  ///    (at 0% for good once it never changes again: no more work);
  ///  - tasks: `count` bursts of `size`, no idle gap.
  std::optional<Burst> next_burst(sim::Time now);

  /// Fluid model: the demand level at `now` (constant: d; on_off: run / (run + idle);
  /// diurnal: the level of the current step; trace: its value until its next change). Not
  /// for work-based generators. Calls must not go back in time (the noise of each diurnal
  /// step is drawn once, in step order).
  Level level(sim::Time now);

  /// How the detailed model cuts this vCPU's demand into bursts, at demand `level`, for
  /// the fluid model's co-stop chain: the mean burst of work and the mean idle time after
  /// it (ns), and whether the idle time follows the burst's end (on_off: a delayed burst
  /// delays the next, so a starved vCPU idles as long as it would alone) or the bursts
  /// arrive periodically (constant, diurnal, trace: a starved vCPU builds a backlog; tasks:
  /// back to back).
  struct BurstShape {
    double burst_ns = 0.0;
    double idle_ns = 0.0;
    bool closed_loop = false;
  };
  [[nodiscard]] BurstShape burst_shape(double level) const;

  /// Tasks still to start (tasks workload), counting none started yet after restart().
  [[nodiscard]] int tasks_left() const { return tasks_left_; }

  /// Back to the start of the workload, as when the VM powers on again: all tasks to do.
  /// The random stream continues (a restarted VM does not replay its earlier draws).
  void restart();

 private:
  enum class Kind : std::uint8_t { constant, on_off, diurnal, tasks, trace };

  double draw(double mean);
  double diurnal_level(std::int64_t step);
  Burst first_phase(sim::Time now);
  Level diurnal_at(sim::Time now);
  Level trace_at(sim::Time now);

  // What a burst of a task or of a constant demand reads comes first, in the generator's
  // first 48 bytes: a fluid host asks for a task's next burst with nothing else of the
  // generator in the caches.
  Kind kind_ = Kind::constant;
  bool phased_ = false;     // the random start of periodic bursts was drawn
  int tasks_left_ = 0;
  double demand_ = 0.0;
  sim::Time period_;
  sim::Time next_start_;    // periodic bursts: when the next one arrives
  TasksCpu tasks_{};
  sim::RngStream rng_;
  OnOffCpu on_off_{};
  DiurnalCpu diurnal_{};
  std::optional<trace::TraceCursor> cursor_;
  std::int64_t step_ = -1;  // diurnal step whose noise was drawn last
  double step_level_ = 0.0;
};

}  // namespace vdc::models::workload
