#pragma once
/// Queueing formulas of reference D: the fluid CPU model's ready-time estimate, the capacity
/// report's headroom under the ready threshold, and the analytic checks of the detailed
/// model. Pure functions of their arguments: they know no model.

namespace vdc::sim {

/// Erlang C: probability that a burst must wait in an M/M/c queue with `servers` logical
/// CPUs and offered load `offered` = lambda / mu (< servers) (reference D.2).
[[nodiscard]] double erlang_c(int servers, double offered);

/// Mean wait in queue of M/M/c, in units of the mean burst: C / (c (1 - rho)) with
/// rho = offered / servers (reference D.2).
[[nodiscard]] double erlang_c_wait(int servers, double offered);

/// Per-source time fractions of the closed finite-source model (machine repairman,
/// M/M/c//N, reference D.4).
struct FiniteSource {
  double run = 0.0;    ///< fraction of time a source is served (per-VM %RUN)
  double ready = 0.0;  ///< fraction of time it waits for a server (per-VM %RDY)
};

/// The machine-repairman model: `sources` sources, each busy a fraction `busy_alone`
/// (in [0, 1)) of the time when it never waits, sharing `servers` servers. Product form,
/// so it holds for any think and burst distributions under processor sharing (BCMP).
/// Example (reference D.4): 6 sources at 0.15 on 1 server: run 0.1265, ready 0.1568.
[[nodiscard]] FiniteSource machine_repairman(int sources, int servers, double busy_alone);

}  // namespace vdc::sim
