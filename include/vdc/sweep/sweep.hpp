#pragma once
/// What-if sweeps (docs/sweeps.md): a scenario's `sweep:` section read into a plan (a grid
/// of parameter values, replications, metrics), every point loaded by the normal loader,
/// the runs made on a pool of threads or spread over MPI ranks, and the results written as
/// sweep.json, sweep.csv, a text table and sweep.html.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vdc/models/inventory.hpp"
#include "vdc/scenario/diagnostic.hpp"

namespace vdc::sweep {

struct PlanTree;

/// How a metric folds the values of its entities into one number.
enum class Aggregate { mean, max, min, sum, p50, p95, p99 };

/// One metric: `<kind>.<report.json field path>.<aggregate>`.
struct Metric {
  std::string text;       ///< as written: "vms.cpu.ready_pct.p95"
  std::string kind;       ///< vms, hosts, datastores, uplinks, gpus or clusters
  std::string array;      ///< the report.json array it reads: "vms", "network.uplinks"
  std::string field;      ///< the field inside each entity: "cpu.ready_pct"
  Aggregate aggregate = Aggregate::mean;
  int line = 0;           ///< where it is written (1-based)
  int column = 0;
};

/// One swept parameter: a dotted path into the scenario and the values it takes.
struct Parameter {
  std::string path;                 ///< "vm_profiles.web.vcpus"
  std::vector<std::string> values;  ///< each value as written (YAML flow text for non-scalars)
};

/// A sweep ready to run: the scenario's text, its grid, its replications and metrics.
struct Plan {
  std::string file;        ///< the scenario as named (diagnostics)
  std::string name;        ///< the scenario's name
  std::uint64_t seed = 0;  ///< replication r runs with seed + r
  int replications = 1;
  std::vector<Parameter> parameters;
  std::vector<Metric> metrics;

  /// Points of the grid: the product of the parameters' value counts (1 with none).
  [[nodiscard]] std::size_t points() const;
  /// points() x replications.
  [[nodiscard]] std::size_t runs() const { return points() * static_cast<std::size_t>(replications); }
  /// The value index of each parameter at `point`; the last parameter varies fastest.
  [[nodiscard]] std::vector<std::size_t> choice(std::size_t point) const;
  /// The scenario of `point`, loaded as `vdcsim run` loads a file; its seed is the base seed.
  /// Throws std::runtime_error when it does not load (load_plan checked every point).
  [[nodiscard]] models::ScenarioConfig config(std::size_t point) const;

