// End-to-end tests of the vdcsim command line: help, validate, describe, run, exit codes,
// every bundled scenario, reproducibility and interruption.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace fs = std::filesystem;

namespace {

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A fresh empty folder for one test.
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("vdcsim-cli-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// Runs vdcsim with `args` (a shell-quoted string) from the source folder.
Outcome vdcsim(const std::string& args) {
  const fs::path dir = scratch("io");
  const std::string cmd = std::string("cd '") + VDC_SOURCE_DIR + "' && '" + VDCSIM_BIN + "' " + args + " >'" +
                          (dir / "out").string() + "' 2>'" + (dir / "err").string() + "' </dev/null";
  const int raw = std::system(cmd.c_str());
  Outcome o;
  o.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  o.out = slurp(dir / "out");
  o.err = slurp(dir / "err");
  return o;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

std::vector<fs::path> bundled_scenarios() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(VDC_SOURCE_DIR) / "scenarios")) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("help lists every subcommand and exits 0") {
  const auto o = vdcsim("--help");
  CHECK(o.status == 0);
  for (const char* sub : {"run", "validate", "describe", "models", "import"}) CHECK(contains(o.out, sub));
}

TEST_CASE("every subcommand has its own help") {
  for (const char* sub : {"run", "validate", "describe", "models"}) {
    const auto o = vdcsim(std::string(sub) + " --help");
    CHECK(o.status == 0);
    CHECK(contains(o.out, sub));
  }
  CHECK(contains(vdcsim("run --help").out, "--seed"));
}

TEST_CASE("no subcommand and unknown options are usage errors with status 2") {
  CHECK(vdcsim("").status == 2);
  CHECK(vdcsim("run --no-such-option").status == 2);
  CHECK(vdcsim("frobnicate").status == 2);
}

TEST_CASE("validate accepts every bundled scenario") {
  for (const auto& f : bundled_scenarios()) {
    CAPTURE(f);
    const auto o = vdcsim("validate '" + f.string() + "'");
    CHECK(o.status == 0);
    CHECK(contains(o.out, "valid"));
  }
}

TEST_CASE("validate reports an invalid scenario with file, line and column and status 2") {
  const fs::path dir = scratch("invalid");
  std::ofstream(dir / "bad.yaml") << "name: x\nduration: 1h\nhosts: []\nvms: []\nvcpuz: 3\n";
  const auto o = vdcsim("validate '" + (dir / "bad.yaml").string() + "'");
  CHECK(o.status == 2);
  CHECK(contains(o.err, (dir / "bad.yaml").string() + ":5:1: error:"));
}

TEST_CASE("validate and run report a bad trace with its file, line and field, status 2") {
  // vm1's trace is fine; vm2's has text in its memory column on line 3 (the scenario is
  // valid YAML: only reading the trace finds it).
  const fs::path dir = scratch("bad-trace");
  std::ofstream(dir / "1.csv") << "t,cpu_pct,mem_mb\n0,10,512\n300,20,1024\n";
  std::ofstream(dir / "2.csv") << "t,cpu_pct,mem_mb\n0,10,512\n300,20,lots\n";
  std::ofstream(dir / "s.yaml")
      << "name: bad-trace\nduration: 1h\nhosts:\n  - {name: esx01, memory: 64 GiB}\nvms:\n"
         "  - name: \"vm{1..2}\"\n    workload:\n"
         "      cpu: {kind: trace, file: \"{i}.csv\", column: cpu_pct, memory_column: mem_mb}\n";
  const std::string expected =
      (dir / "2.csv").string() +
      ":3: error: field 3 'mem_mb': 'lots' is not a usable value (expected a non-negative decimal "
      "number)";
  const auto v = vdcsim("validate '" + (dir / "s.yaml").string() + "'");
  CHECK(v.status == 2);
  CHECK(contains(v.err, expected));
  CHECK_FALSE(contains(v.out, "valid"));
  const auto r = vdcsim("run '" + (dir / "s.yaml").string() + "' --quiet --out '" + (dir / "out").string() + "'");
  CHECK(r.status == 2);
  CHECK(contains(r.err, expected));
  CHECK_FALSE(fs::exists(dir / "out" / "report.json"));
}

TEST_CASE("a missing scenario file is an error with status 2") {
  const auto o = vdcsim("run /nonexistent/scenario.yaml --quiet");
  CHECK(o.status == 2);
  CHECK(contains(o.err, "/nonexistent/scenario.yaml"));
}

TEST_CASE("describe lists the cpu parameters with defaults and references") {
  const auto o = vdcsim("describe cpu");
  CHECK(o.status == 0);
  CHECK(contains(o.out, "cpu.quantum"));
  CHECK(contains(o.out, "reference:"));
  CHECK(vdcsim("describe no-such-area").status == 2);
}

TEST_CASE("run with no scenario runs the bundled default lab from any folder") {
  const fs::path dir = scratch("default");
  const auto o = vdcsim("run --quiet --format text,json --out '" + dir.string() + "'");
  REQUIRE(o.status == 0);
  CHECK(contains(o.out, "overcommit-lab"));
  CHECK(fs::exists(dir / "report.json"));
}

TEST_CASE("report.json has every field of the contract and the cpu states sum to 100") {
  const fs::path dir = scratch("fields");
  REQUIRE(vdcsim("run --quiet --format json --out '" + dir.string() + "'").status == 0);
  const auto doc = nlohmann::json::parse(slurp(dir / "report.json"));
  for (const char* k : {"scenario", "seed", "fidelity", "duration_s", "version", "hosts", "vms"}) CHECK(doc.contains(k));
  REQUIRE(!doc["hosts"].empty());
  for (const auto& h : doc["hosts"]) {
    for (const char* k : {"pcpus", "lcpus", "capacity_mhz", "used_mhz_avg", "util_pct_avg", "vcpus", "vcpu_per_pcpu"})
      CHECK(h["cpu"].contains(k));
    for (const char* k : {"capacity_mib", "min_free_mib", "state_time_pct", "granted_mib_avg", "consumed_mib_avg",
                          "shared_saved_mib_avg", "balloon_mib_avg", "compressed_mib_avg", "swapped_mib_avg"})
      CHECK(h["memory"].contains(k));
    double states = 0;
    for (const char* s : {"high", "clear", "soft", "hard", "low"}) states += h["memory"]["state_time_pct"][s].get<double>();
    CHECK(states == doctest::Approx(100.0).epsilon(1e-6));
  }
  REQUIRE(!doc["vms"].empty());
  for (const auto& v : doc["vms"]) {
    for (const char* k : {"name", "host", "vcpus", "memory_mib", "power_state", "admission"}) CHECK(v.contains(k));
    for (const char* k : {"demand_mhz_avg", "used_mhz_avg", "entitlement_mhz_avg", "run_pct", "ready_pct",
                          "costop_pct", "wait_pct", "ready_ms", "costop_ms"})
      CHECK(v["cpu"].contains(k));
    for (const char* k : {"granted_mib_avg", "active_mib_avg", "shared_mib_avg", "balloon_mib_avg",
                          "compressed_mib_avg", "swapped_mib_avg", "balloon_mib_max", "swapped_mib_max"})
      CHECK(v["memory"].contains(k));
    const auto& c = v["cpu"];
    const double sum = c["run_pct"].get<double>() + c["ready_pct"].get<double>() + c["costop_pct"].get<double>() +
                       c["wait_pct"].get<double>();
    CHECK(sum == doctest::Approx(100.0).epsilon(1e-5));
  }
}

TEST_CASE("the same scenario and seed give byte-identical report.json and CSV") {
  const fs::path a = scratch("repro-a"), b = scratch("repro-b");
  REQUIRE(vdcsim("run --quiet --format json,csv --seed 7 --out '" + a.string() + "'").status == 0);
  REQUIRE(vdcsim("run --quiet --format json,csv --seed 7 --out '" + b.string() + "'").status == 0);
  for (const char* f : {"report.json", "hosts.csv", "vms.csv", "hosts_timeseries.csv", "vms_timeseries.csv"}) {
    CAPTURE(f);
    CHECK(slurp(a / f) == slurp(b / f));
  }
}

TEST_CASE("the overrides replace the scenario's seed, fidelity and duration") {
  const fs::path dir = scratch("overrides");
  REQUIRE(vdcsim("run --quiet --format json --seed 99 --fidelity detailed --duration 2m --out '" + dir.string() + "'")
              .status == 0);
  const auto doc = nlohmann::json::parse(slurp(dir / "report.json"));
  CHECK(doc["seed"] == 99);
  CHECK(doc["fidelity"] == "detailed");
  CHECK(doc["duration_s"].get<double>() == 120.0);
}

TEST_CASE("bad command-line values are usage errors with status 2 and no report") {
  const fs::path dir = scratch("bad-args");
  CHECK(vdcsim("run --quiet --format pdf --out '" + dir.string() + "'").status == 2);
  CHECK(vdcsim("run --quiet --duration 5parsecs --out '" + dir.string() + "'").status == 2);
  CHECK(vdcsim("run --quiet --fidelity exact --out '" + dir.string() + "'").status == 2);
  CHECK(!fs::exists(dir / "report.json"));
}

TEST_CASE("every bundled scenario runs and writes its reports") {
  for (const auto& f : bundled_scenarios()) {
    CAPTURE(f);
    const fs::path dir = scratch("bundled-" + f.stem().string());
    const auto o = vdcsim("run '" + f.string() + "' --quiet --format text,json,csv --out '" + dir.string() + "'");
    CHECK(o.status == 0);
    CHECK(fs::exists(dir / "report.json"));
    CHECK(fs::exists(dir / "vms.csv"));
    std::set<std::string> leftovers;
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.path().filename().string().starts_with(".")) leftovers.insert(e.path().filename().string());
    }
    CHECK(leftovers.empty());
  }
}

