#include <algorithm>
#include <charconv>
#include <exception>
#include <filesystem>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "commands.hpp"
#include "progress.hpp"
#include "report_folder.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/trace/trace_cache.hpp"
#include "vdc/report/writers.hpp"
#include "vdc/scenario/loader.hpp"
#include "vdc/sim/units.hpp"
#include "vdc/sweep/sweep.hpp"

namespace vdc::cli {
namespace {

void print_diagnostics(const scenario::LoadResult& loaded) {
  for (const auto& d : loaded.diagnostics) std::cerr << d.format() << '\n';
}

struct Formats {
  bool text = false, csv = false, json = false, esxtop = false, html = false;
  [[nodiscard]] bool files() const { return csv || json || esxtop || html; }
};

/// Parses --format; an unknown name is a usage error (exit 2) with the accepted list.
std::optional<Formats> parse_formats(const std::vector<std::string>& names) {
  Formats f;
  for (const auto& n : names) {
    if (n == "text") f.text = true;
    else if (n == "csv") f.csv = true;
    else if (n == "json") f.json = true;
    else if (n == "esxtop") f.esxtop = true;
    else if (n == "html") f.html = true;
    else {
      std::cerr << fmt::format("vdcsim: error: unknown report format '{}' (expected text, csv, json, esxtop or html)\n", n);
      return std::nullopt;
    }
  }
  return f;
}

/// A seed as typed on the command line: decimal digits only (no sign, no spaces), 0 to 2^64-1.
std::optional<std::uint64_t> parse_seed(const std::string& text) {
  std::uint64_t value = 0;
  const char* const end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || stop != end) return std::nullopt;
  return value;
}

/// --series: "all" or a whole number of VMs; nothing: the budget rule. A usage error otherwise.
std::optional<report::SeriesSettings> parse_series(const std::optional<std::string>& text) {
  report::SeriesSettings series;
  if (!text) return series;
  if (*text == "all") {
    series.rule = report::SeriesSettings::Rule::all;
    return series;
  }
  const auto n = parse_seed(*text);  // the same digits-only rule as --seed
  if (!n) {
    std::cerr << fmt::format("vdcsim: error: --series '{}': expected 'all' or a whole number of VMs\n", *text);
    return std::nullopt;
  }
  series.rule = report::SeriesSettings::Rule::top;
  series.top = static_cast<std::size_t>(std::min<std::uint64_t>(*n, std::numeric_limits<std::size_t>::max()));
  return series;
}

/// The bytes `--series-budget` allows the kept series, or nothing after saying on stderr why
/// it cannot be read or does not apply.
std::optional<std::size_t> parse_series_budget(const RunArgs& args) {
  const std::size_t fallback = models::RunOptions{}.series_budget_bytes;
  if (!args.series_budget) return fallback;
  if (args.series && *args.series == "all") {
    std::cerr << "vdcsim: error: --series-budget does not apply with --series all, which keeps every series\n";
    return std::nullopt;
  }
  const auto size = sim::parse_memory(*args.series_budget);
  if (!size) {
    std::cerr << fmt::format("vdcsim: error: --series-budget '{}': {} (expected a size such as 512 MiB or 2 GiB)\n",
                             *args.series_budget, size.error);
    return std::nullopt;
  }
  const double bytes = size.value->value * 1024.0 * 1024.0;
  return bytes >= static_cast<double>(std::numeric_limits<std::size_t>::max())
             ? std::numeric_limits<std::size_t>::max()
             : static_cast<std::size_t>(bytes);
}

/// True when every gauge vms_timeseries.csv shows of `vms` kept its series in `run`.
bool series_kept(const models::RunResult& run, const std::vector<std::string>& vms) {
  for (const auto& [entity, name] : report::vm_series_gauges(run, vms)) {
    const auto id = run.metrics.find(entity, name);
    if (!id || run.metrics.series(*id).empty()) return false;
  }
  return true;
}

std::optional<scenario::Overrides> parse_overrides(const RunArgs& args) {
  scenario::Overrides o;
  if (args.seed) {
    o.seed = parse_seed(*args.seed);
    if (!o.seed) {
      std::cerr << fmt::format("vdcsim: error: --seed '{}': expected a whole number from 0 to {}\n", *args.seed,
                               std::numeric_limits<std::uint64_t>::max());
      return std::nullopt;
    }
  }
  if (args.fidelity) o.fidelity = scenario::parse_fidelity(*args.fidelity);
  if (args.duration) {
    const auto d = sim::parse_duration(*args.duration);
    if (!d || d.value->ns() <= 0) {
      std::cerr << fmt::format("vdcsim: error: --duration '{}': {}\n", *args.duration,
                               d ? "must be positive" : d.error);
      return std::nullopt;
    }
    o.duration = *d.value;
  }
  return o;
}

/// A second Ctrl-C while the reports are being written.
struct WritingAborted {};

/// Throws WritingAborted when a second Ctrl-C asked to stop writing.
void check_abort() {
  if (abort_flag().load()) throw WritingAborted{};
}

/// Sets `folder` to the report folder for `path`; false after saying on stderr why it cannot be one.
bool open_report_folder(std::optional<ReportFolder>& folder, const std::filesystem::path& path) {
  try {
    folder.emplace(path);
    return true;
  } catch (const ReportFolderError& e) {
    std::cerr << fmt::format("vdcsim: error: {}\n", e.what());
    return false;
  }
}

}  // namespace

