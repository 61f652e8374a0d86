// End-to-end tests of the vdcsim command line: help, validate, describe, run, exit codes,
// every bundled scenario, reproducibility and interruption.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

using namespace vdc::cli_test;

namespace {

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// Starts vdcsim with `args` in the background, stdout to /dev/null and stderr to `err`.
/// The child touches only file descriptors: the test's buffered output stays the test's.
pid_t spawn(const std::vector<std::string>& args, const fs::path& err) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(VDCSIM_BIN));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // The child must not run the test's own SIGINT handler before it becomes vdcsim: the
  // signal waits, blocked, until the default action is back.
  sigset_t interrupts, previous;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  ::sigprocmask(SIG_BLOCK, &interrupts, &previous);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::signal(SIGINT, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &previous, nullptr);
    const int null = ::open("/dev/null", O_RDWR);
    const int log = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::execv(VDCSIM_BIN, argv.data());
    ::_exit(127);
  }
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  return pid;
}

std::vector<fs::path> bundled_scenarios() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(VDC_SOURCE_DIR) / "scenarios")) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("past a file size limit the reports fail to be written: an error, and no folder left") {
  // /bin/sh's `ulimit -f 16` (512-byte blocks in dash, 1 KiB in bash) is below the lab's
  // report.json (18 KB).
  const fs::path dir = scratch("fsize");
  const fs::path out = dir / "reports";
  const std::string cmd = std::string("cd '") + VDC_SOURCE_DIR + "' && (ulimit -f 16 && '" + VDCSIM_BIN +
                          "' run scenarios/overcommit-lab.yaml --quiet --out '" + out.string() + "') >/dev/null 2>'" +
                          (dir / "err").string() + "'";
  const int raw = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(raw));  // not killed by SIGXFSZ
  CHECK(WEXITSTATUS(raw) == 1);
  const std::string err = slurp(dir / "err");
  CHECK(contains(err, "vdcsim: error: cannot write "));
  CHECK(contains(err, "report.json: File too large"));
  CHECK(!fs::exists(out));
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);  // err alone
}

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

TEST_CASE("describe host says what the area models and that it has no tunable parameters") {
  const auto o = vdcsim("describe host");
  CHECK(o.status == 0);
  CHECK(contains(o.out, "[host]"));
  CHECK(contains(o.out, "sockets"));
  CHECK(contains(o.out, "no tunable parameters"));
  CHECK(contains(o.out, "host_profiles"));
  CHECK(contains(o.out, "docs/scenario.md"));
}

TEST_CASE("every area that models lists can be described, and says something") {
  const auto models = vdcsim("models");
  REQUIRE(models.status == 0);
  std::istringstream lines(models.out);
  std::string line;
  int areas = 0;
  const auto all = vdcsim("describe");
  CHECK(all.status == 0);
  while (std::getline(lines, line)) {
    const std::string area = line.substr(0, line.find(' '));
    if (area.empty()) continue;
    CAPTURE(area);
    ++areas;
    const auto o = vdcsim("describe " + area);
    CHECK(o.status == 0);
    CHECK(contains(o.out, "[" + area + "]"));
    CHECK(contains(o.out, "models:"));
    CHECK(contains(o.out, "scenario:"));
    CHECK(contains(o.out, "docs:"));
    CHECK(contains(all.out, "[" + area + "]"));
  }
  CHECK(areas >= 4);
}

