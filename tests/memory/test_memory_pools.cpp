// Resource pools in the memory model: pools' memory shares divide contention between
// siblings, a pool's memory limit caps its VMs together, and a cluster pool's limit is split
// among its hosts. Every expected value is worked out by hand in the comments.
#include <doctest/doctest.h>

#include <array>

#include "memory_test_support.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/memory/memory_area.hpp"
#include "vdc/models/metric_names.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::memory;
using namespace vdc::models::memory::test;
using namespace vdc::sim::literals;
using doctest::Approx;

namespace {

/// A pool with `shares` custom memory shares and an optional limit.
MemoryPool pool(double shares, PoolSlot parent = no_pool, double limit = MemoryPool{}.limit_mib) {
  return MemoryPool{parent, shares, limit};
}

}  // namespace

TEST_CASE("two pools with 1:3 memory shares divide the host by their shares under pressure") {
  // Host 20480 MiB, Mem.MemMinFreePct 50: minFree 10240; Soft below 64% (6553.6), Hard
  // below 32% (3276.8). Mem.CtlMaxPercent 100 lets a balloon take a whole guest, no TPS.
  // Four idle 4096 MiB VMs arrive with all their memory touched (overhead 48.64 each):
  // free = 20480 - 4 x 4144.64 = 3901.44, Soft; the balloon must bring free to 10240:
  // need 6338.56, so the VMs keep 16384 - 6338.56 = 10045.44.
  // - Pool A (1000 shares: a1, a2) and pool B (3000: b1, b2), both idle (the idle tax
  //   divides both by 4): A gets 10045.44 / 4 = 2511.36, B 7534.08 (each below the 8192
  //   its VMs hold); each pool splits its part evenly between its two equal VMs.
  //   a1, a2 keep 1255.68 and balloon 2840.32; b1, b2 keep 3767.04 and balloon 328.96.
  // - Without pools the four equal VMs would each keep 2511.36 and balloon 1584.64.
  HostMemory host(make_host(20480.0), resolve_parameters({{"Mem.MemMinFreePct", 50.0},
                                                          {"Mem.CtlMaxPercent", 100.0},
                                                          {"Mem.ShareScanGHz", 0.0}},
                                                         {}));
  SUBCASE("in pools") {
    host.set_pools({pool(1000.0), pool(3000.0)});
    std::array<VmHandle, 4> vm{};
    for (int i = 0; i < 4; ++i) {
      const PoolSlot p = i < 2 ? 0 : 1;
      vm[static_cast<std::size_t>(i)] =
          host.power_on(make_vm("vm" + std::to_string(i), 4096.0, workload(0.0, 1.0)), 0_s, 4096.0, 0.0, p).vm;
    }
    CHECK(host.stats().free_mib == Approx(3901.44));
    run_periodic(host, 5_min);
    for (int i = 0; i < 4; ++i) {
      const VmMemoryStats s = host.vm_stats(vm[static_cast<std::size_t>(i)]);
      CAPTURE(i);
      CHECK(s.granted_mib == Approx(i < 2 ? 1255.68 : 3767.04));
      CHECK(s.balloon_mib == Approx(i < 2 ? 2840.32 : 328.96));
      CHECK(s.swapped_mib == 0.0);
    }
    CHECK(host.stats().free_mib == Approx(10240.0));
  }
  SUBCASE("the same VMs without pools give alike") {
    std::array<VmHandle, 4> vm{};
    for (int i = 0; i < 4; ++i) {
      vm[static_cast<std::size_t>(i)] =
          host.power_on(make_vm("vm" + std::to_string(i), 4096.0, workload(0.0, 1.0)), 0_s, 4096.0).vm;
    }
    run_periodic(host, 5_min);
    for (const VmHandle v : vm) CHECK(host.vm_stats(v).balloon_mib == Approx(1584.64));
  }
  SUBCASE("a VM beside the pools competes with them by its own shares") {
    // A single pool of 40960 shares (a 4096 MiB VM's normal shares) holding a1, a2, beside
    // b1 and b2 with their own 40960 each: three equal parties. Idle alike, each keeps
    // 10045.44 / 3 = 3348.48: a1 and a2 1674.24 (balloon 2421.76), b1 and b2 3348.48
    // (balloon 747.52).
    host.set_pools({pool(40960.0)});
    std::array<VmHandle, 4> vm{};
    for (int i = 0; i < 4; ++i) {
      vm[static_cast<std::size_t>(i)] =
          host.power_on(make_vm("vm" + std::to_string(i), 4096.0, workload(0.0, 1.0)), 0_s, 4096.0, 0.0,
                        i < 2 ? 0 : no_pool)
              .vm;
    }
    run_periodic(host, 5_min);
    for (int i = 0; i < 4; ++i) {
      CAPTURE(i);
      CHECK(host.vm_stats(vm[static_cast<std::size_t>(i)]).balloon_mib == Approx(i < 2 ? 2421.76 : 747.52));
    }
  }
}

