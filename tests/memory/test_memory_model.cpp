// The memory model driven by the engine: steps every Mem.BalancePeriod and at threshold
// crossings, the order in which ESXi's techniques appear as pressure grows, the idle tax
// between two VMs, metrics under the report's names, and progress-factor notifications.
#include <doctest/doctest.h>

#include <array>
#include <vector>

#include "memory_test_support.hpp"
#include "vdc/models/memory/memory_model.hpp"
#include "vdc/models/metric_names.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::memory;
using namespace vdc::models::memory::test;
using namespace vdc::sim::literals;
using doctest::Approx;

namespace {

/// First time (seconds) each quantity became positive and each state was entered.
struct Timeline {
  double shared = -1.0, balloon = -1.0, compressed = -1.0, swapped = -1.0;
  std::array<double, host_state_count> entered{-1.0, -1.0, -1.0, -1.0, -1.0};
};

/// Samples the host every second (after the model's own events at that instant).
void watch(sim::Simulator& sim, const MemoryModel& model, Timeline& t, sim::Time until) {
  for (sim::Time at = 0_s; at <= until; at += 1_s) {
    sim.at(at, [&sim, &model, &t] {
      const HostMemory& h = model.host(0);
      const HostMemoryStats s = h.stats();
      const double now = sim.now().seconds();
      auto first = [now](double& when, double value) {
        if (when < 0.0 && value > 0.0) when = now;
      };
      first(t.shared, s.shared_saved_mib);
      first(t.balloon, s.balloon_mib);
      first(t.compressed, s.compressed_mib);
      first(t.swapped, s.swapped_mib);
      first(t.entered[static_cast<std::size_t>(h.state())], 1.0);
    }, 10);
  }
}

}  // namespace

TEST_CASE("as VMs are powered on, ESXi shares, then balloons, then compresses and swaps") {
  // Host 10000 MiB, Mem.MemMinFreePct 10: minFree 1000, thresholds High 4000, Clear 1000,
  // Soft 640, Hard 320, Low 160. Small pages and a 10-minute scan so TPS shows early.
  // Every 5 minutes a 4096 MiB VM boots: touches all of it at 32 MiB/s (128 s), 20%
  // active, 10% zero pages, half its pages compress to 2 KB; overhead 48.64 each.
  // - VM 1 and 2 (8290 MiB): High, zero pages shared from the first minutes.
  // - VM 3 takes free below 1000 (Clear, TPS only), then below 640 (Soft): the balloon
  //   inflates, up to 0.65 x 4096 = 2662.4 MiB per VM, the idle 80% of each guest.
  // - Eight VMs hold at least 8 x (4096 - 2662.4) x 0.9 = 10321 MiB after balloon and
  //   sharing, more than the 9000 MiB above minFree: before the last VMs finish booting
  //   the balloons are at their caps, free falls below 320 (Hard) and compression and
  //   swap take over together (compression preferred per page, reference B.6).
  sim::Simulator sim;
  MemoryModel model(sim, {});
  model.add_host(make_host(10000.0, {{"Mem.MemMinFreePct", 10.0},
                                     {"Mem.AllocGuestLargePage", 0.0},
                                     {"Mem.ShareScanTime", 10.0}}));
  for (int i = 0; i < 8; ++i) {
    sim.at(sim::Time::from_seconds(300.0 * i + 1.0), [&model, i] {
      const ModelPowerOn r =
          model.power_on(0, make_vm("vm" + std::to_string(i), 4096.0,
                                    workload(0.2, 1.0, 0.1, 0.0, 0.5)));
      REQUIRE(r.vm.has_value());
    });
  }
  Timeline t;
  watch(sim, model, t, 3_h);
  sim.run_until(3_h);
  model.finish();

  CHECK(t.shared > 0.0);
  CHECK(t.shared < t.balloon);
  CHECK(t.balloon < t.compressed);
  CHECK(t.compressed <= t.swapped);
  // Ballooning begins only once the third VM (powered on at 601 s) has pushed free below
  // Soft, and compression once the eighth and last balloon space is nearly used.
  CHECK(t.balloon > 601.0);
  // States first entered in order High, Clear, Soft, Hard; compression and swap lift free
  // memory back above 320 within the step, so Low is never reached.
  CHECK(t.entered[0] == 0.0);
  CHECK(t.entered[0] < t.entered[1]);
  CHECK(t.entered[1] < t.entered[2]);
  CHECK(t.entered[2] < t.entered[3]);
  CHECK(t.entered[4] < 0.0);
  const HostMemory& h = model.host(0);
  CHECK(h.stats().balloon_mib == Approx(8 * 2662.4));
  CHECK(h.time_in(HostState::soft) > 0_s);
  CHECK(h.time_in(HostState::hard) > 0_s);
  sim::Time total;
  for (std::size_t s = 0; s < host_state_count; ++s) total += h.time_in(static_cast<HostState>(s));
  CHECK(total == 3_h);
}

