// One host's memory model on small setups that can be followed by hand: admission, first
// touch, TPS with salting and large pages, limits, compression cache and the idle tax.
#include <doctest/doctest.h>

#include <optional>

#include "memory_test_support.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::memory;
using namespace vdc::models::memory::test;
using namespace vdc::sim::literals;
using doctest::Approx;

TEST_CASE("admission refuses a reservation that does not fit in unreserved memory") {
  // 4096 MiB host. A: 2048 MiB fully reserved, overhead 33.48 (1 vCPU, B.7 interpolated)
  // -> 2081.48 reserved, 2014.52 left. B asks 2000 + 33.48 = 2033.48: refused.
  // C asks 1900 + 33.48 = 1933.48: admitted.
  HostMemory host(make_host(4096.0), MemoryParams{});
  VmConfig a = make_vm("a", 2048.0, workload(0.1, 0.5));
  a.mem.reservation = 2048.0;
  VmConfig b = make_vm("b", 2048.0, workload(0.1, 0.5));
  b.mem.reservation = 2000.0;
  VmConfig c = make_vm("c", 2048.0, workload(0.1, 0.5));
  c.mem.reservation = 1900.0;

  const PowerOnResult ra = host.power_on(a, 0_s);
  REQUIRE(ra.admitted());
  CHECK(host.unreserved_mib() == Approx(2014.52));
  const PowerOnResult rb = host.power_on(b, 0_s);
  CHECK_FALSE(rb.admitted());
  CHECK(rb.refusal ==
        "memory reservation 2000 MiB plus overhead 33.48 MiB exceeds unreserved 2014.52 MiB in "
        "host esx01");
  CHECK(host.vms().size() == 1);
  CHECK(host.power_on(c, 0_s).admitted());
  // Once A is off, B fits: 4096 - 1933.48 = 2162.52 >= 2033.48.
  host.power_off(ra.vm, 10_s);
  CHECK(host.power_on(b, 10_s).admitted());
}

TEST_CASE("a VM's swap file is its configured memory minus its reservation") {
  HostMemory host(make_host(65536.0), MemoryParams{});
  const double reservations[] = {0.0, 1024.0, 4096.0};
  const double expected[] = {4096.0, 3072.0, 0.0};
  for (int i = 0; i < 3; ++i) {
    VmConfig v = make_vm("vm" + std::to_string(i), 4096.0, workload(0.1, 0.5));
    v.mem.reservation = reservations[i];
    const PowerOnResult r = host.power_on(v, 0_s);
    REQUIRE(r.admitted());
    CHECK(host.vm_stats(r.vm).swap_file_mib == Approx(expected[i]));
    CHECK(host.vm_stats(r.vm).overhead_mib == Approx(48.64));
  }
}

TEST_CASE("host memory is allocated only as the guest first touches it") {
  // 4096 MiB VM touching half its memory (2048 MiB) at 32 MiB/s: 480 MiB after 15 s,
  // 1920 after 60 s, all 2048 from 64 s on. Consumed = touched + overhead 48.64.
  HostMemory host(make_host(65536.0), MemoryParams{});
  const VmHandle vm = host.power_on(make_vm("vm", 4096.0, workload(0.25, 0.5)), 0_s).vm;
  CHECK(host.vm_stats(vm).touched_mib == 0.0);
  CHECK(host.stats().consumed_mib == Approx(48.64));
  host.step(15_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(480.0));
  CHECK(host.vm_stats(vm).granted_mib == Approx(480.0));
  // Active is the workload's 25% (1024 MiB), but never more than what was touched.
  CHECK(host.vm_stats(vm).active_mib == Approx(480.0));
  run_periodic(host, 60_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(1920.0));
  run_periodic(host, 120_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(2048.0));
  CHECK(host.vm_stats(vm).active_mib == Approx(1024.0));
  CHECK(host.stats().consumed_mib == Approx(2048.0 + 48.64));
  CHECK(host.stats().free_mib == Approx(65536.0 - 2096.64));
  CHECK(host.state() == HostState::high);
}