  /// The parsed scenario and where each parameter's values are (apps/sweep/plan_tree.hpp).
  std::shared_ptr<const PlanTree> tree;
};

/// A plan, or every problem of the file (the loader's, and the sweep section's).
struct PlanLoad {
  std::optional<Plan> plan;
  std::vector<scenario::Diagnostic> diagnostics;
  [[nodiscard]] bool ok() const { return plan.has_value(); }
};

/// Reads `yaml`'s `sweep:` section, applies every point of its grid and loads it with the
/// scenario loader, and checks the metrics against the report.json of a short probe run of
/// the scenario: errors name the file, line and column, with a did-you-mean. A scenario
/// without `sweep:` is a sweep of one point. The points are loaded on up to `jobs` threads;
/// the result does not depend on their number.
[[nodiscard]] PlanLoad load_plan(std::string_view yaml, std::string display_name, unsigned jobs = 1);
/// load_plan() of a file's text.
[[nodiscard]] PlanLoad load_plan_file(const std::string& path, unsigned jobs = 1);
/// load_plan_file() of a file that has a `sweep:` section, checked exactly as `vdcsim sweep`
/// checks it before running (`vdcsim validate`); none for a file without one, or one that
/// cannot be read or parsed (the scenario loader reports those).
[[nodiscard]] std::optional<PlanLoad> check_sweep_file(const std::string& path, unsigned jobs = 1);

/// The value of each metric of `plan` in the report.json text `report`; throws
/// std::runtime_error naming the metric when its array or field is missing.
[[nodiscard]] std::vector<double> measure(const std::vector<Metric>& metrics, std::string_view report);

/// The simulated scenario of `config` as report.json text (analysed with default settings).
[[nodiscard]] std::string report_of(const models::ScenarioConfig& config,
                                    const std::atomic<bool>* stop = nullptr, bool* partial = nullptr);

/// Mean, standard deviation and 95% confidence interval of one metric's replications.
struct Stats {
  double mean = 0.0;
  double sd = 0.0;  ///< sample standard deviation (n - 1); 0 for one value
  std::optional<std::pair<double, double>> ci95;  ///< Student t; none for fewer than 2 values
};

/// The two-sided 95% Student t quantile for `df` degrees of freedom (t_{0.975, df}).
[[nodiscard]] double t975(int df);
/// The statistics of `values`.
[[nodiscard]] Stats describe(std::span<const double> values);

/// Run index i is point i / replications, replication i % replications.
struct Results {
  std::vector<std::vector<double>> values;  ///< per run, per metric
  std::vector<bool> done;                   ///< per run: finished (not interrupted)
  std::vector<std::string> reports;         ///< per run, when kept: report.json text
  bool partial = false;                     ///< interrupted before every run finished
};

/// How the runs are made.
struct Execution {
  unsigned jobs = 1;                        ///< worker threads
  bool keep_reports = false;                ///< keep each run's report.json
  const std::atomic<bool>* stop = nullptr;  ///< set to stop: runs under way are dropped
  /// Called from the workers (serialised) after each run with the runs finished so far
  /// and the points whose replications all finished.
  std::function<void(std::size_t runs_done, std::size_t points_done)> progress;
};

/// Makes the runs `indices` of `plan` (all when empty) on `how.jobs` threads. Each run is
/// single-threaded and deterministic, so the results do not depend on the number of jobs.
[[nodiscard]] Results execute(const Plan& plan, const Execution& how, std::span<const std::size_t> indices = {});

/// True when the program was started by an MPI launcher (mpirun sets its rank variables)
/// and was built with MPI.
[[nodiscard]] bool under_mpi();
/// True when built with MPI.
[[nodiscard]] bool mpi_built();

/// An MPI job: init in the constructor, finalize in the destructor.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  /// Makes this rank's share of the runs (run i goes to rank i mod size) with `how` and
  /// gathers every rank's results on rank 0; the other ranks get empty Results.
  [[nodiscard]] Results execute(const Plan& plan, const Execution& how) const;
  /// Ends every rank with `status` (after rank 0 failed alone).
  [[noreturn]] void abort(int status) const;
  /// Ends this rank with `status` once every rank has called it (rank 0 after writing its
  /// files), its output flushed and without MPI_Finalize: after a Ctrl-C, mpirun is taking
  /// the job down, and a finalize would wait for it until the SIGKILL that follows.
  [[noreturn]] void leave(int status) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

/// sweep.json: per point its parameters and, per metric, the replications' values in seed
/// order with their mean, sd and ci95. Only the points whose replications all finished.
[[nodiscard]] std::string sweep_json(const Plan& plan, const Results& results);
/// sweep.csv: one row per finished point, the parameters then, per metric, mean, sd,
/// ci95 bounds and each replication's value.
[[nodiscard]] std::string sweep_csv(const Plan& plan, const Results& results);
/// The grid as a table of means with their 95% confidence intervals.
void write_text(std::ostream& out, const Plan& plan, const Results& results);
/// sweep.html: per metric, a chart of its mean against the first parameter, one line per
/// combination of the others, with the 95% confidence interval as a band; inline SVG.
[[nodiscard]] std::string sweep_html(const Plan& plan, const Results& results);

/// The file name of run `index`'s report.json under DIR/runs/.
[[nodiscard]] std::string run_file_name(const Plan& plan, std::size_t index);

}  // namespace vdc::sweep