namespace {

/// Two 6000 MiB VMs with equal shares on a 10000 MiB host (minFree 1000), all touched:
/// one idle (active 0), one fully active. Returns their balloons and progress factors.
struct TwoVms {
  double idle_balloon, active_balloon, idle_progress, active_progress;
};

TwoVms idle_and_active(double idle_tax_pct) {
  sim::Simulator sim;
  MemoryModel model(sim, {});
  model.add_host(make_host(10000.0, {{"Mem.MemMinFreePct", 10.0},
                                     {"Mem.AllocGuestLargePage", 0.0},
                                     {"Mem.IdleTax", idle_tax_pct}}));
  const VmRef idle = *model.power_on(0, make_vm("idle", 6000.0, workload(0.0, 1.0))).vm;
  const VmRef active = *model.power_on(0, make_vm("active", 6000.0, workload(1.0, 1.0))).vm;
  sim.run_until(30_min);
  const HostMemory& h = model.host(0);
  return TwoVms{h.vm_stats(idle.vm).balloon_mib, h.vm_stats(active.vm).balloon_mib,
                model.progress_factor(idle), model.progress_factor(active)};
}

}  // namespace

TEST_CASE("the idle memory tax balloons the idle VM and spares the active one") {
  // Both touch 6000 MiB; with overheads of 62.74 each (B.7 interpolated) they want
  // 12125.47 MiB of 10000. The last balloon step left free between 640 (Soft, where the
  // balloon starts) and 1000 (where it stops), so the balloons hold
  // 12125.47 - 10000 + free, between 2765.47 and 3125.47 MiB.
  SUBCASE("tau = 0: equal shares, equal balloons; the active VM pages") {
    const TwoVms r = idle_and_active(0.0);
    CHECK(r.idle_balloon == Approx(r.active_balloon));
    CHECK(r.idle_balloon + r.active_balloon >= 2765.47 - 0.01);
    CHECK(r.idle_balloon + r.active_balloon <= 3125.47 + 0.01);
    CHECK(r.idle_progress == 1.0);
    CHECK(r.active_progress < 0.5);
  }
  SUBCASE("tau = 0.75: weights S/4 against S, the idle VM gives it all") {
    // rho_idle = S / (4P), rho_active = S / P: the idle VM's target is a quarter of the
    // active one's, so its balloon (cap 3900) covers the whole need.
    const TwoVms r = idle_and_active(75.0);
    CHECK(r.active_balloon == 0.0);
    CHECK(r.idle_balloon >= 2765.47 - 0.01);
    CHECK(r.idle_balloon <= 3125.47 + 0.01);
    CHECK(r.active_progress == 1.0);
  }
}