TEST_CASE("Ctrl-C stops a run cleanly with partial reports and status 130") {
  const fs::path dir = scratch("interrupt");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string out = dir.string();
    std::freopen("/dev/null", "w", stdout);
    std::freopen("/dev/null", "w", stderr);
    ::execl(VDCSIM_BIN, VDCSIM_BIN, "run", "--quiet", "--format", "json", "--fidelity", "detailed", "--duration",
            "3650d", "--out", out.c_str(), static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  ::usleep(1'500'000);  // well past start-up, also under the sanitizers
  ::kill(pid, SIGINT);
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  REQUIRE(WIFEXITED(raw));
  CHECK(WEXITSTATUS(raw) == 130);
  REQUIRE(fs::exists(dir / "report.json"));
  const auto doc = nlohmann::json::parse(slurp(dir / "report.json"));
  CHECK(doc["partial"] == true);
  CHECK(doc["duration_s"].get<double>() > 0.0);
  CHECK(doc["duration_s"].get<double>() < 3650.0 * 86400.0);
}

TEST_CASE("the esxtop CSV names its columns as esxtop batch mode does") {
  const fs::path dir = scratch("esxtop");
  REQUIRE(vdcsim("run --quiet --format esxtop --out '" + dir.string() + "'").status == 0);
  const std::string csv = slurp(dir / "esxtop.csv");
  const std::string header = csv.substr(0, csv.find('\n'));
  CHECK(header.starts_with("\"(PDH-CSV 4.0) (UTC)(0)\""));
  CHECK(contains(header, "\\Group Cpu("));
  CHECK(contains(header, ")\\% Ready\""));
  CHECK(contains(header, "\\Physical Cpu(_Total)\\% Processor Time\""));
  // The first sample of a 20 s interval is stamped 20 s after the simulated epoch.
  CHECK(contains(csv, "\n\"01/01/2000 00:00:20\","));
}

TEST_CASE("report.html renders every chart in headless Chromium without a console error") {
  const fs::path dir = scratch("html");
  REQUIRE(vdcsim("run --quiet --format html,json --out '" + dir.string() + "'").status == 0);
  const fs::path page = dir / "report.html";
  REQUIRE(fs::exists(page));
  const std::string html = slurp(page);
  CHECK(!contains(html, "src=\"http"));  // nothing to fetch: the page works offline
  REQUIRE_MESSAGE(std::system("command -v chromium >/dev/null") == 0, "chromium is missing: run `make deps`");
  const fs::path profile = dir / "profile";
  const std::string flags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                            "--disable-background-networking --disable-component-update --disable-sync "
                            "--enable-logging=stderr --v=0 --virtual-time-budget=15000 --user-data-dir='" +
                            profile.string() + "' ";
  const std::string dom_cmd = "chromium " + flags + "--dump-dom 'file://" + page.string() + "' >'" +
                              (dir / "dom.html").string() + "' 2>'" + (dir / "chromium.log").string() + "'";
  REQUIRE(std::system(dom_cmd.c_str()) == 0);
  const std::string dom = slurp(dir / "dom.html");
  CHECK(contains(dom, "data-rendered=\"all\""));
  CHECK(contains(dom, "data-errors=\"0\""));
  for (const char* id : {"host-cpu", "host-memory", "memory-state", "ready-heatmap", "capacity"}) {
    CAPTURE(id);
    const auto at = dom.find(std::string("id=\"") + id + "\"");
    REQUIRE(at != std::string::npos);
    const auto end = dom.find("</div>", dom.find("</svg>", at));
    CHECK(dom.find("<svg", at) < end);  // a chart was drawn inside this element
  }
  const std::string log = slurp(dir / "chromium.log");
  CHECK_MESSAGE(!contains(log, "Uncaught"), log);
  // The screenshot is kept beside the test build as an artifact to look at.
  const fs::path shot = fs::path(VDC_ARTIFACT_DIR) / "report-html.png";
  fs::create_directories(shot.parent_path());
  const std::string shot_cmd = "chromium " + flags + "--window-size=1280,2400 --screenshot='" + shot.string() +
                               "' 'file://" + page.string() + "' >/dev/null 2>&1";
  CHECK(std::system(shot_cmd.c_str()) == 0);
  CHECK(fs::exists(shot));
}

TEST_CASE("import rvtools turns a real export into a scenario that validates and runs") {
  const fs::path xlsx = fs::path(VDC_SHARED_DATA_DIR) / "rvtools/kubev2v_migration-planner/example1.xlsx";
  if (!fs::exists(xlsx)) {
    MESSAGE("skipped: the shared RVTools workbooks exist only beside a development checkout");
    return;
  }
  const fs::path dir = scratch("import");
  const auto o = vdcsim("import rvtools '" + xlsx.string() + "' -o '" + (dir / "example1.yaml").string() + "'");
  REQUIRE(o.status == 0);
  CHECK(contains(o.out, "vCPU:pCPU"));
  CHECK(vdcsim("validate '" + (dir / "example1.yaml").string() + "'").status == 0);
  CHECK(vdcsim("run '" + (dir / "example1.yaml").string() + "' --quiet --format json --duration 10m --out '" +
               dir.string() + "'").status == 0);
  CHECK(fs::exists(dir / "report.json"));
}

TEST_CASE("import rvtools reports a missing export with status 2") {
  const fs::path dir = scratch("import-missing");
  CHECK(vdcsim("import rvtools /nonexistent.xlsx -o '" + (dir / "x.yaml").string() + "'").status == 2);
  CHECK(!fs::exists(dir / "x.yaml"));
}
