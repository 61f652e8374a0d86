// Pools whose reservations cannot be held are refused where the reservation is written
// (docs/scenario.md "Resource pools"). Host esx01: 8 cores at 2.5 GHz = 20000 MHz, 64 GiB
// = 65536 MiB; cluster prod: esx01 and esx02, 40000 MHz and 131072 MiB.
#include <doctest/doctest.h>

#include <string>

#include "scenario_test_support.hpp"

using namespace vdc::scenario;
using namespace vdc::scenario::test;

namespace {

std::string with_pools(std::string_view pools) {
  return scenario_text(
             "hosts:\n"
             "  - {name: esx01, cpu: {sockets: 1, cores_per_socket: 8, frequency: 2.5 GHz}, memory: 64 GiB}\n"
             "  - {name: esx02, cpu: {sockets: 1, cores_per_socket: 8, frequency: 2.5 GHz}, memory: 64 GiB}\n"
             "clusters:\n"
             "  - {name: prod, hosts: [esx01, esx02]}\n"
             "resource_pools:\n") +
         std::string(pools) + "vms:\n  - {name: web01, cluster: prod}\n";
}

}  // namespace

TEST_CASE("a pool may reserve up to all of its host or cluster, not more") {
  // Line 9 is the first pool. A pool under a host of a cluster hangs from the host.
  SUBCASE("exactly the cluster's memory and CPU is accepted") {
    load_ok(with_pools("  - {name: all, parent: prod, cpu: {reservation: 40 GHz}, mem: {reservation: 128 GiB}}\n"));
  }
  SUBCASE("above the host: refused at the reservation, with both numbers") {
    const LoadResult r = load(with_pools("  - {name: a, parent: esx01, mem: {reservation: 65 GiB}}\n"));
    CHECK(messages(r) == std::vector<std::string>{
                             "t.yaml:9:36: error: resource pool 'a' reserves 66560 MiB of memory, more than the 65536 "
                             "MiB of host esx01 (expected a memory reservation of at most 65536 MiB)"});
  }
  SUBCASE("CPU above the host: its cores times their frequency") {
    const LoadResult r = load(with_pools("  - {name: a, parent: esx01, cpu: {reservation: 20001 MHz}}\n"));
    CHECK(messages(r) == std::vector<std::string>{
                             "t.yaml:9:36: error: resource pool 'a' reserves 20001 MHz of CPU, more than the 20000 "
                             "MHz of host esx01 (8 cores x 2500 MHz) (expected a CPU reservation of at most 20000 "
                             "MHz)"});
  }
  SUBCASE("under a pool, the root's capacity still bounds it") {
    const LoadResult r = load(with_pools(
        "  - {name: top, parent: prod}\n"
        "  - {name: deep, parent: top, cpu: {reservation: 41 GHz}}\n"));
    CHECK(messages(r) == std::vector<std::string>{
                             "t.yaml:10:37: error: resource pool 'deep' reserves 41000 MHz of CPU, more than the "
                             "40000 MHz of cluster prod (2 hosts) (expected a CPU reservation of at most 40000 MHz)"});
  }
}

TEST_CASE("a pool that is not expandable must hold its children's reservations") {
  SUBCASE("children of an expandable parent borrow from above") {
    // 4 GiB + 6 GiB below an expandable 8 GiB: the parent holds 10 GiB of the cluster.
    load_ok(with_pools(
        "  - {name: p, parent: prod, mem: {reservation: 8 GiB}}\n"
        "  - {name: a, parent: p, mem: {reservation: 4 GiB}}\n"
        "  - {name: b, parent: p, mem: {reservation: 6 GiB}}\n"));
  }
  SUBCASE("the same children under a fixed parent are refused at its reservation") {
    const LoadResult r = load(with_pools(
        "  - {name: p, parent: prod, mem: {reservation: 8 GiB, expandable: false}}\n"
        "  - {name: a, parent: p, mem: {reservation: 4 GiB}}\n"
        "  - {name: b, parent: p, mem: {reservation: 6 GiB}}\n"));
    CHECK(messages(r) == std::vector<std::string>{
                             "t.yaml:9:35: error: the child pools of resource pool 'p' reserve 10240 MiB of memory, "
                             "more than its 8192 MiB, and it is not expandable (expected child reservations that fit "
                             "in their parent's, or an expandable parent)"});
  }
  SUBCASE("an expandable child counts what it borrows") {
    // b (2 GiB, expandable) holds its child's 6 GiB: 4 + 6 = 10 GiB under fixed p.
    const LoadResult r = load(with_pools(
        "  - {name: p, parent: prod, cpu: {reservation: 1 GHz}, mem: {reservation: 8 GiB, expandable: false}}\n"
        "  - {name: a, parent: p, mem: {reservation: 4 GiB}}\n"
        "  - {name: b, parent: p, mem: {reservation: 2 GiB}}\n"
        "  - {name: c, parent: b, mem: {reservation: 6 GiB}}\n"));
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].message.find("reserve 10240 MiB of memory, more than its 8192 MiB") != std::string::npos);
  }
}

TEST_CASE("the pools under a host or cluster must fit in it together, and every error is reported") {
  SUBCASE("64 + 64 GiB fill the cluster; 40 + 30 GiB overflow one host, reported at the last") {
    load_ok(with_pools(
        "  - {name: a, parent: prod, mem: {reservation: 64 GiB}}\n"
        "  - {name: b, parent: prod, mem: {reservation: 64 GiB}}\n"));
    const LoadResult r = load(with_pools(
        "  - {name: a, parent: esx01, mem: {reservation: 40 GiB}}\n"
        "  - {name: b, parent: esx01, mem: {reservation: 30 GiB}}\n"));
    CHECK(messages(r) == std::vector<std::string>{
                             "t.yaml:10:36: error: the resource pools under host esx01 reserve 71680 MiB of memory "
                             "together, more than the 65536 MiB of host esx01 (expected top-level pools whose "
                             "reservations fit in their host or cluster together)"});
  }
  SUBCASE("all at once") {
    const LoadResult r = load(with_pools(
        "  - {name: a, parent: esx01, cpu: {reservation: 21 GHz}, mem: {reservation: 65 GiB}}\n"
        "  - {name: b, parent: esx02, mem: {reservation: 1 TiB}}\n"
        "  - {name: c, parent: prod, mem: {reservation: 1 GiB, expandable: false}}\n"
        "  - {name: d, parent: c, mem: {reservation: 2 GiB}}\n"));
    CHECK(r.diagnostics.size() == 4);
    CHECK_FALSE(r.ok());
  }
}