TEST_CASE("a migrated VM arrives with the memory it had touched") {
  HostMemory host(make_host(65536.0), MemoryParams{});
  const VmHandle vm = host.power_on(make_vm("vm", 4096.0, workload(0.25, 1.0)), 0_s, 3000.0).vm;
  CHECK(host.vm_stats(vm).touched_mib == 3000.0);
  host.step(15_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(3480.0));
}

namespace {

/// Two 1024 MiB VMs of one guest image, half of whose touched pages are image pages, on a
/// host with plenty of memory, small pages and a one-minute scan: after an hour TPS has
/// found everything (e^-60 of it left). Returns the host's saved memory.
double image_sharing_saved(double salting, std::optional<std::string> salt_a,
                           std::optional<std::string> salt_b) {
  HostMemory host(make_host(65536.0),
                  resolve_parameters({{"Mem.ShareForceSalting", salting},
                                      {"Mem.AllocGuestLargePage", 0.0},
                                      {"Mem.ShareScanTime", 1.0}},
                                     {}));
  VmConfig a = make_vm("a", 1024.0, workload(0.1, 1.0, 0.0, 0.5));
  VmConfig b = make_vm("b", 1024.0, workload(0.1, 1.0, 0.0, 0.5));
  a.guest.salt = std::move(salt_a);
  b.guest.salt = std::move(salt_b);
  host.power_on(a, 0_s);
  host.power_on(b, 0_s);
  run_periodic(host, 1_h);
  return host.stats().shared_saved_mib;
}

}  // namespace

TEST_CASE("identical pages are shared across VMs only where salting allows") {
  // Each VM holds 512 MiB of image pages. Shared across the two: 512 frames back 1024
  // guest MiB, saving 512 MiB. Not shared: nothing saved (no zero pages here).
  SUBCASE("Mem.ShareForceSalting 0 shares across the guest image") {
    CHECK(image_sharing_saved(0.0, std::nullopt, std::nullopt) == Approx(512.0));
    CHECK(image_sharing_saved(0.0, "x", "y") == Approx(512.0));
  }
  SUBCASE("Mem.ShareForceSalting 1 shares only equal salts, an unset salt being common") {
    CHECK(image_sharing_saved(1.0, std::nullopt, std::nullopt) == Approx(512.0));
    CHECK(image_sharing_saved(1.0, "x", "x") == Approx(512.0));
    CHECK(image_sharing_saved(1.0, "x", "y") == Approx(0.0));
  }
  SUBCASE("Mem.ShareForceSalting 2 shares within each VM unless the salts are set equal") {
    CHECK(image_sharing_saved(2.0, std::nullopt, std::nullopt) == Approx(0.0));
    CHECK(image_sharing_saved(2.0, "x", "x") == Approx(512.0));
    CHECK(image_sharing_saved(2.0, "x", std::nullopt) == Approx(0.0));
  }
}

TEST_CASE("each VM reports the image pages it holds on shared frames") {
  // Salting 0: both VMs reference the 512 shared frames -> SHRD 512 each, saved 512.
  HostMemory host(make_host(65536.0),
                  resolve_parameters({{"Mem.ShareForceSalting", 0.0},
                                      {"Mem.AllocGuestLargePage", 0.0},
                                      {"Mem.ShareScanTime", 1.0}},
                                     {}));
  const VmHandle a = host.power_on(make_vm("a", 1024.0, workload(0.1, 1.0, 0.0, 0.5)), 0_s).vm;
  const VmHandle b = host.power_on(make_vm("b", 1024.0, workload(0.1, 1.0, 0.0, 0.5)), 0_s).vm;
  run_periodic(host, 1_h);
  CHECK(host.vm_stats(a).shared_mib == Approx(512.0));
  CHECK(host.vm_stats(b).shared_mib == Approx(512.0));
  // Consumed: 2 x (1024 - 512) private + 512 frames + 2 x 25.90 overhead = 1587.8.
  CHECK(host.stats().consumed_mib == Approx(1587.8));
  // Once B is off, A's image pages have no twin left and stop being shared.
  host.power_off(b, 1_h);
  CHECK(host.vm_stats(a).shared_mib == Approx(0.0));
}

