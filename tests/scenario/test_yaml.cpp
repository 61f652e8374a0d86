// YAML reading: aliases and their bound, merge keys, and the cap on diagnostics shown.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "scenario_test_support.hpp"
#include "sink.hpp"
#include "vdc/scenario/limits.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;

namespace {

/// What a child process that ran a load cost.
struct ChildCost {
  int status = -1;          ///< its exit status
  double seconds = 0.0;     ///< wall-clock time
  long max_rss_kib = 0;     ///< its peak resident memory
};

/// Runs `load` in a child process (so that its peak memory is its own) and measures it. The
/// child exits 0 when `load` returns true.
template <class Load>
ChildCost in_child(Load load) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) _exit(load() ? 0 : 1);
  ChildCost cost;
  int status = 0;
  rusage usage{};
  REQUIRE(wait4(pid, &status, 0, &usage) == pid);
  cost.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cost.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  cost.max_rss_kib = usage.ru_maxrss;
  return cost;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr long rss_bound_kib = 1024 * 1024;  // shadow memory and the allocator's quarantine
#else
constexpr long rss_bound_kib = 256 * 1024;
#endif

/// `levels` levels of nested aliases, each copying the one above `width` times.
std::string laughs(int levels, int width) {
  std::string text = "l0: &l0 lol\n";
  for (int l = 1; l <= levels; ++l) {
    text += "l" + std::to_string(l) + ": &l" + std::to_string(l) + " [";
    for (int i = 0; i < width; ++i) text += (i > 0 ? ",*l" : "*l") + std::to_string(l - 1);
    text += "]\n";
  }
  return text;
}

}  // namespace

TEST_CASE("billion laughs: nested aliases stop at the bound, fast and in bounded memory") {
  std::filesystem::current_path(VDC_SOURCE_DIR);
  // The corpus file, and ten levels of ten (10^10 nodes expanded).
  for (const std::string& text :
       {std::string(), laughs(10, 10)}) {
    const ChildCost cost = in_child([&] {
      const LoadResult r = text.empty() ? load_file("tests/malformed/billion-laughs.yaml")
                                        : load(text);
      return !r.ok() && r.diagnostics.size() == 1 &&
             r.diagnostics[0].message.find("expands past the bound of 250000 nodes") !=
                 std::string::npos;
    });
    INFO("seconds " << cost.seconds << ", peak " << cost.max_rss_kib << " KiB");
    CHECK(cost.status == 0);
    CHECK(cost.seconds < 10.0);
    CHECK(cost.max_rss_kib < rss_bound_kib);
  }
}

TEST_CASE("the alias bound names the alias that crosses it") {
  // Each level l adds 10 aliases of the level above and its own anchor: the anchor of level
  // 5 (111111 nodes) brings the total to 246906, its first alias to 358017.
  CHECK(messages(load(laughs(6, 10))) ==
        std::vector<std::string>{
            "t.yaml:7:10: error: alias '*l5' expands past the bound of 250000 nodes copied "
            "through anchors and aliases (expected at most 250000 nodes and 16 MiB of text in "
            "all: each level of nested aliases multiplies the copies)"});
  // Below the bound, aliases expand as usual.
  const LoadResult small = load(laughs(4, 10));
  CHECK(small.diagnostics.at(0).message.find("unknown key 'l0' in the scenario") != std::string::npos);
}

TEST_CASE("the alias bound counts text too") {
  // 1024 bytes copied 16 times per level: the total passes 16 MiB at the second *d.
  std::string text = "a: &a \"" + std::string(1024, 'x') + "\"\n";
  text += "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n";
  text += "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n";
  text += "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n";
  text += "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n";
  CHECK(messages(load(text)) ==
        std::vector<std::string>{
            "t.yaml:5:11: error: alias '*d' expands past the bound of 16 MiB of text copied "
            "through anchors and aliases (expected at most 250000 nodes and 16 MiB of text in "
            "all: each level of nested aliases multiplies the copies)"});
}

