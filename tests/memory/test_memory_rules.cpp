// The closed-form rules of reference/cpu-memory-cluster.md section B, each against a
// number worked out by hand in the comment beside it.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "vdc/models/memory/memory_parameters.hpp"
#include "vdc/models/memory/memory_rules.hpp"

using namespace vdc::models;
using namespace vdc::models::memory;
using doctest::Approx;

TEST_CASE("minFree follows the sliding scale for 2, 4, 28, 96, 128 and 512 GiB hosts") {
  // 2 GiB: 6% of 2048 = 122.88.
  CHECK(min_free_mib(2048.0) == Approx(122.88));
  // 4 GiB: 6% of 4096 = 245.76.
  CHECK(min_free_mib(4096.0) == Approx(245.76));
  // 28 GiB: 245.76 + 4% of 8192 (327.68) + 2% of 16384 (327.68) = 901.12 (B.2).
  CHECK(min_free_mib(28672.0) == Approx(901.12));
  // 96 GiB: 901.12 + 1% of (98304 - 28672) = 901.12 + 696.32 = 1597.44 (B.2).
  CHECK(min_free_mib(98304.0) == Approx(1597.44));
  // 128 GiB: 901.12 + 1% of 102400 = 1925.12 (the blogs' "899 + 1024").
  CHECK(min_free_mib(131072.0) == Approx(1925.12));
  // 512 GiB: 901.12 + 1% of 495616 = 901.12 + 4956.16 = 5857.28.
  CHECK(min_free_mib(524288.0) == Approx(5857.28));
}

TEST_CASE("a non-zero Mem.MemMinFreePct is a flat percentage of host memory") {
  // 6% of 10000 MiB = 600 (the pre-vSphere 5 rule).
  CHECK(min_free_mib(10000.0, 6.0) == Approx(600.0));
}

TEST_CASE("state thresholds of a 28 GiB host are 400, 100, 64, 32 and 16 percent of minFree") {
  // 901.12 x 4, x 1, x 0.64, x 0.32, x 0.16.
  const auto t = state_thresholds_mib(901.12, MemoryParams{}.state_pct);
  CHECK(t[0] == Approx(3604.48));
  CHECK(t[1] == Approx(901.12));
  CHECK(t[2] == Approx(576.7168));
  CHECK(t[3] == Approx(288.3584));
  CHECK(t[4] == Approx(144.1792));
}

TEST_CASE("a host falls below each threshold and rises only at the threshold above") {
  // minFree 1000 MiB: thresholds 4000 / 1000 / 640 / 320 / 160.
  const auto t = state_thresholds_mib(1000.0, MemoryParams{}.state_pct);
  CHECK(next_state(HostState::high, 1000.0, t) == HostState::high);
  CHECK(next_state(HostState::high, 999.0, t) == HostState::clear);
  CHECK(next_state(HostState::clear, 639.0, t) == HostState::soft);
  CHECK(next_state(HostState::soft, 319.0, t) == HostState::hard);
  CHECK(next_state(HostState::hard, 159.0, t) == HostState::low);
  // Several states at once on a sudden drop.
  CHECK(next_state(HostState::high, 100.0, t) == HostState::low);
  // Hysteresis: Soft is entered below 640 but left only at 1000, Clear only at 4000.
  CHECK(next_state(HostState::soft, 900.0, t) == HostState::soft);
  CHECK(next_state(HostState::soft, 1000.0, t) == HostState::clear);
  CHECK(next_state(HostState::clear, 3999.0, t) == HostState::clear);
  CHECK(next_state(HostState::clear, 4000.0, t) == HostState::high);
  CHECK(next_state(HostState::low, 5000.0, t) == HostState::high);
  // A 10% rise margin: Soft is left for Clear at 1100, not 1050.
  CHECK(next_state(HostState::soft, 1050.0, t, 0.10) == HostState::soft);
  CHECK(next_state(HostState::soft, 1100.0, t, 0.10) == HostState::clear);
}