int run_command(const RunArgs& args) {
  const auto formats = parse_formats(args.formats);
  const auto overrides = parse_overrides(args);
  const auto series = parse_series(args.series);
  const auto series_budget = parse_series_budget(args);
  if (!formats || !overrides || !series || !series_budget) return kExitInvalid;

  // The report folder is checked before anything is simulated (before loading when named).
  std::optional<ReportFolder> folder;
  if (formats->files() && args.out_dir && !open_report_folder(folder, *args.out_dir)) return kExitInvalid;

  auto loaded = args.scenario.empty() ? scenario::load_default() : scenario::load_file(args.scenario);
  print_diagnostics(loaded);
  if (!loaded.ok()) return kExitInvalid;
  models::ScenarioConfig& config = *loaded.config;
  if (const auto refused = scenario::apply(config, *overrides)) {
    std::cerr << fmt::format("vdcsim: error: {}\n", *refused);
    return kExitInvalid;
  }
  if (formats->files() && !folder &&
      !open_report_folder(folder, std::filesystem::path("vdcsim-out") / config.name)) {
    return kExitInvalid;
  }

  install_interrupt_handlers();
  ProgressBar bar(config.duration, !args.quiet);
  models::RunOptions options;
  options.stop_requested = &interrupt_flag();
  options.progress = [&bar](sim::Time now, std::uint64_t events) { bar.update(now, events); };
  options.engines = args.engines;

  options.series_budget_bytes = series->rule == report::SeriesSettings::Rule::all
                                    ? std::numeric_limits<std::size_t>::max()
                                    : *series_budget;

  const sim::Time asked = config.duration;
  try {
    // The scenario is needed again only to record the N worst VMs' series; otherwise a run
    // split over engines may take its VMs rather than copy them.
    const bool again_later = series->rule == report::SeriesSettings::Rule::top;
    models::RunResult result =
        again_later ? models::run_scenario(config, options) : models::run_scenario(std::move(config), options);
    report::AnalysisSettings analysis;
    analysis.capacity.reference_vm = args.reference_vm;
    analysis.series = *series;
    analysis.series.budget_bytes = options.series_budget_bytes;
    report::Summary summary = report::summarize(result, analysis);
    bool interrupted = result.partial;
    if (series->rule == report::SeriesSettings::Rule::top) {
      // Which VMs are worst is known only after the run. The run is deterministic, so when
      // their series were not kept, a second run of the same scenario that keeps exactly
      // theirs reproduces it and records them; the reports are that run's.
      analysis.series.vms = report::worst_vms_for_series(summary, series->top);
      if (!result.partial && !series_kept(result, analysis.series.vms)) {
        options.keep_series = report::vm_series_gauges(result, analysis.series.vms);
        models::RunResult again = models::run_scenario(config, options);
        if (again.partial) interrupted = true;
        else result = std::move(again);
      }
      summary = report::summarize(result, analysis);
    }
    bar.clear();
    for (const auto& w : summary.warnings) {
      if (w.code.starts_with("vm_series") || w.code.starts_with("host_series")) std::cerr << fmt::format("vdcsim: warning: {}\n", w.message);
    }
    if (formats->files()) {
      // Every file goes to a temporary folder that replaces the report folder at the end. A
      // second Ctrl-C stops the writing at the next file and leaves the folder as it was.
      const std::filesystem::path& dir = folder->stage();
      check_abort();
      if (formats->json) report::write_report_json(dir / "report.json", summary);
      check_abort();
      if (formats->csv) {
        report::write_summary_csv(dir, summary);
        check_abort();
        report::write_timeseries_csv(dir, result,
                                     series->rule == report::SeriesSettings::Rule::top
                                         ? std::optional<std::vector<std::string>>(analysis.series.vms)
                                         : std::nullopt);
        check_abort();
      }
      if (formats->esxtop) report::write_esxtop_csv(dir / "esxtop.csv", result);
      check_abort();
      if (formats->html) report::write_file_atomically(dir / "report.html", report::html_report(summary, result));
      check_abort();
      folder->commit();
      if (!args.quiet) std::cerr << fmt::format("vdcsim: reports written to {}\n", folder->target().string());
    }
    if (formats->text) report::write_text(std::cout, summary);
    std::cout.flush();
    if (interrupted && !result.partial) {
      std::cerr << "vdcsim: interrupted while recording the chosen VMs' series; the reports are complete but "
                   "their series are missing\n";
      return kExitInterrupted;
    }
    if (result.partial) {
      std::cerr << fmt::format("vdcsim: interrupted at {} of {}; the reports cover the simulated time so far "
                               "and are marked partial\n",
                               result.duration, asked);
      return kExitInterrupted;
    }
    return kExitOk;
  } catch (const WritingAborted&) {
    bar.clear();
    const std::string where = folder->target().string();
    folder.reset();  // removes the temporary folder
    std::cerr << fmt::format("vdcsim: interrupted again while writing the reports: none written, {} left as it was\n",
                             where);
    return kExitInterrupted;
  } catch (const std::invalid_argument& e) {
    bar.clear();
    std::cerr << fmt::format("vdcsim: error: {}\n", e.what());
    return kExitInvalid;
  } catch (const models::trace::TraceError& e) {
    bar.clear();
    // A trace the scenario names is bad input, like the scenario itself.
    std::cerr << e.what() << '\n';
    return kExitInvalid;
  } catch (const std::exception& e) {
    bar.clear();
    std::cerr << fmt::format("vdcsim: error: {}\n", e.what());
    return kExitRunFailed;
  }
}

