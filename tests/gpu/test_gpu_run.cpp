// The GPU area in whole runs, from YAML: schedulers, MIG order, per-VM limits, vMotion,
// passthrough, the reports' tables, and scenarios without GPUs.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <variant>

#include "vdc/models/datacenter.hpp"
#include "vdc/models/gpu/gpu_area.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/registry.hpp"
#include "vdc/models/trace/trace_cache.hpp"
#include "vdc/scenario/loader.hpp"

namespace vdc::models::gpu {
namespace {

std::string joined(const scenario::LoadResult& r) {
  std::string out;
  for (const auto& d : r.diagnostics) out += d.message + "\n";
  return out;
}

ScenarioConfig load(const std::string& body) {
  const std::string yaml = "name: t\nduration: 1h\n" + body;
  const scenario::LoadResult r = scenario::load_string(yaml, "t.yaml");
  INFO(joined(r));
  REQUIRE(r.ok());
  return *r.config;
}

/// One host with `gpus` (a YAML flow sequence) and the VMs of `vms` (YAML list items).
std::string lab(const std::string& gpus, const std::string& vms, const std::string& extra = {}) {
  return extra + "hosts:\n  - {name: esx01, cpu: {sockets: 2, cores_per_socket: 16}, memory: 1 TiB, gpus: " + gpus +
         "}\nvms:\n" + vms;
}

std::string vm(const std::string& name, const std::string& vgpus, double demand_pct) {
  return "  - {name: " + name + ", vcpus: 2, memory: 8 GiB, vgpus: " + vgpus +
         ", workload: {gpu: {kind: constant, demand: " + std::to_string(demand_pct) + "%}}}\n";
}

double avg(const RunResult& r, const std::string& vm_name, std::string_view gauge) {
  const auto id = r.metrics.find(metric::vm_entity(vm_name), gauge);
  REQUIRE(id.has_value());
  return r.metrics.average(*id);
}

const VmFacts& facts(const RunResult& r, const std::string& name) {
  const auto it = std::find_if(r.vms.begin(), r.vms.end(), [&](const VmFacts& f) { return f.name == name; });
  REQUIRE(it != r.vms.end());
  return *it;
}

TEST_CASE("best effort: the light vGPU gets its demand, the heavy one the rest") {
  const RunResult r = run_scenario(load(lab("[{model: A100-40GB}]",
                                            vm("a", "[{profile: A100-20C}]", 40) + vm("b", "[{profile: A100-20C}]", 80))));
  CHECK(avg(r, "a", vm_gpu_used_pct) == doctest::Approx(40.0));
  CHECK(avg(r, "b", vm_gpu_used_pct) == doctest::Approx(60.0));
  CHECK(avg(r, "b", vm_gpu_wait_pct) == doctest::Approx(25.0));  // 20 of 80 not served
}

TEST_CASE("equal share and fixed share on three A100-10C vGPUs asking 50% each") {
  const std::string vms = vm("a", "[{profile: A100-10C}]", 50) + vm("b", "[{profile: A100-10C}]", 50) +
                          vm("c", "[{profile: A100-10C}]", 50);
  const RunResult equal = run_scenario(load(lab("[{model: A100-40GB, scheduler: equal_share}]", vms)));
  CHECK(avg(equal, "a", vm_gpu_used_pct) == doctest::Approx(100.0 / 3.0));
  // Fixed share: 1/4 (A100-10C: 4 per GPU) whatever runs.
  const RunResult fixed = run_scenario(load(lab("[{model: A100-40GB, RmPVMRL: 0x00180011}]", vms)));
  CHECK(avg(fixed, "a", vm_gpu_used_pct) == doctest::Approx(25.0));
  CHECK(avg(fixed, "c", vm_gpu_used_pct) == doctest::Approx(25.0));
}

TEST_CASE("a MIG-backed vGPU gets its compute slices") {
  const RunResult r = run_scenario(load(lab("[{model: A100-40GB, mode: mig}]", vm("a", "[{profile: A100-3-20C}]", 100))));
  CHECK(avg(r, "a", vm_gpu_used_pct) == doctest::Approx(300.0 / 7.0));
}

TEST_CASE("MIG placement follows the order of power-ons") {
  const std::string gpus = "[{model: A100-40GB, mode: mig}]";
  const RunResult small_first = run_scenario(
      load(lab(gpus, vm("small", "[{profile: A100-1-5C}]", 10) + vm("big", "[{profile: A100-4-20C}]", 10))));
  CHECK(facts(small_first, "small").powered_on);
  CHECK_FALSE(facts(small_first, "big").powered_on);
  REQUIRE(facts(small_first, "big").admission.has_value());
  CHECK(facts(small_first, "big").admission->find("starts only at slice 0") != std::string::npos);
  const RunResult big_first = run_scenario(
      load(lab(gpus, vm("big", "[{profile: A100-4-20C}]", 10) + vm("small", "[{profile: A100-1-5C}]", 10))));
  CHECK(facts(big_first, "big").powered_on);
  CHECK(facts(big_first, "small").powered_on);
  // The gpus table lists the instances with their start slots.
  const AreaSection* gpu = big_first.view().section("gpu");
  REQUIRE(gpu != nullptr);
  REQUIRE(gpu->tables.size() == 2);
  REQUIRE(gpu->tables[0].rows() == 1);
  const auto row = gpu->tables[0].row(0);
  const std::vector<Record> expected{{{"vm", std::string("big")}, {"profile", std::string("A100-4-20C")}, {"start", 0.0}},
                                     {{"vm", std::string("small")}, {"profile", std::string("A100-1-5C")}, {"start", 4.0}}};
  CHECK(std::get<std::vector<Record>>(row[7]) == expected);
  CHECK(std::get<double>(row[9]) == 25.0 * 1024.0);
}

TEST_CASE("per-VM limit: 4 vGPUs by default, 8 with the vSphere 8 setting") {
  const std::string five = "[{profile: A100-40C}, {profile: A100-40C}, {profile: A100-40C}, {profile: A100-40C}, "
                           "{profile: A100-40C}]";
  const std::string gpus = "[{model: A100-40GB, count: 5}]";
  const RunResult v7 = run_scenario(load(lab(gpus, vm("wide", five, 50))));
  CHECK_FALSE(facts(v7, "wide").powered_on);
  REQUIRE(facts(v7, "wide").admission.has_value());
  CHECK(facts(v7, "wide").admission->find("gpu.vgpus_per_vm allows 4") != std::string::npos);
  const RunResult v8 = run_scenario(load(lab(gpus, vm("wide", five, 50), "parameters: {gpu.vgpus_per_vm: 8}\n")));
  CHECK(facts(v8, "wide").powered_on);
  // Before vSphere 8 several vGPUs must be full-framebuffer profiles (reference C.2).
  const std::string halves = "[{profile: A100-20C}, {profile: A100-20C}]";
  const RunResult half_v7 = run_scenario(load(lab(gpus, vm("halves", halves, 50))));
  CHECK_FALSE(facts(half_v7, "halves").powered_on);
  CHECK(facts(half_v7, "halves").admission->find("full-framebuffer profiles only") != std::string::npos);
  const RunResult half_v8 = run_scenario(load(lab(gpus, vm("halves", halves, 50), "parameters: {gpu.vgpus_per_vm: 8}\n")));
  CHECK(facts(half_v8, "halves").powered_on);
  // Each vGPU of a VM on its own GPU: four GPUs do not hold five.
  const RunResult short_of_gpus =
      run_scenario(load(lab("[{model: A100-40GB, count: 4}]", vm("wide", five, 50), "parameters: {gpu.vgpus_per_vm: 8}\n")));
  CHECK_FALSE(facts(short_of_gpus, "wide").powered_on);
}

TEST_CASE("vGPU vMotion only with vgpu.hotmigrate.enabled; passthrough never") {
  const std::string two_hosts =
      "hosts:\n"
      "  - {name: esx01, cpu: {sockets: 1, cores_per_socket: 8}, memory: 256 GiB, gpus: [{model: L40S}, {model: L40S, mode: passthrough}]}\n"
      "  - {name: esx02, cpu: {sockets: 1, cores_per_socket: 8}, memory: 256 GiB, gpus: [{model: L40S}, {model: L40S, mode: passthrough}]}\n"
      "vms:\n"
      "  - {name: v, host: esx01, memory: 8 GiB, vgpus: [{profile: L40S-24C}]}\n"
      "  - {name: p, host: esx01, memory: 8 GiB, vgpus: [{passthrough: L40S}]}\n"
      "events:\n"
      "  - {at: 10m, migrate: v, to: esx02}\n"
      "  - {at: 10m, migrate: p, to: esx02}\n";
  const RunResult off = run_scenario(load(two_hosts));
  CHECK(facts(off, "v").host == "esx01");
  CHECK(facts(off, "p").host == "esx01");
  const RunResult on = run_scenario(load("parameters: {vgpu.hotmigrate.enabled: 1}\n" + two_hosts));
  CHECK(facts(on, "v").host == "esx02");
  CHECK(facts(on, "p").host == "esx01");
  // The stun time of the move: 24 GB of vGPU framebuffer, between 16 GB (22 s) and 32 GB
  // (39 s) of the 10 GbE table (reference C.6): 22 + 8 x 17 / 16 = 30.5 s, hosts without
  // NICs counting as 10 GbE.
  const AreaSection* gpu = on.view().section("gpu");
  REQUIRE(gpu != nullptr);
  const ReportTable& vms = gpu->tables[1];
  REQUIRE(vms.rows() == 2);
  CHECK(std::get<std::string>(vms.row(0)[0]) == "v");
  CHECK(std::get<double>(vms.row(0)[4]) == 1.0);
  CHECK(std::get<double>(vms.row(0)[5]) == doctest::Approx(30.5));
  CHECK(std::get<double>(vms.row(1)[4]) == 0.0);
  // Passthrough reserves all of the VM's memory (DirectPath I/O, reference C.6).
  CHECK(facts(on, "p").mem_reservation_mib == 8192.0);
  CHECK(facts(on, "v").mem_reservation_mib == 0.0);
}

TEST_CASE("vGPU vMotion stun time scales with the slower host's link") {
  // 8 GB of framebuffer: 12 s on 10 GbE; between a 25 Gbps and a 50 Gbps host, 12 x 10 / 25.
  const std::string yaml =
      "parameters: {vgpu.hotmigrate.enabled: 1}\n"
      "hosts:\n"
      "  - {name: a, memory: 64 GiB, nics: [{name: vmnic0, speed: 25 Gbps}], gpus: [{model: L40S}]}\n"
      "  - {name: b, memory: 64 GiB, nics: [{name: vmnic0, speed: 50 Gbps}], gpus: [{model: L40S}]}\n"
      "vms:\n"
      "  - {name: v, host: a, memory: 8 GiB, vgpus: [{profile: L40S-8C}]}\n"
      "events:\n"
      "  - {at: 10m, migrate: v, to: b}\n"
      "  - {at: 20m, migrate: v, to: a}\n";
  const RunResult r = run_scenario(load(yaml));
  const ReportTable& vms = r.view().section("gpu")->tables[1];
  REQUIRE(vms.rows() == 1);
  CHECK(std::get<double>(vms.row(0)[4]) == 2.0);
  CHECK(std::get<double>(vms.row(0)[5]) == doctest::Approx(2 * 12.0 * 10.0 / 25.0));
}

TEST_CASE("a vGPU vMotion's stun pauses the VM's GPU work, and the GPU's time goes to the others") {
  // v (A100-20C, 50% asked) moves to esx02 at 10 minutes. Its 20 GB of framebuffer stun it
  // for 22 + (20 - 16) x (39 - 22) / (32 - 16) = 26.25 s on 10 GbE (hosts without NICs),
  // during which it uses nothing and all its demand waits. w (A100-20C, 80% asked) on esx02
  // has the GPU to itself until the stun ends (80%), then best effort splits 130% asked into
  // 50 and 50.
  const std::string yaml =
      "parameters: {vgpu.hotmigrate.enabled: 1}\n"
      "hosts:\n"
      "  - {name: esx01, cpu: {sockets: 1, cores_per_socket: 8}, memory: 256 GiB, gpus: [{model: A100-40GB}]}\n"
      "  - {name: esx02, cpu: {sockets: 1, cores_per_socket: 8}, memory: 256 GiB, gpus: [{model: A100-40GB}]}\n"
      "vms:\n"
      "  - {name: v, host: esx01, memory: 8 GiB, vgpus: [{profile: A100-20C}], workload: {gpu: {kind: constant, demand: 50%}}}\n"
      "  - {name: w, host: esx02, memory: 8 GiB, vgpus: [{profile: A100-20C}], workload: {gpu: {kind: constant, demand: 80%}}}\n"
      "events:\n"
      "  - {at: 10m, migrate: v, to: esx02}\n";
  const RunResult r = run_scenario(load(yaml));
  REQUIRE(facts(r, "v").host == "esx02");
  const double stun = 22.0 + 4.0 * 17.0 / 16.0;
  CHECK(std::get<double>(r.view().section("gpu")->tables[1].row(0)[5]) == doctest::Approx(stun));
  CHECK(avg(r, "v", vm_gpu_demand_pct) == doctest::Approx(50.0));
  CHECK(avg(r, "v", vm_gpu_used_pct) == doctest::Approx(50.0 * (3600.0 - stun) / 3600.0));
  CHECK(avg(r, "v", vm_gpu_wait_pct) == doctest::Approx(100.0 * stun / 3600.0));
  CHECK(avg(r, "w", vm_gpu_used_pct) == doctest::Approx((80.0 * (600.0 + stun) + 50.0 * (3000.0 - stun)) / 3600.0));
}

TEST_CASE("GPU demand from a trace and from an on/off workload") {
  // A percent column: 20% for the first half hour, 80% after (held to the end).
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "vdcsim-test-gpu-trace.csv";
  {
    std::ofstream out(file);
    out << "time,gpu_pct\n0,20\n1800,80\n";
  }
  const std::string trace_vm = "  - {name: t, memory: 8 GiB, vgpus: [{profile: L40S-48C}], workload: {gpu: {kind: trace, "
                               "format: csv, file: \"" + file.generic_string() + "\", column: gpu_pct, at_end: hold}}}\n";
  // On/off: 30 s of GPU work, 90 s idle: a demand level of 30 / 120 = 25%.
  const std::string on_off_vm = "  - {name: o, memory: 8 GiB, vgpus: [{profile: L40S-48C}], workload: {gpu: {kind: on_off, "
                                "run: 30s, idle: 90s}}}\n";
  const RunResult r = run_scenario(load(lab("[{model: L40S, count: 2}]", trace_vm + on_off_vm)));
  std::filesystem::remove(file);
  CHECK(avg(r, "t", vm_gpu_demand_pct) == doctest::Approx(50.0));
  CHECK(avg(r, "t", vm_gpu_used_pct) == doctest::Approx(50.0));
  CHECK(avg(r, "o", vm_gpu_used_pct) == doctest::Approx(25.0));
}

TEST_CASE("a GPU trace column must be a percentage, and validation says so before a run") {
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "vdcsim-test-gpu-mhz.csv";
  {
    std::ofstream out(file);
    out << "time,gpu_mhz\n0,500\n300,700\n";
  }
  const ScenarioConfig c = load(lab("[{model: T4}]", "  - {name: m, memory: 8 GiB, vgpus: [{profile: T4-16C}], workload: {gpu: "
                                                     "{kind: trace, format: csv, file: \"" + file.generic_string() +
                                                     "\", column: gpu_mhz}}}\n"));
  trace::TraceCache cache;
  const auto problems = trace::check_traces(cache, c);
  REQUIRE(problems.size() == 1);
  CHECK(std::string(problems.front().what()).find("not a percentage") != std::string::npos);
  CHECK_THROWS_AS((void)run_scenario(c), trace::TraceError);
  std::filesystem::remove(file);
}

TEST_CASE("only VMs with vGPUs have a gpu section") {
  const RunResult r = run_scenario(load(lab("[{model: T4}]", vm("g", "[{profile: T4-4Q}]", 10) +
                                                                "  - {name: plain, memory: 4 GiB}\n")));
  const AreaSection* gpu = r.view().section("gpu");
  REQUIRE(gpu != nullptr);
  CHECK(gpu->has_vm(0));
  CHECK_FALSE(gpu->has_vm(1));
  REQUIRE(gpu->tables[1].rows() == 1);
}

TEST_CASE("report.html's GPU views: MIG slices by start and width, time-slice shares used and waited") {
  // GPU 0 in MIG mode takes big (4g.20gb: 4 slices, starts 0), mid (2g.10gb: 2 slices,
  // starts 0, 2, 4: first free 4) and small (1g.5gb: 1 slice, starts 0-6: first free 6),
  // leaving slice 7 free. GPU 1, time-sliced best effort: a asks 40% and gets it, b asks
  // 80% and gets the other 60%, waiting 20.
  const RunResult r = run_scenario(load(lab("[{model: A100-40GB, mode: mig}, {model: A100-40GB}]",
                                            vm("big", "[{profile: A100-4-20C}]", 10) +
                                                vm("mid", "[{profile: A100-2-10C}]", 10) +
                                                vm("small", "[{profile: A100-1-5C}]", 10) +
                                                vm("a", "[{profile: A100-20C}]", 40) +
                                                vm("b", "[{profile: A100-20C}]", 80))));
  REQUIRE(report_spec.views.size() == 2);
  const auto mig = report_spec.views[0].bars(r.view());
  REQUIRE(mig.size() == 1);
  CHECK(mig[0].name == "esx01/0");
  CHECK(mig[0].size == 8.0);
  REQUIRE(mig[0].parts.size() == 4);
  const auto part = [](const BarPart& p) { return std::tuple(p.key, p.start, p.width, p.label); };
  CHECK(part(mig[0].parts[0]) == std::tuple(std::string("4g instance"), 0.0, 4.0, std::string("big A100-4-20C")));
  CHECK(part(mig[0].parts[1]) == std::tuple(std::string("2g instance"), 4.0, 2.0, std::string("mid A100-2-10C")));
  CHECK(part(mig[0].parts[2]) == std::tuple(std::string("1g instance"), 6.0, 1.0, std::string("small A100-1-5C")));
  CHECK(part(mig[0].parts[3]) == std::tuple(std::string("free slice"), 7.0, 1.0, std::string("free")));

  const auto shares = report_spec.views[1].bars(r.view());
  REQUIRE(shares.size() == 1);
  CHECK(shares[0].name == "esx01/1");
  CHECK(shares[0].size == doctest::Approx(120.0));
  const auto& p = shares[0].parts;
  REQUIRE(p.size() == 3);  // a used, b used, b waited: no idle time left
  CHECK(p[0].key == "used");
  CHECK(p[0].label == "a");
  CHECK(p[0].start == 0.0);
  CHECK(p[0].width == doctest::Approx(40.0));
  CHECK(p[1].key == "used");
  CHECK(p[1].label == "b");
  CHECK(p[1].start == doctest::Approx(40.0));
  CHECK(p[1].width == doctest::Approx(60.0));
  CHECK(p[2].key == "waited (demand not served)");
  CHECK(p[2].label == "b");
  CHECK(p[2].start == doctest::Approx(100.0));
  CHECK(p[2].width == doctest::Approx(20.0));
  // Every key a part uses is one of its view's keys (their colours and legend).
  for (std::size_t v = 0; v < 2; ++v) {
    for (const auto& bar : v == 0 ? mig : shares) {
      for (const auto& q : bar.parts) {
        const auto& keys = report_spec.views[v].keys;
        CHECK(std::any_of(keys.begin(), keys.end(), [&](const BarKey& k) { return k.label == q.key; }));
      }
    }
  }
}

TEST_CASE("a time-sliced GPU's idle time fills its bar to 100%, and a GPU without vGPUs is all idle or free") {
  const RunResult r = run_scenario(load(lab("[{model: A100-40GB, mode: mig}, {model: A100-40GB, count: 2}]",
                                            vm("a", "[{profile: A100-20C}]", 30))));
  const auto shares = report_spec.views[1].bars(r.view());
  REQUIRE(shares.size() == 2);
  REQUIRE(shares[0].parts.size() == 2);  // a used 30, idle 70
  CHECK(shares[0].parts[1].key == "idle");
  CHECK(shares[0].parts[1].start == doctest::Approx(30.0));
  CHECK(shares[0].parts[1].width == doctest::Approx(70.0));
  CHECK(shares[0].size == 100.0);
  REQUIRE(shares[1].parts.size() == 1);
  CHECK(shares[1].parts[0].width == 100.0);
  const auto mig = report_spec.views[0].bars(r.view());
  REQUIRE(mig.size() == 1);
  CHECK(mig[0].parts.size() == 8);  // eight free slices
}

TEST_CASE("a scenario without GPUs does not build the GPU area") {
  const ScenarioConfig plain = load("hosts:\n  - {name: esx01, memory: 64 GiB}\nvms:\n  - {name: a}\n");
  for (const AreaSpec* a : areas_for(plain)) CHECK(a->name != "gpu");
  const ScenarioConfig with = load(lab("[{model: T4}]", vm("a", "[{profile: T4-4Q}]", 10)));
  const auto areas = areas_for(with);
  CHECK(std::any_of(areas.begin(), areas.end(), [](const AreaSpec* a) { return a->name == "gpu"; }));
}

}  // namespace
}  // namespace vdc::models::gpu
