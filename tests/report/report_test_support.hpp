#pragma once
// Hand-built runs for the report tests: one host and a 2-vCPU VM with hand-set gauges
// (small_run), an idle two-host run (idle_run), and readers of the summary's sections.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "vdc/models/cpu/cpu_area.hpp"
#include "vdc/models/memory/memory_area.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/summary.hpp"

namespace vdc::report::test {

using namespace vdc::sim::literals;
namespace metric = vdc::models::metric;

/// The CPU and memory areas' report sections of a hand-built run, as run_areas adds them
/// (again after the test changed the run's hosts, VMs or metrics).
inline void add_sections(models::RunResult& r) {
  const models::AreaSpec* areas[] = {&models::cpu::area_specs()[0], &models::memory::area_specs()[0]};
  models::add_report_sections(r, areas);
}

/// Sets `area`'s reported value `key` of host `h`, as the area would have published it.
inline void set_host_value(models::RunResult& r, std::string_view area, std::size_t h, std::string_view key, double v) {
  for (auto& section : r.sections) {
    if (section.name() != area) continue;
    const auto c = section.column(models::EntityKind::host, key);
    REQUIRE(c.has_value());
    section.hosts.at(h * section.spec->host_columns.size() + *c) = v;
  }
}

/// `area`'s value `key` of host or VM `i` of a summary (report.json's key).
inline double value(const report::Summary& s, models::EntityKind kind, std::size_t i, std::string_view area,
             std::string_view key) {
  const auto v = s.view().value(area, kind, i, key);
  REQUIRE(v.has_value());
  return *v;
}
inline double vm_cpu(const report::Summary& s, std::string_view key) { return value(s, models::EntityKind::vm, 0, "cpu", key); }
inline double host_cpu(const report::Summary& s, std::string_view key) {
  return value(s, models::EntityKind::host, 0, "cpu", key);
}

/// One host, one 2-vCPU VM, 100 s. The VM runs both vCPUs for the first 50 s; then one
/// vCPU runs and the other is ready for 25 s; then both wait. With a `warmup`, the
/// registry's window starts there (as the run driver starts it). `granted_mhz`: the CPU
/// area's granted capacity of the host, when it has hyperthreads (0: none published).
inline models::RunResult small_run(sim::Time warmup = sim::Time::zero(), double granted_mhz = 0.0) {
  models::RunResult r;
  r.scenario = "hand";
  r.seed = 3;
  r.duration = 100_s;
  r.sample_interval = 20_s;
  r.metrics = sim::MetricsRegistry(20_s);
  r.hosts.push_back({.name = "esx01", .cluster = "", .pcpus = 4, .lcpus = 8, .capacity_mhz = 8000.0,
                     .memory_mib = 65536.0, .vcpus = 2});
  r.vms.push_back({.name = "vm1", .host = "esx01", .cluster = "", .vcpus = 2, .memory_mib = 4096.0,
                   .powered_on = true, .admission = std::nullopt});
  auto& m = r.metrics;
  const auto vm = metric::vm_entity("vm1");
  const auto run = m.gauge(vm, metric::vm_cpu_run, true);
  const auto ready = m.gauge(vm, metric::vm_cpu_ready, true);
  const auto wait = m.gauge(vm, metric::vm_cpu_wait, true);
  const auto used = m.gauge(vm, metric::vm_cpu_used_mhz, true);
  const auto host = metric::host_entity("esx01");
  const auto hused = m.gauge(host, metric::host_cpu_used_mhz, true);
  const auto high = m.gauge(host, metric::host_mem_state_high, true);
  const auto hdemand = m.gauge(host, metric::host_cpu_demand_mhz, true);
  const auto consumed = m.gauge(host, metric::host_mem_consumed_mib, true);
  const auto vdemand = m.gauge(vm, metric::vm_cpu_demand_mhz, true);
  const auto granted = m.gauge(vm, metric::vm_mem_granted_mib, true);
  // The memory area's minFree of a 64 GiB host: the sliding scale of reference B.2.
  m.set(m.gauge(host, metric::host_mem_min_free_mib), 0_s, 1310.72);
  if (granted_mhz > 0) m.set(m.gauge(host, metric::host_cpu_granted_capacity_mhz), 0_s, granted_mhz);
  struct Set {
    sim::Time at;
    sim::MetricId id;
    double value;
  };
  const Set sets[] = {{0_s, run, 1.0},      {0_s, used, 4000.0},    {0_s, hused, 4000.0},  {0_s, high, 1.0},
                      {0_s, hdemand, 4000.0}, {0_s, consumed, 32768.0}, {0_s, vdemand, 1000.0}, {0_s, granted, 4096.0},
                      {50_s, run, 0.5},     {50_s, ready, 0.5},     {50_s, used, 2000.0},  {50_s, hused, 2000.0},
                      {50_s, hdemand, 2000.0}, {75_s, run, 0.0},    {75_s, ready, 0.0},    {75_s, wait, 1.0},
                      {75_s, used, 0.0},    {75_s, hused, 0.0},     {75_s, hdemand, 0.0}};
  bool window = warmup == sim::Time::zero();
  for (const Set& set : sets) {
    if (!window && set.at >= warmup) {
      m.start_window(warmup);
      window = true;
    }
    m.set(set.id, set.at, set.value);
  }
  if (!window) m.start_window(warmup);
  r.warmup = warmup;
  m.finish(100_s);
  add_sections(r);
  return r;
}

/// A run where nothing demands CPU: two hosts of cluster c1, one VM on esx01 with 4 GiB
/// granted and no workload. esx02 has 8 PiB of memory: more than a million 4 GiB VMs fit.
inline models::RunResult idle_run() {
  models::RunResult r;
  r.scenario = "idle";
  r.duration = 100_s;
  r.sample_interval = 20_s;
  r.metrics = sim::MetricsRegistry(20_s);
  r.hosts.push_back({.name = "esx01", .cluster = "c1", .pcpus = 4, .lcpus = 8, .capacity_mhz = 8000.0,
                     .memory_mib = 65536.0, .vcpus = 2});
  r.hosts.push_back({.name = "esx02", .cluster = "c1", .pcpus = 4, .lcpus = 8, .capacity_mhz = 8000.0,
                     .memory_mib = 8589934592.0, .vcpus = 0});
  r.vms.push_back({.name = "vm1", .host = "esx01", .cluster = "c1", .vcpus = 2, .memory_mib = 4096.0,
                   .powered_on = true, .admission = std::nullopt});
  auto& m = r.metrics;
  const auto vm = metric::vm_entity("vm1");
  m.gauge(vm, metric::vm_cpu_demand_mhz, true);
  m.set(m.gauge(vm, metric::vm_cpu_wait, true), 0_s, 1.0);
  m.set(m.gauge(vm, metric::vm_mem_granted_mib, true), 0_s, 4096.0);
  m.set(m.gauge(metric::host_entity("esx01"), metric::host_mem_consumed_mib, true), 0_s, 32768.0);
  m.gauge(metric::host_entity("esx02"), metric::host_mem_consumed_mib, true);
  for (const char* h : {"esx01", "esx02"}) m.set(m.gauge(metric::host_entity(h), metric::host_mem_min_free_mib), 0_s, 1310.72);
  m.finish(100_s);
  add_sections(r);
  return r;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace vdc::report::test