int validate_command(const std::vector<std::string>& files) {
  int status = kExitOk;
  for (const auto& file : files) {
    // A `sweep:` section is checked as `vdcsim sweep` checks it before running: its paths,
    // values and metrics, and every point of its grid, with the scenario's own problems.
    const std::optional<sweep::PlanLoad> swept =
        sweep::check_sweep_file(file, std::max(1u, std::thread::hardware_concurrency()));
    const auto loaded = scenario::load_file(file);
    if (swept) {
      for (const auto& d : swept->diagnostics) std::cerr << d.format() << '\n';
      if (!swept->ok()) {
        status = kExitInvalid;
        continue;
      }
    } else {
      print_diagnostics(loaded);
    }
    if (loaded.ok()) {
      // The traces too, read as a run reads them.
      models::trace::TraceCache cache;
      const auto problems = models::trace::check_traces(cache, *loaded.config);
      for (const auto& e : problems) std::cerr << e.what() << '\n';
      if (!problems.empty()) {
        status = kExitInvalid;
        continue;
      }
      std::string grid;
      if (swept) {
        const sweep::Plan& plan = *swept->plan;
        grid = fmt::format(", a sweep of {} point{} x {} replication{}, {} metric{}", plan.points(),
                           plan.points() == 1 ? "" : "s", plan.replications, plan.replications == 1 ? "" : "s",
                           plan.metrics.size(), plan.metrics.size() == 1 ? "" : "s");
      }
      std::cout << fmt::format("{}: valid ({} hosts, {} VMs, {} events{})\n", file, loaded.config->hosts.size(),
                               loaded.config->vms.size(), loaded.config->events.size(), grid);
    } else {
      status = kExitInvalid;
    }
  }
  return status;
}

}  // namespace vdc::cli
