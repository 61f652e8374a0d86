#pragma once
/// The arguments of `vdcsim sweep` and `vdcsim headroom` (docs/sweeps.md).

#include <optional>
#include <string>
#include <vector>

namespace vdc::cli {

struct SweepArgs {
  std::string scenario;
  std::optional<unsigned> jobs;        ///< none: the cores (1 per rank under MPI)
  std::optional<std::string> out_dir;  ///< none: ./vdcsim-out/<scenario name>-sweep
  bool runs = false;                   ///< also each run's report.json under DIR/runs/
  bool quiet = false;
};

struct HeadroomArgs {
  std::string scenario;
  std::string add;                     ///< the VM profile of the added VMs
  std::string cluster;                 ///< empty: the only cluster
  std::vector<std::string> until;      ///< METRIC>LIMIT; none: the capacity report's thresholds
  std::optional<unsigned> jobs;
  int replications = 0;                ///< 0: 1 for a deterministic workload, else 5
  int max = 4096;
  bool quiet = false;
};

/// `vdcsim sweep SCENARIO [--jobs N] [--out DIR] [--runs]`.
int sweep_command(const SweepArgs& args);
/// `vdcsim headroom SCENARIO --add PROFILE [--cluster NAME] [--until METRIC>LIMIT]...`.
int headroom_command(const HeadroomArgs& args);

}  // namespace vdc::cli