TEST_CASE("an alias inside the node it names, or to no anchor, stops reading") {
  CHECK(messages(load("name: t\nx: &a [1, *a]\n")) ==
        std::vector<std::string>{
            "t.yaml:2:11: error: alias '*a' inside the node it names (expected an alias to a "
            "node that ends before the alias)"});
  CHECK(messages(load("name: t\nx: *nowhere\n")) ==
        std::vector<std::string>{
            "t.yaml:2:4: error: alias '*nowhere' names no anchor (expected an anchor "
            "'&nowhere' written before the alias)"});
  CHECK(messages(load("name: t\nx: [*a, 1]\ny: &a 2\n")) ==
        std::vector<std::string>{
            "t.yaml:2:5: error: alias '*a' names no anchor (expected an anchor '&a' written "
            "before the alias)"});
}

TEST_CASE("an alias copies its node, and errors in it point where it was written") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(hosts:
  - {name: esx01, memory: &big 64 GiB}
  - {name: esx02, memory: *big}
vms: []
)"));
  CHECK(c.hosts.at(1).memory_mib == doctest::Approx(65536.0));
  CHECK(messages(load(scenario_text(R"(hosts:
  - {name: esx01, memory: &big 64 GiBB}
  - {name: esx02, memory: *big}
vms: []
)"))) == std::vector<std::string>{
               "t.yaml:4:27: error: bad value '64 GiBB' for 'memory': unknown unit 'GiBB' "
               "(expected KiB, MiB, GiB, TiB, MB, GB or TB)"});
}

TEST_CASE("a merge key brings in an anchored mapping's keys") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(vm_profiles:
  base: &base
    vcpus: 2
    memory: 4 GiB
    cpu: {shares: high}
  web:
    <<: *base
    vcpus: 4
hosts: [{name: esx01, memory: 64 GiB, cpu: {cores_per_socket: 16}}]
vms:
  - {name: web01, profile: web}
  - {<<: *base, name: db01}
)"));
  const models::VmConfig& web = named(c.vms, "web01");
  CHECK(web.vcpus == 4);  // written in the mapping: wins over the merged value
  CHECK(web.memory_mib == doctest::Approx(4096.0));
  CHECK(web.cpu.level == models::ShareLevel::high);
  const models::VmConfig& db = named(c.vms, "db01");
  CHECK(db.vcpus == 2);
  CHECK(db.memory_mib == doctest::Approx(4096.0));
}

TEST_CASE("merge keys: written keys win wherever they stand, then earlier mappings of a list") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(vm_profiles:
  small: &small {vcpus: 1, memory: 1 GiB, cpu: {shares: low}}
  large: &large {vcpus: 8, memory: 32 GiB, guest: {os: linux}}
hosts: [{name: esx01, memory: 64 GiB, cpu: {cores_per_socket: 16}}]
vms:
  - {name: a, <<: [*small, *large]}
  - {name: b, <<: [*large, *small]}
  - {memory: 2 GiB, <<: [*large, *small], name: c}
  - name: d
    <<: [*small, {vcpus: 3, guest: {os: bsd}}]
)"));
  const models::VmConfig& a = named(c.vms, "a");
  CHECK(a.vcpus == 1);
  CHECK(a.memory_mib == doctest::Approx(1024.0));
  CHECK(a.cpu.level == models::ShareLevel::low);
  CHECK(a.guest.os == "linux");  // only the later mapping has it
  const models::VmConfig& b = named(c.vms, "b");
  CHECK(b.vcpus == 8);
  CHECK(b.memory_mib == doctest::Approx(32768.0));
  CHECK(b.cpu.level == models::ShareLevel::low);
  const models::VmConfig& vm_c = named(c.vms, "c");
  CHECK(vm_c.vcpus == 8);
  CHECK(vm_c.memory_mib == doctest::Approx(2048.0));  // written before '<<', still wins
  const models::VmConfig& d = named(c.vms, "d");
  CHECK(d.vcpus == 1);
  CHECK(d.guest.os == "bsd");
}

TEST_CASE("merges nest: an anchored mapping may itself merge another") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(vm_profiles:
  base: &base {vcpus: 2, memory: 2 GiB}
  web: &web {<<: *base, memory: 8 GiB}
  web_big: {<<: *web, vcpus: 6}
hosts: [{name: esx01, memory: 64 GiB, cpu: {cores_per_socket: 16}}]
vms:
  - {name: w, profile: web_big}
)"));
  const models::VmConfig& w = named(c.vms, "w");
  CHECK(w.vcpus == 6);
  CHECK(w.memory_mib == doctest::Approx(8192.0));
}

