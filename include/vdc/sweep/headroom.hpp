#pragma once
/// Headroom by simulation (docs/sweeps.md "Headroom"): how many more VMs of a profile a
/// cluster takes before a limit is crossed, found by exponential then binary search over
/// simulated runs, beside the capacity report's analytic estimate.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vdc/scenario/diagnostic.hpp"

namespace vdc::sweep {

/// A limit: a value read from a run's report.json that must stay at or below `limit`.
struct Limit {
  std::string name;         ///< "cpu_util", or the metric as written for --until
  std::string description;  ///< what is measured, for the report
  std::function<double(const nlohmann::ordered_json& report)> value;
  double limit = 0.0;
};

/// The capacity report's four thresholds (report::CapacitySettings' defaults) as simulated
/// limits: cpu_util (the busiest host's average CPU use of its cores above 80%), cpu_ready
/// (the 95th-percentile VM's per-vCPU ready above 5%), mem_state (any host's time below the
/// high and clear states, soft or worse, above 0%), mem_util (the busiest host's average
/// consumed memory above 100% of its memory).
[[nodiscard]] std::vector<Limit> default_limits();

/// `METRIC>LIMIT` (a sweep metric, docs/sweeps.md, and a number); throws
/// std::invalid_argument saying what is wrong.
[[nodiscard]] Limit parse_limit(const std::string& text);

/// What `vdcsim headroom` asks.
struct HeadroomQuery {
  std::string profile;               ///< the VM profile of the added VMs
  std::string cluster;               ///< the cluster that places them; empty: the only one
  std::vector<Limit> limits;         ///< empty: default_limits()
  int replications = 0;              ///< 0: 1 for a deterministic workload, else 5
  int max_count = 4096;              ///< the search gives up past this many added VMs
  unsigned jobs = 1;                 ///< worker threads for the replications of a count
  std::function<void(int count, bool fits)> progress;  ///< after each count is judged
};

/// One count the search simulated.
struct Probe {
  int count = 0;
  std::vector<double> values;  ///< per limit, mean over the replications
  bool fits = false;
};

/// What the search found.
struct HeadroomResult {
  std::string cluster;       ///< where the VMs were added ("" without clusters)
  int replications = 1;
  bool random = false;       ///< two seeds gave different reports
  int count = 0;             ///< the most added VMs that cross no limit
  bool capped = false;       ///< no limit was crossed within max_count
  std::vector<std::string> binding;  ///< the limits crossed at count + 1
  std::vector<Probe> probes;         ///< in the order simulated
  std::vector<Limit> limits;
  std::optional<int> estimate;       ///< the capacity report's headroom in VMs of the profile
  std::string estimate_binding;      ///< its binding threshold
};

/// Problems of the query or the scenario, each one line (loader diagnostics included).
struct HeadroomError {
  std::vector<std::string> messages;
};

/// Runs the search on the scenario `yaml` (named `display_name`). Throws HeadroomError for an
/// invalid scenario, profile or cluster.
[[nodiscard]] HeadroomResult find_headroom(const std::string& yaml, const std::string& display_name,
                                           const HeadroomQuery& query);

}  // namespace vdc::sweep