TEST_CASE("zero pages are shared within a VM whatever the salting") {
  // A quarter of 1024 touched MiB is zero pages: 256 MiB collapse into one page.
  HostMemory host(make_host(65536.0), resolve_parameters({{"Mem.AllocGuestLargePage", 0.0},
                                                          {"Mem.ShareScanTime", 1.0}},
                                                         {}));
  const VmHandle vm = host.power_on(make_vm("a", 1024.0, workload(0.1, 1.0, 0.25)), 0_s).vm;
  run_periodic(host, 1_h);
  CHECK(host.vm_stats(vm).shared_mib == Approx(256.0));
  CHECK(host.stats().shared_saved_mib == Approx(256.0));
}

TEST_CASE("TPS finds shareable pages over Mem.ShareScanTime, not at once") {
  // One 1024 MiB VM, fully touched in 32 s, half zero pages (512 MiB), default 60 min
  // scan: after one scan time about 1 - 1/e = 63% of them are shared (a little less, as
  // the first half minute was spent touching).
  HostMemory host(make_host(65536.0), resolve_parameters({{"Mem.AllocGuestLargePage", 0.0}}, {}));
  const VmHandle vm = host.power_on(make_vm("a", 1024.0, workload(0.1, 1.0, 0.5)), 0_s).vm;
  run_periodic(host, 1_h);
  const double shared = host.vm_stats(vm).shared_mib;
  CHECK(shared > 0.62 * 512.0 * 0.99);
  CHECK(shared < 0.633 * 512.0);
}

TEST_CASE("large pages are not shared until the host breaks them below the High threshold") {
  const MemoryWorkload half_zero = workload(0.1, 1.0, 0.5);
  SUBCASE("plenty of free memory: backed by large pages, nothing shared") {
    // 64 GiB host: minFree 901.12 + 368.64 = 1269.76, High threshold 5079.04; free is
    // about 63 GiB, far above it.
    HostMemory host(make_host(65536.0), resolve_parameters({{"Mem.ShareScanTime", 1.0}}, {}));
    const VmHandle vm = host.power_on(make_vm("a", 1024.0, half_zero), 0_s).vm;
    run_periodic(host, 1_h);
    CHECK(host.state() == HostState::high);
    CHECK(host.vm_stats(vm).shared_mib == 0.0);
  }
  SUBCASE("the same VM with Mem.AllocGuestLargePage 0 shares its zero pages") {
    HostMemory host(make_host(65536.0), resolve_parameters({{"Mem.ShareScanTime", 1.0},
                                                            {"Mem.AllocGuestLargePage", 0.0}},
                                                           {}));
    const VmHandle vm = host.power_on(make_vm("a", 1024.0, half_zero), 0_s).vm;
    run_periodic(host, 1_h);
    CHECK(host.vm_stats(vm).shared_mib == Approx(512.0));
  }
  SUBCASE("free below 400% of minFree: still High, but large pages are broken and shared") {
    // 4096 MiB host with Mem.MemMinFreePct 25: minFree 1024, High threshold 4096, Clear
    // 1024. Free = 4096 - 1024 - 25.90 = 3046.1 lies between them.
    HostMemory host(make_host(4096.0), resolve_parameters({{"Mem.ShareScanTime", 1.0},
                                                           {"Mem.MemMinFreePct", 25.0}},
                                                          {}));
    const VmHandle vm = host.power_on(make_vm("a", 1024.0, half_zero), 0_s).vm;
    run_periodic(host, 1_h);
    CHECK(host.state() == HostState::high);
    CHECK(host.vm_stats(vm).shared_mib == Approx(512.0));
  }
}