TEST_CASE("an error in merged content points where the value was written, once") {
  // The anchored profile's key is fine in a VM profile and wrong in a host: reported at
  // the anchored mapping, where it is written.
  CHECK(messages(load(scenario_text(R"(vm_profiles:
  base: &base
    vcpus: 2
    memory: 4 GiB
    mem: {reservation: 8 GiB}
hosts:
  - {<<: *base, name: esx01}
vms:
  - {<<: *base, name: a, host: esx01}
  - {<<: *base, name: b, host: esx01}
)"))) == std::vector<std::string>{
               "t.yaml:5:5: error: unknown key 'vcpus' in a host (expected one of: name, profile, "
               "cpu, memory, nics, gpus, advanced); did you mean 'cpu'?",
               "t.yaml:7:5: error: unknown key 'mem' in a host (expected one of: name, profile, "
               "cpu, memory, nics, gpus, advanced)",
               "t.yaml:7:24: error: memory reservation 8192 MiB exceeds the VM's memory 4096 MiB "
               "(expected at most the configured memory)"});
}

TEST_CASE("a quoted '<<' is an ordinary key, and '<<' takes only mappings") {
  CHECK(messages(load(scenario_text(R"(vm_profiles:
  base: &base {vcpus: 2}
hosts: [{name: esx01, memory: 64 GiB}]
vms:
  - {'<<': *base, name: a}
  - {<<: [*base, x], name: b}
  - {<<: , name: c}
)"))) == std::vector<std::string>{
               "t.yaml:7:6: error: unknown key '<<' in a VM (expected one of: name, profile, "
               "host, cluster, pool, vcpus, memory, cpu, mem, guest, workload, powered_on, nics, "
               "vgpus, disks, snapshots)",
               "t.yaml:8:18: error: an item of '<<' is a scalar (expected an alias to a mapping "
               "like *defaults, a mapping, or a sequence of them)",
               "t.yaml:9:6: error: '<<' is empty (expected an alias to a mapping like *defaults, "
               "a mapping, or a sequence of them)"});
}

TEST_CASE("a file shows its first diagnostics in file order and counts the rest") {
  detail::Sink sink("f.yaml");
  // Reported out of file order, as sections are: the kept ones are the first by position.
  for (int line = 300'000; line >= 1; --line) {
    sink.error(detail::Position{line, 3}, "bad", "expected good");
  }
  sink.warning(detail::Position{7, 1}, "odd");
  sink.warning(detail::Position{400'000, 1}, "late");
  sink.error(detail::Position{5, 3}, "bad", "expected good");  // a repeat: kept once
  CHECK(sink.has_errors());
  const std::vector<Diagnostic> shown = sink.take();
  REQUIRE(shown.size() == limits::max_diagnostics_shown + 1);
  CHECK(shown[0].message == "f.yaml:1:3: error: bad (expected good)");
  CHECK(shown[6].message == "f.yaml:7:1: warning: odd");
  CHECK(shown[6].is_warning);
  CHECK(shown[7].message == "f.yaml:7:3: error: bad (expected good)");
  CHECK(shown[49].message == "f.yaml:49:3: error: bad (expected good)");
  const Diagnostic& rest = shown.back();
  CHECK(rest.message ==
        "f.yaml: ... and 299951 more errors and 1 more warning (the first 50 are shown)");
  CHECK(rest.line == 0);
  CHECK_FALSE(rest.is_warning);
  CHECK_FALSE(sink.has_errors());
}

TEST_CASE("warnings alone past the cap are counted as warnings") {
  detail::Sink sink("f.yaml");
  for (int line = 1; line <= 52; ++line) sink.warning(detail::Position{line, 1}, "odd");
  const std::vector<Diagnostic> shown = sink.take();
  REQUIRE(shown.size() == 51);
  CHECK(shown.back().message == "f.yaml: ... and 2 more warnings (the first 50 are shown)");
  CHECK(shown.back().is_warning);
}