TEST_CASE("a pool's limit below its VMs' touched memory reclaims exactly the excess") {
  // A free 64 GiB host with small pages. a and b (4096 MiB each, all touched, 20% active)
  // in a pool limited to 6144 MiB; c, the same VM outside the pool. The pool's VMs hold
  // 8192: the 2048 above the limit are ballooned (caps 0.65 x 4096 = 2662.4 not reached),
  // nothing is swapped, and c keeps everything: the host is free, only the limit acts.
  HostMemory host(make_host(65536.0), resolve_parameters({{"Mem.AllocGuestLargePage", 0.0}}, {}));
  host.set_pools({pool(163840.0, no_pool, 6144.0)});
  VmConfig a = make_vm("a", 4096.0, workload(0.2, 1.0, 0.0, 0.0, 0.5));
  VmConfig b = make_vm("b", 4096.0, workload(0.2, 1.0, 0.0, 0.0, 0.5));
  const VmConfig c = make_vm("c", 4096.0, workload(0.2, 1.0, 0.0, 0.0, 0.5));
  SUBCASE("equal shares: 1024 MiB each") {
    const VmHandle ha = host.power_on(a, 0_s, 4096.0, 0.0, 0).vm;
    const VmHandle hb = host.power_on(b, 0_s, 4096.0, 0.0, 0).vm;
    const VmHandle hc = host.power_on(c, 0_s, 4096.0).vm;
    run_periodic(host, 10_min);
    CHECK(host.vm_stats(ha).granted_mib + host.vm_stats(hb).granted_mib == Approx(6144.0));
    CHECK(host.vm_stats(ha).balloon_mib == Approx(1024.0));
    CHECK(host.vm_stats(hb).balloon_mib == Approx(1024.0));
    CHECK(host.vm_stats(ha).swapped_mib + host.vm_stats(ha).compressed_mib == 0.0);
    CHECK(host.vm_stats(hc).granted_mib == Approx(4096.0));
    CHECK(host.vm_stats(hc).balloon_mib == 0.0);
    CHECK(host.stats().balloon_mib == Approx(2048.0));
    CHECK(host.state() == HostState::high);
  }
  SUBCASE("b with high shares weighs twice a: a gives all 2048") {
    // Weights 1:2 fill 6144 as 2048 and 4096: b keeps what it holds, a balloons 2048.
    b.mem.level = ShareLevel::high;
    const VmHandle ha = host.power_on(a, 0_s, 4096.0, 0.0, 0).vm;
    const VmHandle hb = host.power_on(b, 0_s, 4096.0, 0.0, 0).vm;
    run_periodic(host, 10_min);
    CHECK(host.vm_stats(ha).balloon_mib == Approx(2048.0));
    CHECK(host.vm_stats(hb).balloon_mib == 0.0);
    CHECK(host.vm_stats(ha).granted_mib + host.vm_stats(hb).granted_mib == Approx(6144.0));
  }
  SUBCASE("a child pool's limit acts first, then its parent's") {
    // Parent limited to 6144 holds a; its child, limited to 3072, holds b. The child
    // balloons b by 1024 (to 3072); the parent then holds 4096 + 3072 = 7168, 1024 over:
    // the fill of 6144 between a (4096) and the child (3072, equal shares, a 4096 MiB VM's
    // worth) gives each 3072, so a balloons 1024 and b stays at 3072.
    HostMemory h2(make_host(65536.0), resolve_parameters({{"Mem.AllocGuestLargePage", 0.0}}, {}));
    h2.set_pools({pool(40960.0, no_pool, 6144.0), pool(40960.0, 0, 3072.0)});
    const VmHandle ha = h2.power_on(a, 0_s, 4096.0, 0.0, 0).vm;
    const VmHandle hb = h2.power_on(b, 0_s, 4096.0, 0.0, 1).vm;
    run_periodic(h2, 10_min);
    CHECK(h2.vm_stats(hb).granted_mib == Approx(3072.0));
    CHECK(h2.vm_stats(ha).granted_mib == Approx(3072.0));
    CHECK(h2.vm_stats(ha).balloon_mib == Approx(1024.0));
  }
}