TEST_CASE("a limit caps granted memory by ballooning even when the host has free memory") {
  // 4096 MiB VM, all touched, limit 2048: the balloon takes 2048 MiB (cap 0.65 x 4096 =
  // 2662.4 is not reached), nothing is swapped, the host stays High.
  HostMemory host(make_host(65536.0), resolve_parameters({{"Mem.AllocGuestLargePage", 0.0}}, {}));
  VmConfig v = make_vm("a", 4096.0, workload(0.2, 1.0, 0.0, 0.0, 0.5));
  v.mem.limit = 2048.0;
  const VmHandle vm = host.power_on(v, 0_s).vm;
  run_periodic(host, 10_min);
  CHECK(host.vm_stats(vm).granted_mib == Approx(2048.0));
  CHECK(host.vm_stats(vm).balloon_mib == Approx(2048.0));
  CHECK(host.vm_stats(vm).swapped_mib == 0.0);
  CHECK(host.state() == HostState::high);
  // Active 819.2 MiB fits in the 2048 left to the guest: no paging, full speed.
  CHECK(host.progress_factor(vm) == 1.0);
}

namespace {

/// A 4096 MiB VM, all touched, idle, half its pages compressible, with `limit` and
/// sched.mem.maxmemctl `max_balloon`, after 10 min alone on a free host with small pages.
VmMemoryStats held_to_limit(double limit, std::optional<double> max_balloon = std::nullopt) {
  HostMemory host(make_host(65536.0), resolve_parameters({{"Mem.AllocGuestLargePage", 0.0}}, {}));
  VmConfig v = make_vm("a", 4096.0, workload(0.0, 1.0, 0.0, 0.0, 0.5));
  v.mem.limit = limit;
  v.mem_max_balloon = max_balloon;
  const VmHandle vm = host.power_on(v, 0_s).vm;
  run_periodic(host, 10_min);
  return host.vm_stats(vm);
}

}  // namespace

TEST_CASE("a limit beyond the balloon's reach is met by compression and swap") {
  // Limit 1024: the balloon stops at its cap, 2662.4, leaving 1433.6 granted; the other
  // 409.6 go to compression and swap, half each as half the pages compress to 2 KB.
  const VmMemoryStats s = held_to_limit(1024.0);
  CHECK(s.balloon_mib == Approx(2662.4));
  CHECK(s.granted_mib == Approx(1024.0));
  CHECK(s.compressed_mib == Approx(204.8));
  CHECK(s.swapped_mib == Approx(204.8));
}

TEST_CASE("sched.mem.maxmemctl stops the balloon, and compression and swap take the rest") {
  // Held to 2048 MiB with only Mem.CtlMaxPercent capping the balloon (2662.4), the VM
  // balloons all 2048 MiB above its limit.
  const VmMemoryStats free = held_to_limit(2048.0);
  CHECK(free.balloon_mib == Approx(2048.0));
  CHECK(free.compressed_mib == 0.0);
  CHECK(free.swapped_mib == 0.0);
  // With maxmemctl 1024 the balloon stops at 1024, and the other 1024 MiB go to
  // compression and swap, half each as half the pages compress to 2 KB (the cache, 409.6
  // MiB, holds 819.2 MiB of them).
  const VmMemoryStats s = held_to_limit(2048.0, 1024.0);
  CHECK(s.balloon_mib == Approx(1024.0));
  CHECK(s.granted_mib == Approx(2048.0));
  CHECK(s.compressed_mib == Approx(512.0));
  CHECK(s.swapped_mib == Approx(512.0));
}

