// NUMA clients, home nodes and the remote-memory penalty (reference A.5).
#include <doctest/doctest.h>

#include "cpu_lab.hpp"
#include "scenario_builder.hpp"
#include "vdc/models/host/numa.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;
using namespace vdc::sim::literals;

TEST_CASE("a VM wider than a node splits into equal NUMA clients counted in cores") {
  CHECK(host::numa_client_sizes(8, 4) == std::vector<int>{4, 4});
  CHECK(host::numa_client_sizes(12, 10) == std::vector<int>{6, 6});
  CHECK(host::numa_client_sizes(3, 8) == std::vector<int>{3});
  CHECK(host::numa_client_sizes(9, 4) == std::vector<int>{3, 3, 3});
}

TEST_CASE("NUMA nodes default to one per socket and split cores and memory") {
  CpuTopology t;
  t.sockets = 2;
  t.cores_per_socket = 6;
  const auto nodes = host::numa_nodes(t, 1024.0);
  REQUIRE(nodes.size() == 2);
  CHECK(nodes[1].first_core == 6);
  CHECK(nodes[1].cores == 6);
  CHECK(nodes[1].memory_mib == 512.0);
}

TEST_CASE("home nodes are chosen to balance vCPUs per core") {
  host::NumaBalancer b(host::numa_nodes(make_host("h", 4, 2000.0, 1, 2).cpu, 8192.0));
  CHECK(b.place(2, 1024.0, 9).client_node == std::vector<int>{0});
  CHECK(b.place(2, 1024.0, 9).client_node == std::vector<int>{1});
  CHECK(b.place(1, 1024.0, 9).client_node == std::vector<int>{0});
  CHECK(b.place(1, 1024.0, 9).client_node == std::vector<int>{1});
  const auto wide = b.place(8, 1024.0, 9);
  CHECK(wide.client_node == std::vector<int>{0, 1});
  CHECK(b.load(0) == 7);
  b.release(wide);
  CHECK(b.load(0) == 3);
}

TEST_CASE("a wide VM without virtual NUMA has half its memory remote on two nodes") {
  host::NumaBalancer b(host::numa_nodes(make_host("h", 4, 2000.0, 1, 2).cpu, 8192.0));
  CHECK(b.place(8, 1024.0, 9).remote_fraction == doctest::Approx(0.5));
  // With virtual NUMA (9 vCPUs and more) each client's memory is local.
  host::NumaBalancer c(host::numa_nodes(make_host("h", 6, 2000.0, 1, 2).cpu, 8192.0));
  CHECK(c.place(12, 1024.0, 9).remote_fraction == doctest::Approx(0.0));
  // Memory beyond a node spills to the other: 6 GiB on 4 GiB nodes, a third remote.
  CHECK(c.place(2, 6144.0, 9).remote_fraction == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("remote memory stretches a wide VM's work by 1 + penalty x remote fraction") {
  // 8 vCPUs on two 4-core nodes, half the memory remote: 1 s tasks take 1.14 s.
  for (const bool detailed : {false, true}) {
    CAPTURE(detailed);
    const HostConfig h = make_host("esx", 4, 2000.0, 1, 2);
    const auto check = [&](auto& lab) {
      auto& vm = lab.add("wide", 8, TasksCpu{1, 1_s});
      lab.sim.run_until(1139_ms);
      CHECK(lab.metrics.total(vm.metrics.tasks_completed) == 0.0);
      lab.sim.run_until(1141_ms);
      CHECK(lab.metrics.total(vm.metrics.tasks_completed) == 8.0);
    };
    if (detailed) {
      CpuLab<cpu::DetailedHostCpu> lab(h);
      check(lab);
    } else {
      CpuLab<cpu::FluidHostCpu> lab(h);
      check(lab);
    }
  }
}

TEST_CASE("detailed: vCPUs run only on their home node's logical CPUs") {
  // Two 1-core nodes and three busy VMs: two share node 0, one has node 1 to itself
  // (home nodes stay fixed: the NUMA rebalancer is not modelled).
  CpuLab<cpu::DetailedHostCpu> lab(make_host("esx", 1, 2000.0, 1, 2));
  auto& a = lab.add("a", 1, busy());
  auto& b = lab.add("b", 1, busy());
  auto& c = lab.add("c", 1, busy());
  lab.run_and_finish(10_s);
  CHECK(lab.model->placement(b).client_node == std::vector<int>{1});
  CHECK(lab.average(a, metric::vm_cpu_used_mhz) == doctest::Approx(1000.0).epsilon(0.01));
  CHECK(lab.average(b, metric::vm_cpu_used_mhz) == doctest::Approx(2000.0));
  CHECK(lab.average(c, metric::vm_cpu_used_mhz) == doctest::Approx(1000.0).epsilon(0.01));
}
