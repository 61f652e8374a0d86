#pragma once
/// What the sweep's output files share (internal to apps/sweep).

#include <cstddef>
#include <string>
#include <vector>

#include "vdc/sweep/sweep.hpp"

namespace vdc::sweep {

/// A point whose replications all finished, with each metric's values and statistics.
struct PointStats {
  std::size_t point = 0;
  std::vector<std::size_t> choice;          ///< value index of each parameter
  std::vector<std::vector<double>> values;  ///< per metric, per replication
  std::vector<Stats> stats;                 ///< per metric
};

/// The finished points of `results`, in grid order.
[[nodiscard]] std::vector<PointStats> finished_points(const Plan& plan, const Results& results);

/// Rounded to six decimals, as report.json rounds, without "-0".
[[nodiscard]] double rounded(double v);

/// "12.3 ± 0.45", or the mean alone without an interval.
[[nodiscard]] std::string mean_with_ci(const Stats& s);

}  // namespace vdc::sweep