TEST_CASE("describe of an unknown area is a usage error with a suggestion") {
  const auto o = vdcsim("describe hots");
  CHECK(o.status == 2);
  CHECK(o.out.empty());
  CHECK(contains(o.err, "unknown area 'hots'"));
  CHECK(contains(o.err, "did you mean 'host'?"));
  const auto far = vdcsim("describe zzzzzz");
  CHECK(far.status == 2);
  CHECK_FALSE(contains(far.err, "did you mean"));
  CHECK(contains(far.err, "host, cpu, memory"));
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

TEST_CASE("a --duration at or below the scenario's warm-up is a usage error, nothing simulated") {
  const fs::path dir = scratch("duration-warmup");
  const fs::path yaml = dir / "warm.yaml";
  {
    std::ofstream out(yaml);
    out << "name: warm\nduration: 1h\nwarmup: 20m\nhosts:\n  - {name: esx01, cpu: {cores_per_socket: 4}, memory: 16 GiB}\n"
           "vms:\n  - {name: vm01, host: esx01, vcpus: 1, memory: 1 GiB}\n";
  }
  const Outcome o = vdcsim("run --quiet --format json --duration 10m --out '" + (dir / "out").string() + "' '" +
                           yaml.string() + "'");
  CHECK(o.status == 2);
  CHECK(contains(o.err, "--duration 10m"));
  CHECK(contains(o.err, "warm-up"));
  CHECK(!fs::exists(dir / "out" / "report.json"));
  // Above the warm-up it runs, and the warm-up is left out of the report.
  const Outcome ok = vdcsim("run --quiet --format json --duration 30m --out '" + (dir / "out").string() + "' '" +
                            yaml.string() + "'");
  REQUIRE(ok.status == 0);
  const auto doc = nlohmann::json::parse(slurp(dir / "out" / "report.json"));
  CHECK(doc["duration_s"].get<double>() == 1800.0);
}

TEST_CASE("a seed that is not a whole number from 0 to 2^64-1 is a usage error") {
  const fs::path dir = scratch("bad-seed");
  for (const char* seed : {"-1", "-18446744073709551615", "abc", "18446744073709551616", "1e3", "+5", "' 5'", "''"}) {
    CAPTURE(seed);
    const auto o = vdcsim(std::string("run --quiet --format json --seed ") + seed + " --out '" + dir.string() + "'");
    CHECK(o.status == 2);
    CHECK(contains(o.err, "--seed"));
    CHECK(contains(o.err, "expected a whole number from 0 to 18446744073709551615"));
  }
  CHECK(vdcsim("run --quiet --format json --seed=-1 --out '" + dir.string() + "'").status == 2);
  CHECK(!fs::exists(dir / "report.json"));
  // The largest seed is accepted and kept exactly.
  REQUIRE(vdcsim("run --quiet --format json --duration 1m --seed 18446744073709551615 --out '" + dir.string() + "'")
              .status == 0);
  const auto doc = nlohmann::json::parse(slurp(dir / "report.json"));
  CHECK(doc["seed"].get<std::uint64_t>() == 18446744073709551615ULL);
}

TEST_CASE("--out naming a file or a path through one is refused before anything is simulated") {
  const fs::path dir = scratch("out-file");
  std::ofstream(dir / "afile") << "keep me\n";
  // A run of ten simulated years in detail: only an early refusal ends it within the timeout.
  const std::string long_run = "run --quiet --format json --fidelity detailed --duration 3650d ";
  for (const fs::path& out : {dir / "afile", dir / "afile" / "sub", dir / "afile" / "a" / "b"}) {
    CAPTURE(out);
    const auto start = std::chrono::steady_clock::now();
    const auto o = vdcsim(long_run + "--out '" + out.string() + "'", 60);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(o.status == 2);
    CHECK(seconds < 20.0);
    CHECK(contains(o.err, "--out '" + out.string() + "'"));
    CHECK(contains(o.err, "is a file, not a folder"));
    CHECK_FALSE(contains(o.err, "filesystem error"));
    CHECK_FALSE(contains(o.err, "interrupted"));
  }
  CHECK(slurp(dir / "afile") == "keep me\n");
  // An empty path names no folder (it is not the default one).
  const auto empty = vdcsim(long_run + "--out ''", 60);
  CHECK(empty.status == 2);
  CHECK(contains(empty.err, "--out"));
  // A place where nothing can be created, whoever runs the test.
  const auto proc = vdcsim(long_run + "--out /proc/vdcsim-reports", 60);
  CHECK(proc.status == 2);
  CHECK(contains(proc.err, "--out '/proc/vdcsim-reports': cannot create it in '/proc'"));
  std::set<std::string> entries;
  for (const auto& e : fs::directory_iterator(dir)) entries.insert(e.path().filename().string());
  CHECK(entries == std::set<std::string>{"afile"});
}

namespace {

/// Every file of a folder (no subfolders expected) and its bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files[e.path().filename().string()] = slurp(e.path());
  return files;
}

/// The names in `dir` that start with a dot (temporary files and folders), space-separated.
std::string hidden_entries(const fs::path& dir) {
  std::string names;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().starts_with(".")) names += e.path().filename().string() + " ";
  }
  return names;
}

}  // namespace