TEST_CASE("overhead matches the B.7 table at its points and interpolates between them") {
  CHECK(overhead_mib(256.0, 1) == Approx(20.29));
  CHECK(overhead_mib(1024.0, 1) == Approx(25.90));
  CHECK(overhead_mib(4096.0, 4) == Approx(60.67));
  CHECK(overhead_mib(16384.0, 8) == Approx(168.60));
  // 2048 MiB, 1 vCPU: a third of the way from 1024 (25.90) to 4096 (48.64):
  // 25.90 + 22.74 / 3 = 33.48.
  CHECK(overhead_mib(2048.0, 1) == Approx(33.48));
  // 1024 MiB, 3 vCPUs: halfway between 2 (29.91) and 4 (37.86) vCPUs = 33.885.
  CHECK(overhead_mib(1024.0, 3) == Approx(33.885));
  // 32 GiB, 1 vCPU: the last segment extended: 139.62 + 16384 x 90.98 / 12288 = 260.9267.
  CHECK(overhead_mib(32768.0, 1) == Approx(260.92667));
  // 16 vCPUs at 4096 MiB: the 4-to-8 slope (16.11 / 4 per vCPU) extended: 76.78 + 32.22.
  CHECK(overhead_mib(4096.0, 16) == Approx(109.0));
}

TEST_CASE("the balloon is capped at 65% of configured, configured minus reservation, maxmemctl") {
  // 16 GiB, no reservation: 0.65 x 16384 = 10649.6 MiB (10.4 GiB).
  CHECK(max_balloon_mib(16384.0, 0.0, 65.0) == Approx(10649.6));
  // 4 GiB with a 3 GiB reservation: min(2662.4, 1024) = 1024 MiB (B.5 ServerFault example).
  CHECK(max_balloon_mib(4096.0, 3072.0, 65.0) == Approx(1024.0));
  // sched.mem.maxmemctl = 512 MiB wins over both.
  CHECK(max_balloon_mib(4096.0, 0.0, 65.0, 512.0) == Approx(512.0));
}

TEST_CASE("the compression cache is Mem.MemZipMaxPct of the VM's memory") {
  // 10% of 4096 = 409.6; the guide's example: 20% of 1000 MB = 200 MB (B.6).
  CHECK(zip_cache_mib(4096.0, 10.0) == Approx(409.6));
  CHECK(zip_cache_mib(1000.0, 20.0) == Approx(200.0));
}

TEST_CASE("the swap file is configured memory minus the reservation") {
  // B.7: 4 GB without reservation -> 4 GB; 1 GB reserved -> 3 GB; fully reserved -> 0.
  CHECK(swap_file_mib(4096.0, 0.0) == Approx(4096.0));
  CHECK(swap_file_mib(4096.0, 1024.0) == Approx(3072.0));
  CHECK(swap_file_mib(4096.0, 4096.0) == Approx(0.0));
}

TEST_CASE("the idle tax lowers a partly idle VM's shares per page against a fully active one") {
  // 1024 MiB at normal shares: S = 10240, P = 1024, so S / P = 10.
  const double s = 10240.0;
  const double p = 1024.0;
  // Fully active (f = 1): rho = S / P = 10 whatever tau.
  CHECK(idle_tax_rho(s, p, 1.0, 0.0) == Approx(10.0));
  CHECK(idle_tax_rho(s, p, 1.0, 0.75) == Approx(10.0));
  // A quarter active, tau = 0 (k = 1): 10 / (0.25 + 0.75) = 10, pure shares.
  CHECK(idle_tax_rho(s, p, 0.25, 0.0) == Approx(10.0));
  // tau = 0.75 (k = 4): 10 / (0.25 + 4 x 0.75) = 10 / 3.25 = 3.0769: the ratio is 1 / 3.25.
  CHECK(idle_tax_rho(s, p, 0.25, 0.75) == Approx(10.0 / 3.25));
  // Idle (f = 0): an idle page costs four active ones, rho = 10 / 4.
  CHECK(idle_tax_rho(s, p, 0.0, 0.75) == Approx(2.5));
}

