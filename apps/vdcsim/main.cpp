#include <csignal>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "sweep_args.hpp"
#include "vdc/report/summary.hpp"

int main(int argc, char** argv) {
  using namespace vdc::cli;
  // Past a file size limit (ulimit -f) a write fails with EFBIG, reported as any failed
  // write (the reports' folder left as it was), instead of SIGXFSZ killing the process with
  // its temporary files behind.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"vdcsim: discrete-event simulator of a vSphere-style virtual datacenter.\n"
               "Runs a YAML scenario and writes capacity and contention reports.",
               "vdcsim"};
  app.set_version_flag("--version", std::string("vdcsim ") + vdc::report::version());
  app.require_subcommand(1);

  RunArgs run;
  std::string formats = "text,json";
  auto* run_cmd = app.add_subcommand("run", "Simulate a scenario and write its reports");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (default: the bundled overcommit lab)");
  run_cmd->add_option("--out", run.out_dir, "Report folder (default: ./vdcsim-out/<scenario name>)");
  run_cmd->add_option("--format", formats, "Comma-separated: text, csv, json, esxtop, html")->capture_default_str();
  run_cmd->add_option("--seed", run.seed, "Replace the scenario's seed (a whole number, 0 to 2^64-1)");
  run_cmd->add_option("--fidelity", run.fidelity, "Replace the scenario's fidelity")
      ->check(CLI::IsMember({"fluid", "detailed"}));
  run_cmd->add_option("--duration", run.duration, "Replace the scenario's duration (e.g. 30m, 2h)");
  run_cmd->add_option("--reference-vm", run.reference_vm,
                      "VM whose demand is the unit of capacity headroom (default: the average VM)");
  run_cmd->add_option("--series", run.series,
                      "VMs whose time series are kept: all, or N (the N with the most ready, co-stop and memory "
                      "reclamation; default: what fits in the series budget)");
  run_cmd->add_option("--series-budget", run.series_budget,
                      "Memory the kept time series may take, e.g. 2 GiB (default: 256 MiB): hosts first, then the "
                      "VMs' CPU states, then their memory");
  run_cmd->add_option("--engines", run.engines,
                      "Engines (threads) a run of independent hosts is split over; 1 keeps one (default: two "
                      "from 64 hosts)")
      ->check(CLI::Range(1, 256));
  run_cmd->add_flag("--quiet,-q", run.quiet, "No progress on stderr");

  std::vector<std::string> files;
  auto* validate_cmd = app.add_subcommand("validate", "Check scenarios and report every error");
  validate_cmd->add_option("scenarios", files, "Scenario files")->required();

  std::string area;
  auto* describe_cmd = app.add_subcommand("describe", "List model parameters: name, unit, default, meaning, reference");
  describe_cmd->add_option("area", area, "Only this area (cpu, memory, ...)");

  auto* models_cmd = app.add_subcommand("models", "List the model areas");

  ImportArgs import_args;
  auto* import_cmd = app.add_subcommand("import", "Turn an inventory export into a scenario");
  import_cmd->require_subcommand(1);
  auto* rvtools_cmd = import_cmd->add_subcommand(
      "rvtools", "An RVTools export (.xlsx, or a folder of per-tab CSV files) to a scenario YAML");
  rvtools_cmd->add_option("input", import_args.input, "RVTools .xlsx file or folder of *_tab*.csv files")
      ->required();
  rvtools_cmd->add_option("-o,--output", import_args.output, "Scenario file to write")->required();
  rvtools_cmd->add_flag("--force", import_args.force, "Overwrite the output file if it exists");
  rvtools_cmd->add_option("--workload", import_args.workload,
                          "Shape of each VM's demand around its measured level: constant or diurnal")
      ->check(CLI::IsMember({"constant", "diurnal"}))
      ->capture_default_str();
  rvtools_cmd->add_flag("!--no-check", import_args.check,
                        "Skip simulating the first hour and comparing it with the export's vHost figures");

  SweepArgs sweep;
  auto* sweep_cmd = app.add_subcommand("sweep", "Run every point of the scenario's sweep: grid, with replications");
  sweep_cmd->add_option("scenario", sweep.scenario, "Scenario file with a sweep: section")->required();
  sweep_cmd->add_option("--jobs,-j", sweep.jobs, "Worker threads (default: the cores; 1 per rank under mpirun)")
      ->check(CLI::Range(1u, 1024u));
  sweep_cmd->add_option("--out", sweep.out_dir, "Folder for sweep.json, sweep.csv, sweep.html (default: "
                                                "./vdcsim-out/<scenario name>-sweep)");
  sweep_cmd->add_flag("--runs", sweep.runs, "Also write each run's report.json under DIR/runs/");
  sweep_cmd->add_flag("--quiet,-q", sweep.quiet, "No progress on stderr");

  HeadroomArgs headroom;
  auto* headroom_cmd =
      app.add_subcommand("headroom", "How many more VMs of a profile fit before a limit is crossed, by simulation");
  headroom_cmd->add_option("scenario", headroom.scenario, "Scenario file")->required();
  headroom_cmd->add_option("--add", headroom.add, "VM profile of the added VMs")->required();
  headroom_cmd->add_option("--cluster", headroom.cluster, "Cluster that places them (default: the only one)");
  headroom_cmd->add_option("--until", headroom.until,
                           "METRIC>LIMIT, repeatable (default: the capacity report's four thresholds)");
  headroom_cmd->add_option("--jobs,-j", headroom.jobs, "Worker threads for the replications (default: the cores)")
      ->check(CLI::Range(1u, 1024u));
  headroom_cmd->add_option("--replications", headroom.replications,
                           "Runs per count (default: 1 for a deterministic workload, else 5)")
      ->check(CLI::Range(1, 1000));
  headroom_cmd->add_option("--max", headroom.max, "Largest count searched")->check(CLI::Range(1, 1000000))->capture_default_str();
  headroom_cmd->add_flag("--quiet,-q", headroom.quiet, "No progress on stderr");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitInvalid;
  }

  install_memory_release();
  if (run_cmd->parsed()) {
    run.formats = CLI::detail::split(formats, ',');
    return run_command(run);
  }
  if (validate_cmd->parsed()) return validate_command(files);
  if (describe_cmd->parsed()) return describe_command(area);
  if (models_cmd->parsed()) return models_command();
  if (rvtools_cmd->parsed()) return import_rvtools(import_args);
  if (sweep_cmd->parsed()) return sweep_command(sweep);
  if (headroom_cmd->parsed()) return headroom_command(headroom);
  return kExitInvalid;
}
