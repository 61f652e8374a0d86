// The shipped real-trace scenario works on a fresh clone: it loads, every VM's trace parses,
// and the replayed CPU demand and active memory match the traces' own mean usage
// (traces/bitbrains/SOURCE.md).
#include <algorithm>

#include <doctest/doctest.h>

#include "vdc/models/datacenter.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/trace/trace_cache.hpp"
#include "vdc/scenario/loader.hpp"

using namespace vdc::models;
using vdc::sim::Time;

TEST_CASE("bitbrains-replay.yaml loads, and its ten VMs replay 25.7 GHz on average") {
  const auto loaded =
      vdc::scenario::load_file(std::string(VDC_SOURCE_DIR) + "/scenarios/bitbrains-replay.yaml");
  REQUIRE(loaded.ok());
  const ScenarioConfig& config = *loaded.config;
  REQUIRE(config.vms.size() == 10);
  trace::TraceCache cache;
  double mean_mhz = 0.0;
  for (const VmConfig& vm : config.vms) {
    const auto* spec = std::get_if<TraceCpu>(&vm.cpu_workload);
    REQUIRE(spec != nullptr);
    const auto host = std::find_if(config.hosts.begin(), config.hosts.end(),
                                   [&](const HostConfig& h) { return h.name == vm.host; });
    const double host_mhz = host->cpu.frequency_mhz;
    trace::TraceCursor cursor = trace::make_cpu_cursor(cache, *spec, vm.vcpus, host_mhz);
    // Mean demand over one span of the trace, back in MHz for the whole VM.
    const Time span = cursor.series().span();
    double integral = 0.0;
    for (Time t = Time::zero(); t < span;) {
      const Time next = std::min(cursor.next_change(t), span);
      integral += cursor.value_at(t) * (next - t).seconds();
      t = next;
    }
    mean_mhz += integral / span.seconds() * vm.vcpus * host_mhz;
  }
  // Each file parsed once for both of its VM's columns: CPU and memory.
  CHECK(cache.size() == 20);
  // The time-weighted means in SOURCE.md sum to 25,698 MHz.
  CHECK(mean_mhz == doctest::Approx(25698.0).epsilon(1e-4));
}

TEST_CASE("bitbrains-replay.yaml replays the traces' memory usage: 10.84 GiB active on average") {
  const auto loaded =
      vdc::scenario::load_file(std::string(VDC_SOURCE_DIR) + "/scenarios/bitbrains-replay.yaml");
  REQUIRE(loaded.ok());
  const ScenarioConfig& config = *loaded.config;
  // The time-weighted means of the files' "Memory usage [KB]" (SOURCE.md, per file) sum to
  // 10.844 GiB; every VM's memory is above its trace's peak, so nothing is capped.
  trace::TraceCache cache;
  double mean_mib = 0.0;
  for (const VmConfig& vm : config.vms) {
    const auto* spec = std::get_if<TraceCpu>(&vm.cpu_workload);
    REQUIRE(spec != nullptr);
    trace::TraceCursor cursor = trace::make_memory_cursor(cache, *spec, vm.memory_mib);
    const Time span = cursor.series().span();
    double integral = 0.0;
    double peak = 0.0;
    for (Time t = Time::zero(); t < span;) {
      const Time next = std::min(cursor.next_change(t), span);
      const double mib = cursor.value_at(t);
      peak = std::max(peak, mib);
      integral += mib * (next - t).seconds();
      t = next;
    }
    CHECK(peak < vm.memory_mib);
    mean_mib += integral / span.seconds();
  }
  CHECK(mean_mib / 1024.0 == doctest::Approx(10.844).epsilon(1e-3));

  // The run: the VMs' active memory averages the same, less the minutes each guest spends
  // first touching up to a peak at 32 MiB/s.
  const RunResult r = run_scenario(config);
  double active_mib = 0.0;
  for (const VmFacts& vm : r.vms) {
    active_mib += r.metrics.average(
        *r.metrics.find(metric::vm_entity(vm.name), metric::vm_mem_active_mib));
  }
  CHECK(active_mib / 1024.0 == doctest::Approx(10.844).epsilon(0.01));
}

TEST_CASE("bitbrains-consolidation.yaml reclaims what its guests touched, not what they use") {
  // The same ten traces on one 96 GiB host. Their peaks (SOURCE.md) sum to 224.9 GiB of
  // touched memory, so the host must leave High and balloon; reclamation does not change
  // what the guests use: their working sets still average 10.844 GiB together.
  const auto loaded = vdc::scenario::load_file(std::string(VDC_SOURCE_DIR) +
                                               "/scenarios/bitbrains-consolidation.yaml");
  REQUIRE(loaded.ok());
  const RunResult r = run_scenario(*loaded.config);
  double active_mib = 0.0;
  double balloon_mib = 0.0;
  for (const VmFacts& vm : r.vms) {
    const std::string entity = metric::vm_entity(vm.name);
    active_mib += r.metrics.average(*r.metrics.find(entity, metric::vm_mem_active_mib));
    balloon_mib += r.metrics.average(*r.metrics.find(entity, metric::vm_mem_balloon_mib));
  }
  CHECK(active_mib / 1024.0 == doctest::Approx(10.844).epsilon(0.01));
  CHECK(balloon_mib > 0.0);
  const auto high = r.metrics.find(metric::host_entity("esx01"), metric::host_mem_state_high);
  REQUIRE(high.has_value());
  CHECK(r.metrics.average(*high) < 0.5);
}