TEST_CASE("the compression cache holds at most Mem.MemZipMaxPct of the VM's memory") {
  // 1000 MiB VM, every page compressible, no balloon (Mem.CtlMaxPercent 0), limit 100:
  // 900 MiB must go. A cache of p% x 1000 MiB holds twice that in 2 KB-compressed pages.
  auto reclaim = [](std::map<std::string, double> advanced) {
    advanced["Mem.CtlMaxPercent"] = 0.0;
    advanced["Mem.AllocGuestLargePage"] = 0.0;
    HostMemory host(make_host(65536.0), resolve_parameters(advanced, {}));
    VmConfig v = make_vm("a", 1000.0, workload(0.0, 1.0, 0.0, 0.0, 1.0));
    v.mem.limit = 100.0;
    const VmHandle vm = host.power_on(v, 0_s).vm;
    run_periodic(host, 5_min);
    return host.vm_stats(vm);
  };
  SUBCASE("10% (default): a 100 MiB cache holds 200 MiB, 700 MiB are swapped") {
    const VmMemoryStats s = reclaim({});
    CHECK(s.compressed_mib == Approx(200.0));
    CHECK(s.swapped_mib == Approx(700.0));
  }
  SUBCASE("20%: the guide's 200 MB cache of a 1000 MB VM holds 400 MiB, 500 are swapped") {
    const VmMemoryStats s = reclaim({{"Mem.MemZipMaxPct", 20.0}});
    CHECK(s.compressed_mib == Approx(400.0));
    CHECK(s.swapped_mib == Approx(500.0));
  }
  SUBCASE("Mem.MemZipEnable 0: all 900 MiB are swapped") {
    const VmMemoryStats s = reclaim({{"Mem.MemZipEnable", 0.0}});
    CHECK(s.compressed_mib == 0.0);
    CHECK(s.swapped_mib == Approx(900.0));
  }
}

TEST_CASE("time in each state adds up to the time simulated") {
  HostMemory host(make_host(8192.0), MemoryParams{});
  host.power_on(make_vm("a", 4096.0, workload(0.2, 1.0)), 0_s);
  run_periodic(host, 30_min);
  sim::Time total;
  for (std::size_t s = 0; s < host_state_count; ++s) {
    total += host.time_in(static_cast<HostState>(s));
  }
  CHECK(total == 30_min);
}

TEST_CASE("a changing working set is touched first, capped at the VM's memory, never untouched") {
  // 4096 MiB VM touching 25% (1024 MiB) at 32 MiB/s: done at 32 s. At 60 s a trace sets
  // the working set to 2048 MiB: active is what has been touched, 1024, and touching goes
  // on at 32 MiB/s to 2048 (at 92 s). Down to 512 at 120 s: touched stays 2048. Up to
  // 10000 at 150 s: capped at 4096, touched at 150 + 2048 / 32 = 214 s.
  HostMemory host(make_host(65536.0), MemoryParams{});
  const VmHandle vm = host.power_on(make_vm("vm", 4096.0, workload(0.1, 0.25)), 0_s).vm;
  run_periodic(host, 60_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(1024.0));
  CHECK(host.vm_stats(vm).active_mib == Approx(409.6));
  host.set_active(vm, 2048.0, 60_s);
  CHECK(host.vm_stats(vm).active_mib == Approx(1024.0));
  CHECK_FALSE(host.quiet());
  host.step(76_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(1536.0));
  CHECK(host.vm_stats(vm).active_mib == Approx(1536.0));
  host.step(100_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(2048.0));
  CHECK(host.vm_stats(vm).active_mib == Approx(2048.0));
  CHECK(host.stats().consumed_mib == Approx(2048.0 + 48.64));
  host.set_active(vm, 512.0, 120_s);
  host.step(140_s);
  CHECK(host.vm_stats(vm).active_mib == Approx(512.0));
  CHECK(host.vm_stats(vm).touched_mib == Approx(2048.0));
  host.set_active(vm, 10000.0, 150_s);
  host.step(182_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(3072.0));
  host.step(240_s);
  CHECK(host.vm_stats(vm).touched_mib == Approx(4096.0));
  CHECK(host.vm_stats(vm).active_mib == Approx(4096.0));
}