TEST_CASE("powering VMs off deflates the balloons and the host returns to High") {
  sim::Simulator sim;
  MemoryModel model(sim, {});
  model.add_host(make_host(10000.0, {{"Mem.MemMinFreePct", 10.0}}));
  std::vector<VmRef> vms;
  for (int i = 0; i < 3; ++i) {
    vms.push_back(*model.power_on(0, make_vm("vm" + std::to_string(i), 4096.0,
                                             workload(0.2, 1.0))).vm);
  }
  sim.run_until(10_min);
  CHECK(model.host(0).stats().balloon_mib > 0.0);
  sim.at(10_min, [&] { model.power_off(vms[2]); });
  sim.run_until(11_min);
  // Free jumps above minFree: the two remaining balloons deflate in the next step, leaving
  // 10000 - 2 x (4096 + 48.64) = 1710.72 MiB free.
  CHECK(model.host(0).stats().balloon_mib == 0.0);
  CHECK(model.host(0).stats().free_mib == Approx(1710.72));
  sim.at(11_min, [&] { model.power_off(vms[1]); });
  sim.run_until(12_min);
  CHECK(model.host(0).state() == HostState::high);
  CHECK_FALSE(model.host(0).has_vm(vms[1].vm));
  CHECK(model.progress_factor(vms[1]) == 1.0);
}

TEST_CASE("the model publishes host and VM gauges under the report's metric names") {
  sim::Simulator sim;
  sim::MetricsRegistry metrics;
  MemoryModel model(sim, {}, &metrics);
  model.add_host(make_host(65536.0));
  const VmRef vm = *model.power_on(0, make_vm("web01", 4096.0, workload(0.25, 0.5))).vm;
  sim.run_until(10_min);
  model.finish();
  metrics.finish(10_min);

  const std::string host = metric::host_entity("esx01");
  const std::string guest = metric::vm_entity("web01");
  const auto free = metrics.find(host, metric::host_mem_free_mib);
  const auto high = metrics.find(host, metric::host_mem_state_high);
  const auto soft = metrics.find(host, metric::host_mem_state_soft);
  const auto granted = metrics.find(guest, metric::vm_mem_granted_mib);
  const auto swapped = metrics.find(guest, metric::vm_mem_swapped_mib);
  REQUIRE(free);
  REQUIRE(high);
  REQUIRE(soft);
  REQUIRE(granted);
  REQUIRE(swapped);
  // Touched 2048 MiB by 64 s; free = 65536 - 2048 - 48.64 from then on.
  CHECK(metrics.value(*free) == Approx(65536.0 - 2096.64));
  CHECK(metrics.value(*granted) == Approx(2048.0));
  CHECK(metrics.average(*high) == Approx(1.0));
  CHECK(metrics.average(*soft) == 0.0);
  CHECK(metrics.value(*swapped) == 0.0);
  for (std::string_view name :
       {metric::host_mem_granted_mib, metric::host_mem_consumed_mib,
        metric::host_mem_shared_saved_mib, metric::host_mem_balloon_mib,
        metric::host_mem_compressed_mib, metric::host_mem_swapped_mib,
        metric::host_mem_state_clear, metric::host_mem_state_hard, metric::host_mem_state_low}) {
    CAPTURE(name);
    CHECK(metrics.find(host, name).has_value());
  }
  for (std::string_view name : {metric::vm_mem_active_mib, metric::vm_mem_shared_mib,
                                metric::vm_mem_balloon_mib, metric::vm_mem_compressed_mib}) {
    CAPTURE(name);
    CHECK(metrics.find(guest, name).has_value());
  }
  CHECK(model.host(0).vm_stats(vm.vm).granted_mib == Approx(2048.0));
}

TEST_CASE("the progress listener hears when a VM's progress factor moves") {
  // A fully active VM held to 1024 of its 4096 MiB by a limit pages inside the guest:
  // its progress falls below 1 and the listener is told, once per real change.
  sim::Simulator sim;
  MemoryModel model(sim, {});
  model.add_host(make_host(65536.0, {{"Mem.AllocGuestLargePage", 0.0}}));
  std::vector<double> heard;
  model.set_progress_listener([&](VmRef, double p) { heard.push_back(p); });
  VmConfig v = make_vm("a", 4096.0, workload(1.0, 1.0));
  v.mem.limit = 1024.0;
  const VmRef vm = *model.power_on(0, v).vm;
  sim.run_until(30_min);
  REQUIRE_FALSE(heard.empty());
  CHECK(heard.back() == model.progress_factor(vm));
  CHECK(model.progress_factor(vm) < 1.0);
  for (std::size_t i = 1; i < heard.size(); ++i) CHECK(heard[i] != heard[i - 1]);
}
