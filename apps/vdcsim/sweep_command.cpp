// `vdcsim sweep SCENARIO [--jobs N] [--out DIR] [--runs]`: every point of the scenario's
// `sweep:` grid and each replication, on threads or MPI ranks; sweep.json, sweep.csv,
// sweep.html and a table on stdout (docs/sweeps.md).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>

#include "commands.hpp"
#include "progress.hpp"
#include "sweep_args.hpp"
#include "vdc/report/writers.hpp"
#include "vdc/sweep/sweep.hpp"

namespace vdc::cli {
namespace {

/// The sweep's progress on stderr, when it is a terminal: runs and points done, runs per
/// second, time left.
class SweepProgress {
 public:
  SweepProgress(std::size_t runs, std::size_t points, bool enabled)
      : runs_(runs), points_(points), enabled_(enabled && ::isatty(STDERR_FILENO) == 1) {}
  ~SweepProgress() { clear(); }
  SweepProgress(const SweepProgress&) = delete;
  SweepProgress& operator=(const SweepProgress&) = delete;

  void update(std::size_t runs_done, std::size_t points_done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (runs_done < runs_ && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const double wall = seconds();
    const double rate = wall > 0 ? static_cast<double>(runs_done) / wall : 0.0;
    const double left = rate > 0 ? static_cast<double>(runs_ - runs_done) / rate : 0.0;
    fmt::print(stderr, "\r\033[Ksweep: {}/{} runs, {}/{} points, {:.2f} runs/s, ~{:.0f}s left", runs_done, runs_,
               points_done, points_, rate, left);
    std::fflush(stderr);
    shown_ = true;
  }
  void clear() {
    if (!shown_) return;
    shown_ = false;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
  }
  [[nodiscard]] double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::size_t runs_, points_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

/// Writes the sweep's files into `dir`, each whole or not at all.
void write_outputs(const std::filesystem::path& dir, const sweep::Plan& plan, const sweep::Results& results) {
  std::filesystem::create_directories(dir);
  report::write_file_atomically(dir / "sweep.json", sweep::sweep_json(plan, results));
  report::write_file_atomically(dir / "sweep.csv", sweep::sweep_csv(plan, results));
  report::write_file_atomically(dir / "sweep.html", sweep::sweep_html(plan, results));
  if (results.reports.empty()) return;
  std::filesystem::create_directories(dir / "runs");
  for (std::size_t i = 0; i < results.reports.size(); ++i) {
    if (results.done[i]) report::write_file_atomically(dir / "runs" / sweep::run_file_name(plan, i), results.reports[i]);
  }
}

/// False, after saying why on stderr, when `dir` cannot take the sweep's files.
bool usable_folder(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    std::cerr << fmt::format("vdcsim: error: --out {}: not a folder\n", dir.string());
    return false;
  }
  return true;
}

}  // namespace

int sweep_command(const SweepArgs& args) {
  std::optional<sweep::MpiSession> mpi;
  if (sweep::under_mpi()) mpi.emplace();
  const bool root = !mpi || mpi->rank() == 0;

  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const unsigned jobs = args.jobs ? *args.jobs : (mpi ? 1u : hardware);
  const sweep::PlanLoad loaded = sweep::load_plan_file(args.scenario, jobs);
  if (root) {
    for (const auto& d : loaded.diagnostics) std::cerr << d.format() << '\n';
  }
  if (!loaded.ok()) return kExitInvalid;
  const sweep::Plan& plan = *loaded.plan;
  const std::filesystem::path dir =
      args.out_dir ? std::filesystem::path(*args.out_dir) : std::filesystem::path("vdcsim-out") / (plan.name + "-sweep");
  if (!usable_folder(dir)) return kExitInvalid;  // every rank sees the same answer

  // Ctrl-C: on threads the signal comes here; under mpirun, mpirun passes it on to every
  // rank (as SIGTERM). Each drops the runs under way; rank 0 writes the points finished by
  // all ranks, marked partial, and every rank ends with kExitInterrupted.
  install_interrupt_handlers();
  sweep::Execution how;
  how.jobs = jobs;
  how.keep_reports = args.runs;
  how.stop = &interrupt_flag();
  SweepProgress bar(mpi ? (plan.runs() + static_cast<std::size_t>(mpi->size()) - 1) / static_cast<std::size_t>(mpi->size())
                        : plan.runs(),
                    plan.points(), root && !args.quiet);
  how.progress = [&bar](std::size_t runs, std::size_t points) { bar.update(runs, points); };
  try {
    const sweep::Results results = mpi ? mpi->execute(plan, how) : sweep::execute(plan, how);
    bar.clear();
    if (!root) {
      if (results.partial) mpi->leave(kExitInterrupted);
      return kExitOk;
    }
    write_outputs(dir, plan, results);
    sweep::write_text(std::cout, plan, results);
    std::cout.flush();
    if (!args.quiet) {
      const double wall = bar.seconds();
      const auto finished = static_cast<std::size_t>(std::count(results.done.begin(), results.done.end(), true));
      std::cerr << fmt::format("vdcsim: {} runs in {:.1f} s ({:.2f} runs/s) on {}; sweep written to {}\n", finished,
                               wall, wall > 0 ? static_cast<double>(finished) / wall : 0.0,
                               mpi ? fmt::format("{} MPI ranks x {} job{}", mpi->size(), how.jobs, how.jobs == 1 ? "" : "s")
                                   : fmt::format("{} job{}", how.jobs, how.jobs == 1 ? "" : "s"),
                               dir.string());
    }
    if (results.partial) {
      std::cerr << "vdcsim: interrupted; the files hold the points finished so far and are marked partial\n";
      if (mpi) mpi->leave(kExitInterrupted);
      return kExitInterrupted;
    }
    return kExitOk;
  } catch (const std::exception& e) {
    bar.clear();
    std::cerr << fmt::format("vdcsim: error: {}\n", e.what());
    if (mpi && mpi->size() > 1) mpi->abort(kExitRunFailed);
    return kExitRunFailed;
  }
}

}  // namespace vdc::cli