TEST_CASE("pages that become active fault back in; pages that go idle stay where they are") {
  // As in the limit case above: balloon 2662.4, 1433.6 MiB of guest content of which
  // 204.8 compressed and 204.8 swapped, all idle (active 0), so the VM runs at full speed.
  const MemoryParams params = resolve_parameters({{"Mem.AllocGuestLargePage", 0.0}}, {});
  HostMemory host(make_host(65536.0), params);
  VmConfig v = make_vm("a", 4096.0, workload(0.0, 1.0, 0.0, 0.0, 0.5));
  v.mem.limit = 1024.0;
  const VmHandle vm = host.power_on(v, 0_s).vm;
  run_periodic(host, 10_min);
  REQUIRE(host.vm_stats(vm).swapped_mib == Approx(204.8));
  CHECK(host.progress_factor(vm) == 1.0);
  const double period = params.sample_period_s;

  // The whole VM becomes active: the 1433.6 MiB of content are all active, compressed and
  // swapped parts included, and the 2662.4 MiB behind the balloon are paged by the guest.
  host.set_active(vm, 4096.0, 10_min);
  CHECK(host.progress_factor(vm) ==
        Approx(progress_factor(2662.4, 204.8, 204.8, period, params.faults)));

  // Half of the content goes idle: half of the active compressed and swapped pages with it.
  host.set_active(vm, 716.8, 10_min);
  CHECK(host.progress_factor(vm) == Approx(progress_factor(0.0, 102.4, 102.4, period, params.faults)));

  // Nothing active: nothing faults, and the idle pages stay compressed and swapped.
  host.set_active(vm, 0.0, 10_min);
  CHECK(host.progress_factor(vm) == 1.0);
  run_periodic(host, 20_min);
  CHECK(host.vm_stats(vm).swapped_mib == Approx(204.8));
  CHECK(host.vm_stats(vm).compressed_mib == Approx(204.8));
}

TEST_CASE("a working set that grows takes balloon back from an idler VM") {
  // 8 GiB host, two 6 GiB VMs touching all their memory, nothing compressible. While v1's
  // working set is 512 MiB the host settles in Clear with both ballooned, v1 more (the idle
  // tax). When v1's working set grows to 5120 MiB, free memory needs nothing more, yet the
  // targets move: v1 deflates and v2 inflates, until v1's working set is resident again
  // (its balloon at most 6144 - 5120 = 1024 MiB) and it runs at full speed.
  HostMemory host(make_host(8192.0), MemoryParams{});
  const VmHandle v1 =
      host.power_on(make_vm("v1", 6144.0, workload(512.0 / 6144.0, 1.0, 0.0, 0.0, 0.0)), 0_s).vm;
  const VmHandle v2 = host.power_on(make_vm("v2", 6144.0, workload(0.25, 1.0, 0.0, 0.0, 0.0)), 0_s).vm;
  run_periodic(host, 30_min);
  REQUIRE(host.state() == HostState::clear);
  const double v1_before = host.vm_stats(v1).balloon_mib;
  const double v2_before = host.vm_stats(v2).balloon_mib;
  CHECK(v1_before > v2_before);
  CHECK(v1_before > 1024.0);
  host.set_active(v1, 5120.0, 30_min);
  CHECK(host.progress_factor(v1) < 0.5);  // the guest pages what its balloon holds
  run_periodic(host, 2_h);
  CHECK(host.state() == HostState::clear);
  CHECK(host.vm_stats(v1).balloon_mib <= 1024.0);
  CHECK(host.vm_stats(v2).balloon_mib > v2_before);
  CHECK(host.progress_factor(v1) == 1.0);
}
