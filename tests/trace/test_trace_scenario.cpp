// The shipped real-trace scenario works on a fresh clone: it loads, every VM's trace parses,
// and the replayed demand matches the traces' own mean usage (traces/bitbrains/SOURCE.md).
#include <algorithm>

#include <doctest/doctest.h>

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
  CHECK(cache.size() == 10);
  // The time-weighted means in SOURCE.md sum to 25,698 MHz.
  CHECK(mean_mhz == doctest::Approx(25698.0).epsilon(1e-4));
}