namespace {

HostConfig cluster_host(std::string name) {
  HostConfig h = make_host(65536.0, {{"Mem.AllocGuestLargePage", 0.0}});
  h.name = std::move(name);
  h.cluster = "c1";
  return h;
}

VmConfig pool_vm(std::string name, std::string host, double memory_mib) {
  VmConfig v = make_vm(std::move(name), memory_mib, workload(0.2, 1.0, 0.0, 0.0, 0.5));
  v.host = std::move(host);
  v.cluster = "c1";
  v.pool = "rp";
  return v;
}

/// The last published granted memory of VM `vm`.
double granted(const RunResult& r, const std::string& vm) {
  const auto id = r.metrics.find(metric::vm_entity(vm), metric::vm_mem_granted_mib);
  REQUIRE(id.has_value());
  return r.metrics.value(*id);
}

}  // namespace

TEST_CASE("a cluster pool's limit is split among its hosts by the memory of its VMs on each") {
  // Cluster c1 of two free 64 GiB hosts; pool rp under c1, limited to 6144 MiB. esx01 runs
  // vm1 and vm2 (4096 MiB each), esx02 vm3 (8192): 8192 of the pool's 16384 MiB on each,
  // so each host holds the pool to 3072. vm1 and vm2 keep 1536 each (balloon 2560 of a
  // 2662.4 cap), vm3 keeps 3072 (balloon 5120 of 5324.8). vm4 on esx02, outside the
  // pool, keeps all its 4096.
  ScenarioConfig c;
  c.name = "cluster-pool";
  c.duration = 30_min;
  c.hosts = {cluster_host("esx01"), cluster_host("esx02")};
  c.clusters = {ClusterConfig{"c1", {"esx01", "esx02"}}};
  PoolConfig rp;
  rp.name = "rp";
  rp.parent = "c1";
  rp.parent_kind = PoolParentKind::cluster;
  rp.mem.limit = 6144.0;
  c.pools = {rp};
  VmConfig vm4 = pool_vm("vm4", "esx02", 4096.0);
  vm4.pool.clear();
  c.vms = {pool_vm("vm1", "esx01", 4096.0), pool_vm("vm2", "esx01", 4096.0), pool_vm("vm3", "esx02", 8192.0), vm4};
  const std::array<const AreaSpec*, 1> areas{&memory::area_specs()[0]};
  const RunResult r = run_areas(c, areas);
  CHECK(granted(r, "vm1") == Approx(1536.0));
  CHECK(granted(r, "vm2") == Approx(1536.0));
  CHECK(granted(r, "vm3") == Approx(3072.0));
  CHECK(granted(r, "vm4") == Approx(4096.0));
}