TEST_CASE("progress slows with the faults on active memory that is not resident") {
  const FaultCosts c;  // guest paging 2 ms, decompression 20 us, swap-in 1 ms
  CHECK(progress_factor(0.0, 0.0, 0.0, 60.0, c) == 1.0);
  // 1 GiB of active memory swapped: 262144 pages touched once per 60 s, 1 ms each:
  // 4.369 s of stall per second of progress -> 1 / 5.369 = 0.18625.
  CHECK(progress_factor(0.0, 0.0, 1024.0, 60.0, c) == Approx(1.0 / (1.0 + 262144.0e-3 / 60.0)));
  // The same compressed: 262144 x 20e-6 / 60 = 0.08738 -> 0.91965.
  CHECK(progress_factor(0.0, 1024.0, 0.0, 60.0, c) == Approx(0.919646).epsilon(1e-5));
  // Paged by the guest: twice the swap-in cost -> 1 / (1 + 8.738) = 0.10269.
  CHECK(progress_factor(1024.0, 0.0, 0.0, 60.0, c) == Approx(1.0 / (1.0 + 2.0 * 262.144 / 60.0)));
}

TEST_CASE("share groups follow Mem.ShareForceSalting 0, 1 and 2") {
  const std::optional<std::string> none;
  const std::optional<std::string> a = "a";
  const std::optional<std::string> b = "b";
  // 0: one group per guest image; salts are ignored.
  CHECK(share_group_key(0, "linux", a, true) == share_group_key(0, "linux", b, true));
  CHECK(share_group_key(0, "linux", none, true) != share_group_key(0, "windows", none, true));
  // 1: equal salts share; without salts all share one common salt (KB 2097593: salt 0) ...
  CHECK(share_group_key(1, "linux", a, true) == share_group_key(1, "linux", a, true));
  CHECK(share_group_key(1, "linux", a, true) != share_group_key(1, "linux", b, true));
  CHECK(share_group_key(1, "linux", none, true).has_value());
  CHECK(share_group_key(1, "linux", none, true) == share_group_key(1, "linux", none, true));
  CHECK(share_group_key(1, "linux", none, true) != share_group_key(1, "linux", a, true));
  // ... unless memory.tps.unset_salt_common is 0.
  CHECK_FALSE(share_group_key(1, "linux", none, false).has_value());
  // 2 (default): without a salt each VM is alone (vc.uuid); an explicit equal salt shares.
  CHECK_FALSE(share_group_key(2, "linux", none, true).has_value());
  CHECK(share_group_key(2, "linux", a, true) == share_group_key(2, "linux", a, true));
  CHECK(share_group_key(2, "linux", a, true) != share_group_key(2, "windows", a, true));
  // No guest image, nothing to share across VMs.
  CHECK_FALSE(share_group_key(0, "", none, true).has_value());
}

TEST_CASE("every memory parameter is named once, documented, and defaults within its range") {
  std::set<std::string> names;
  for (const ModelParameter& p : parameters()) {
    CAPTURE(p.name);
    CHECK(p.area == "memory");
    CHECK(names.insert(std::string(p.name)).second);
    CHECK_FALSE(p.help.empty());
    CHECK_FALSE(p.reference.empty());
    CHECK(p.default_value >= p.min_value);
    CHECK(p.default_value <= p.max_value);
    const bool vmware = p.name.substr(0, 4) == "Mem.";
    CHECK(vmware == (p.scope == ParameterScope::advanced));
  }
  CHECK(names.count("Mem.ShareForceSalting") == 1);
  CHECK(names.count("memory.state.high_pct") == 1);
}

TEST_CASE("resolving parameters reads advanced settings and model constants by name") {
  const MemoryParams d = resolve_parameters({}, {});
  CHECK(d.share_force_salting == 2.0);
  CHECK(d.ctl_max_pct == 65.0);
  CHECK(d.state_pct[0] == 400.0);
  const MemoryParams p = resolve_parameters(
      {{"Mem.ShareForceSalting", 0.0}, {"Mem.MemZipMaxPct", 20.0}, {"Net.Unrelated", 1.0}},
      {{"memory.state.high_pct", 300.0}, {"memory.fault.host_swap_in_s", 0.005}});
  CHECK(p.share_force_salting == 0.0);
  CHECK(p.zip_max_pct == 20.0);
  CHECK(p.state_pct[0] == 300.0);
  CHECK(p.faults.host_swap_in_s == 0.005);
  // A model constant is not read from the advanced map.
  CHECK(resolve_parameters({{"memory.state.high_pct", 300.0}}, {}).state_pct[0] == 400.0);
}
