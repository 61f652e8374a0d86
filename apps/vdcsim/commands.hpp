#pragma once
/// The subcommands of vdcsim, each returning the process exit status
/// (0 success, 1 failure while running, 2 invalid scenario or usage, 130 interrupted).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vdc::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRunFailed = 1;
inline constexpr int kExitInvalid = 2;
inline constexpr int kExitInterrupted = 130;

struct RunArgs {
  std::string scenario;                 ///< empty: the bundled default lab
  std::optional<std::string> out_dir;   ///< none: ./vdcsim-out/<scenario name>
  std::vector<std::string> formats;     ///< text, csv, json
  std::optional<std::string> seed;      ///< as typed: checked to be a whole number 0 to 2^64-1
  std::optional<std::string> fidelity;
  std::optional<std::string> duration;
  std::string reference_vm;             ///< capacity headroom unit; empty: the average VM
  std::optional<std::string> series;    ///< as typed: "all" or a whole number; none: the budget rule
  std::optional<std::string> series_budget;  ///< as typed: a size such as "1 GiB"; none: 256 MiB
  int engines = 0;                      ///< engines the hosts are split over; 0: the scenario decides
  bool quiet = false;
};

/// `vdcsim import rvtools INPUT -o OUTPUT [--force] [--workload constant|diurnal] [--no-check]`.
struct ImportArgs {
  std::string input;                 ///< RVTools .xlsx or folder of per-tab CSV files
  std::string output;                ///< scenario file to write
  bool force = false;                ///< overwrite an existing output file
  std::string workload = "constant"; ///< shape of the seeded demand: constant or diurnal
  bool check = true;                 ///< simulate the first hour and compare with vHost
};

int run_command(const RunArgs& args);
/// Sets how a run split over engines gives freed memory back, for the allocator linked.
void install_memory_release();
int validate_command(const std::vector<std::string>& files);
int describe_command(const std::string& area);
int models_command();
/// `vdcsim import rvtools INPUT -o OUTPUT`: an RVTools export (.xlsx or a folder of per-tab
/// CSV files) to a scenario file, with a summary of what was found and every disagreement.
int import_rvtools(const ImportArgs& args);

}  // namespace vdc::cli