TEST_CASE("a new run replaces a previous report folder whole, and keeps files that are not reports") {
  const fs::path dir = scratch("replace");
  const fs::path out = dir / "nested" / "reports";
  REQUIRE(vdcsim("run --quiet --format json,csv --duration 2m --out '" + out.string() + "'").status == 0);
  CHECK(fs::exists(out / "vms.csv"));
  REQUIRE(vdcsim("run --quiet --format json --duration 2m --out '" + out.string() + "'").status == 0);
  std::set<std::string> names;
  for (const auto& [name, bytes] : snapshot(out)) names.insert(name);
  CHECK(names == std::set<std::string>{"report.json"});  // the old CSV went with the old folder
  CHECK(hidden_entries(dir / "nested") == "");

  // A folder with other files in it: the reports are moved in, the other files stay.
  std::ofstream(out / "notes.txt") << "mine\n";
  REQUIRE(vdcsim("run --quiet --format json,html --duration 2m --out '" + out.string() + "/'").status == 0);
  CHECK(slurp(out / "notes.txt") == "mine\n");
  CHECK(fs::exists(out / "report.html"));
  CHECK(hidden_entries(out) == "");
  CHECK(hidden_entries(dir / "nested") == "");
}

TEST_CASE("two Ctrl-C 0.2 s apart: complete partial reports or the previous folder intact, never a mix") {
  const fs::path dir = scratch("interrupt-twice");
  // 400 VMs in detail: seconds of wall time per simulated minute, and reports that take a
  // while to write.
  std::ofstream(dir / "lab.yaml")
      << "name: interrupt-lab\nduration: 1d\nfidelity: detailed\n"
         "host_profiles:\n  dl380:\n    cpu: {sockets: 2, cores_per_socket: 8, threads_per_core: 2, frequency: 2.4 GHz}\n"
         "    memory: 256 GiB\n"
         "vm_profiles:\n  web:\n    vcpus: 2\n    memory: 4 GiB\n    workload:\n"
         "      cpu: {kind: on_off, run: 20ms, idle: 80ms}\n      memory: {active: 30%, touched: 80%}\n"
         "hosts:\n  - {name: \"esx{1..4}\", profile: dl380}\n"
         "vms:\n  - {name: \"a{001..100}\", profile: web, host: esx1}\n  - {name: \"b{001..100}\", profile: web, host: esx2}\n"
         "  - {name: \"c{001..100}\", profile: web, host: esx3}\n  - {name: \"d{001..100}\", profile: web, host: esx4}\n";
  const std::string formats = "json,csv,esxtop,html";
  const std::set<std::string> files{"report.json", "hosts.csv", "vms.csv", "hosts_timeseries.csv",
                                    "vms_timeseries.csv", "esxtop.csv", "report.html"};
  const fs::path runs = dir / "runs";
  const fs::path out = runs / "reports";
  const fs::path previous = dir / "previous";
  // The previous reports: the same scenario, fluid and short.
  REQUIRE(vdcsim("run '" + (dir / "lab.yaml").string() + "' --quiet --fidelity fluid --duration 2m --format " +
                 formats + " --out '" + previous.string() + "'")
              .status == 0);
  const auto before = snapshot(previous);

  struct Timing {
    const char* what;
    int first_ms;   ///< after the start
    int second_ms;  ///< after the first; -1: as soon as the temporary folder appears
  };
  const std::vector<Timing> timings{{"during start-up", 5, 200},
                                    {"while simulating", 700, 200},
                                    {"both while simulating", 700, 1},
                                    {"while writing", 700, -1}};
  std::map<std::string, int> outcomes;
  for (const auto& t : timings) {
    CAPTURE(t.what);
    fs::remove_all(runs);
    fs::create_directories(runs);
    fs::copy(previous, out);
    const pid_t pid =
        spawn({"run", (dir / "lab.yaml").string(), "--quiet", "--format", formats, "--out", out.string()}, dir / "err");
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(t.first_ms));
    ::kill(pid, SIGINT);
    if (t.second_ms >= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(t.second_ms));
    } else {
      // Poll for the temporary folder beside the target, for up to 5 s.
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (hidden_entries(runs).empty() && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
    }
    ::kill(pid, SIGINT);  // a no-op when it has already ended (not yet reaped)
    int raw = 0;
    REQUIRE(::waitpid(pid, &raw, 0) == pid);
    const bool by_signal = WIFSIGNALED(raw) && WTERMSIG(raw) == SIGINT;
    CHECK((by_signal || (WIFEXITED(raw) && WEXITSTATUS(raw) == 130)));
    const std::string err = slurp(dir / "err");
    CAPTURE(err);

    CHECK(hidden_entries(runs) == "");  // no temporary folder left beside the target
    REQUIRE(fs::is_directory(out));
    CHECK(hidden_entries(out) == "");
    const auto after = snapshot(out);
    if (after == before) {
      ++outcomes[std::string(t.what) + ": previous folder intact"];
      continue;
    }
    ++outcomes[std::string(t.what) + ": partial reports"];
    CHECK_FALSE(by_signal);
    std::set<std::string> names;
    for (const auto& [name, bytes] : after) names.insert(name);
    CHECK(names == files);
    for (const auto& [name, bytes] : after) {
      CAPTURE(name);
      CHECK(bytes != before.at(name));  // every file is of the new run: never a mix
    }
    const auto doc = nlohmann::json::parse(after.at("report.json"));
    CHECK(doc["partial"] == true);
    CHECK(doc["duration_s"].get<double>() < 86400.0);
  }
  for (const auto& [outcome, count] : outcomes) MESSAGE(outcome << ": " << count);
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
  const pid_t pid = spawn({"run", "--quiet", "--format", "json", "--fidelity", "detailed", "--duration", "3650d",
                           "--out", dir.string()},
                          scratch("interrupt-log") / "err");
  REQUIRE(pid > 0);
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
  // As written: the warm-up, then the measured hour.
  REQUIRE(vdcsim("run '" + (dir / "example1.yaml").string() + "' --quiet --format json --out '" + dir.string() + "'")
              .status == 0);
  const auto doc = nlohmann::json::parse(slurp(dir / "report.json"));
  CHECK(doc["duration_s"].get<double>() - doc["capacity"]["warmup_s"].get<double>() == 3600.0);
  // A run shorter than the import's warm-up would measure nothing: refused.
  const Outcome shorter =
      vdcsim("run '" + (dir / "example1.yaml").string() + "' --quiet --format json --duration 1h --out '" +
             (dir / "short").string() + "'");
  CHECK(shorter.status == 2);
  CHECK(contains(shorter.err, "warm-up"));
}

TEST_CASE("import rvtools reports a missing export with status 2") {
  const fs::path dir = scratch("import-missing");
  CHECK(vdcsim("import rvtools /nonexistent.xlsx -o '" + (dir / "x.yaml").string() + "'").status == 2);
  CHECK(!fs::exists(dir / "x.yaml"));
}

