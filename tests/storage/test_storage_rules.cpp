// The storage rules by hand: vSAN schemes (hosts, raw multipliers, components, quorum),
// what a disk takes at creation, and the queueing model's latency on cases solved on paper.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "vdc/models/storage/storage_rules.hpp"

namespace vdc::models::storage {
namespace {

StoragePolicyConfig policy(int ftt, RaidLevel raid) {
  StoragePolicyConfig p;
  p.name = "p";
  p.ftt = ftt;
  p.raid = raid;
  return p;
}

Scheme must(int ftt, RaidLevel raid, VsanArchitecture arch, int hosts) {
  std::string why;
  const auto s = scheme(policy(ftt, raid), arch, true, hosts, &why);
  INFO(why);
  REQUIRE(s.has_value());
  return *s;
}

TEST_CASE("RAID-1 needs 2 FTT + 1 hosts and keeps FTT + 1 copies (reference B.3)") {
  for (int ftt = 0; ftt <= 3; ++ftt) {
    const Scheme s = must(ftt, RaidLevel::raid1, VsanArchitecture::osa, 2 * ftt + 1);
    CHECK(s.min_hosts == 2 * ftt + 1);
    CHECK(s.replicas == ftt + 1);
    CHECK(s.witnesses == ftt);
    CHECK(s.multiplier == doctest::Approx(ftt + 1.0));  // 100 GB -> 200 / 300 / 400 GB
  }
  std::string why;
  CHECK_FALSE(scheme(policy(2, RaidLevel::raid1), VsanArchitecture::osa, true, 4, &why).has_value());
  CHECK(why == "FTT=2 RAID-1 needs 5 hosts and the cluster has 4");
}

TEST_CASE("erasure coding: OSA 3+1 on 4 hosts and 4+2 on 6; ESA 2+1 below 6 hosts, 4+1 from 6") {
  const Scheme r5 = must(1, RaidLevel::raid5, VsanArchitecture::osa, 4);
  CHECK(r5.data == 3);
  CHECK(r5.parity == 1);
  CHECK(r5.multiplier == doctest::Approx(4.0 / 3.0));  // 100 GB -> 133 GB
  const Scheme r6 = must(2, RaidLevel::raid6, VsanArchitecture::osa, 6);
  CHECK(r6.width() == 6);
  CHECK(r6.multiplier == doctest::Approx(1.5));  // 100 GB -> 150 GB
  const Scheme small = must(1, RaidLevel::raid5, VsanArchitecture::esa, 5);
  CHECK(small.data == 2);
  CHECK(small.multiplier == doctest::Approx(1.5));
  const Scheme big = must(1, RaidLevel::raid5, VsanArchitecture::esa, 6);
  CHECK(big.data == 4);
  CHECK(big.multiplier == doctest::Approx(1.25));
  std::string why;
  CHECK_FALSE(scheme(policy(1, RaidLevel::raid5), VsanArchitecture::osa, true, 3, &why).has_value());
  CHECK(why == "FTT=1 RAID-5 needs 4 hosts and the cluster has 3");
  CHECK_FALSE(scheme(policy(1, RaidLevel::raid5), VsanArchitecture::osa, false, 8, &why).has_value());
  CHECK(why == "RAID-5 (erasure coding) needs all-flash disk groups");
  CHECK_FALSE(scheme(policy(1, RaidLevel::raid6), VsanArchitecture::osa, true, 8, &why).has_value());
  CHECK(why == "RAID-6 tolerates 2 failures, not FTT=1");
}

TEST_CASE("components: replicas split at 255 GiB, stripes multiply, witnesses one each") {
  const Scheme ftt1 = must(1, RaidLevel::raid1, VsanArchitecture::osa, 3);
  CHECK(object_components(ftt1, 100.0, 1) == 3);    // 2 replicas + 1 witness
  CHECK(object_components(ftt1, 2048.0, 1) == 19);  // ceil(2048 / 255) = 9 per replica ("eight or more")
  CHECK(object_components(ftt1, 100.0, 2) == 5);    // 2 stripes per replica
  CHECK(object_components(ftt1, 600.0, 2) == 9);    // 300 GiB stripes split in two: 4 per replica
  const Scheme r5 = must(1, RaidLevel::raid5, VsanArchitecture::osa, 4);
  CHECK(object_components(r5, 600.0, 1) == 4);  // 200 GiB columns
  CHECK(object_components(r5, 900.0, 1) == 8);  // 300 GiB columns split in two
}

TEST_CASE("quorum: more than half the votes and a whole replica; erasure coding loses at most its parity") {
  const Scheme ftt1 = must(1, RaidLevel::raid1, VsanArchitecture::osa, 3);
  CHECK(accessible(ftt1, std::array<bool, 3>{false, true, true}));
  CHECK_FALSE(accessible(ftt1, std::array<bool, 3>{false, true, false}));  // 1 of 3 votes
  CHECK_FALSE(accessible(ftt1, std::array<bool, 3>{false, false, true}));  // no replica
  const Scheme ftt2 = must(2, RaidLevel::raid1, VsanArchitecture::osa, 5);
  CHECK(accessible(ftt2, std::array<bool, 5>{false, false, true, true, true}));
  CHECK_FALSE(accessible(ftt2, std::array<bool, 5>{false, false, true, false, true}));  // 2 of 5
  const Scheme r5 = must(1, RaidLevel::raid5, VsanArchitecture::osa, 4);
  CHECK(accessible(r5, std::array<bool, 4>{true, false, true, true}));
  CHECK_FALSE(accessible(r5, std::array<bool, 4>{true, false, false, true}));
  const Scheme r6 = must(2, RaidLevel::raid6, VsanArchitecture::osa, 6);
  CHECK(accessible(r6, std::array<bool, 6>{true, false, false, true, true, true}));
  CHECK_FALSE(accessible(r6, std::array<bool, 6>{false, false, false, true, true, true}));
}

TEST_CASE("what a disk takes at creation: thin what is written, thick everything (reference B.5)") {
  DiskConfig d;
  d.size_gib = 100.0;
  d.written = 0.4;
  CHECK(consumed_gib(d, DatastoreKind::vmfs, 0.0) == doctest::Approx(40.0));
  CHECK(consumed_gib(d, DatastoreKind::vsan, 0.0) == doctest::Approx(40.0));
  CHECK(consumed_gib(d, DatastoreKind::vsan, 0.5) == doctest::Approx(50.0));  // object space reservation
  d.provisioning = Provisioning::lazy_zeroed;
  CHECK(consumed_gib(d, DatastoreKind::vmfs, 0.0) == doctest::Approx(100.0));
  d.provisioning = Provisioning::eager_zeroed;
  CHECK(consumed_gib(d, DatastoreKind::vsan, 0.0) == doctest::Approx(100.0));
}

DeviceModel device(double iops, double latency_s, std::vector<double> slots) {
  DeviceModel d;
  d.iops = iops;
  d.bandwidth_bytes_s = 1e15;
  d.latency_s = latency_s;
  d.host_slots = std::move(slots);
  return d;
}

World world(int host, double demand, double outstanding) {
  World w;
  w.host = host;
  w.demand = demand;
  w.outstanding = outstanding;
  return w;
}

TEST_CASE("an open load below capacity: M/M/1 behind the device's own latency") {
  // 500 of 1,000 commands/s with 1 ms unloaded: DAVG = 1 + 1 * 0.5 / 0.5 = 2 ms.
  const std::array<World, 1> w{world(0, 500.0, 64.0)};
  const Solution s = solve(w, device(1000.0, 0.001, {64.0}));
  CHECK(s.worlds[0].iops == doctest::Approx(500.0));
  CHECK(s.davg_s == doctest::Approx(0.002));
  CHECK(s.worlds[0].latency_s == doctest::Approx(0.002));
}

TEST_CASE("a guest's outstanding commands close the loop (Little's law)") {
  // 4 in flight: X = 4 / D and D = 1 ms / (1 - X / 1000): X = 800, D = 5 ms.
  const std::array<World, 1> w{world(0, 5000.0, 4.0)};
  const Solution s = solve(w, device(1000.0, 0.001, {64.0}));
  CHECK(s.worlds[0].iops == doctest::Approx(800.0));
  CHECK(s.davg_s == doctest::Approx(0.005));
  CHECK(s.worlds[0].latency_s == doctest::Approx(0.005));
}

TEST_CASE("two worlds on one host fill DSNRO's slots; the rest waits in the kernel, split by shares") {
  // 8 slots at D: X = 8 / D, D = 1 ms + 0.01 ms * rho / (1 - rho), rho = X / 100,000.
  // Iterating by hand: D = 1.000870 ms, X = 7993.04.
  std::array<World, 2> w{world(0, 5000.0, 32.0), world(0, 5000.0, 32.0)};
  Solution s = solve(w, device(100000.0, 0.001, {8.0}));
  const double x = 8.0 / s.davg_s;
  CHECK(s.davg_s == doctest::Approx(0.00100087).epsilon(1e-5));
  CHECK(s.worlds[0].iops + s.worlds[1].iops == doctest::Approx(x));
  CHECK(s.worlds[0].iops == doctest::Approx(x / 2.0));
  CHECK(s.worlds[0].latency_s == doctest::Approx(32.0 / (x / 2.0)));  // GAVG = outstanding / served
  CHECK(s.host_queued[0] == doctest::Approx(64.0 - 8.0));              // all but the 8 in the device
  w[0].shares = 2000.0;
  w[0].demand = w[1].demand = 8000.0;  // both above their part of the host's ~8,000
  s = solve(w, device(100000.0, 0.001, {8.0}));
  CHECK(s.worlds[0].iops == doctest::Approx(2.0 * s.worlds[1].iops));
}

TEST_CASE("mClock: a reservation is a floor, a limit a cap") {
  std::array<World, 2> w{world(0, 5000.0, 32.0), world(0, 5000.0, 32.0)};
  w[1].reservation = 6000.0;  // more than half the host's ~8,000
  Solution s = solve(w, device(100000.0, 0.001, {8.0}));
  CHECK(s.worlds[1].iops == doctest::Approx(5000.0));  // all it asks (its cap), above the equal half
  w[1].reservation = 0.0;
  w[1].limit = 1000.0;
  s = solve(w, device(100000.0, 0.001, {8.0}));
  CHECK(s.worlds[1].iops == doctest::Approx(1000.0));
  CHECK(s.worlds[1].latency_s == doctest::Approx(0.032));  // 32 in flight at 1,000/s
  CHECK(s.worlds[0].iops == doctest::Approx(5000.0));  // 6,000 in all fit the host's ~8,000
}

TEST_CASE("SIOC holds the device latency at its threshold and the rest waits in the kernel") {
  // Unthrottled, 64 in flight: x = 64 (1 - x), D = 1 ms / (1 - x) = 65 ms.
  const std::array<World, 1> w{world(0, 100000.0, 64.0)};
  const DeviceModel d = device(1000.0, 0.001, {64.0});
  CHECK(solve(w, d).davg_s == doctest::Approx(0.065));
  bool throttled = false;
  const DeviceModel cut = sioc_throttle(w, d, 0.030, &throttled);
  CHECK(throttled);
  const Solution s = solve(w, cut);
  // D = 30 ms: 1 / (1 - x) = 30, x = 29 / 30: 966.67 commands/s through 29 slots.
  CHECK(s.davg_s == doctest::Approx(0.030).epsilon(1e-4));
  CHECK(s.worlds[0].iops == doctest::Approx(1000.0 * 29.0 / 30.0).epsilon(1e-4));
  CHECK(s.worlds[0].latency_s == doctest::Approx(64.0 / (1000.0 * 29.0 / 30.0)).epsilon(1e-4));
  CHECK(sioc_auto_threshold(w, d) == doctest::Approx(0.010));  // 1 ms + 9 x 1 ms at 90%
}

}  // namespace
}  // namespace vdc::models::storage
