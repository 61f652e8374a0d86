// The areas interface: dense ids resolved once, the registry, the series plan, and the
// driver as a mediator (hook order, refusals, signals), with areas written for the test.
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "scenario_builder.hpp"
#include "vdc/models/area.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/registry.hpp"
#include "vdc/sim/signal.hpp"

namespace vdc::models {
namespace {

using namespace sim::literals;
using testing::busy;
using testing::make_host;
using testing::make_scenario;
using testing::make_vm;

TEST_CASE("resolve_ids turns every name into the index of what it names") {
  ScenarioConfig c = make_scenario(1_s);
  c.hosts = {make_host("esx01", 4, 2000.0), make_host("esx02", 4, 2000.0), make_host("esx03", 4, 2000.0)};
  c.hosts[2].cluster = "prod";
  c.clusters = {ClusterConfig{"lab", {"esx02"}}, ClusterConfig{"prod", {}}};
  // A child listed before its parent: the order still puts parents first.
  PoolConfig child{"child", "top", PoolParentKind::pool, {}, {}};
  PoolConfig top{"top", "prod", PoolParentKind::cluster, {}, {}};
  PoolConfig local{"local", "esx01", PoolParentKind::host, {}, {}};
  c.pools = {child, top, local};
  c.vms = {make_vm("a", "esx01", 1, busy()), make_vm("b", "", 1, busy())};
  c.vms[1].cluster = "prod";
  c.vms[1].pool = "child";
  c.events = {EventConfig{1_s, EventKind::migrate, "a", "esx03"},
              EventConfig{1_s, EventKind::fail_host, "esx02", ""},
              EventConfig{1_s, EventKind::link_down, "esx01/vmnic0", ""}};
  resolve_ids(c);
  CHECK(c.ids_resolved);
  CHECK(c.hosts[0].cluster_id == -1);
  CHECK(c.hosts[1].cluster_id == 0);  // named by the cluster
  CHECK(c.hosts[2].cluster_id == 1);  // names its cluster
  CHECK(c.pool_order == std::vector<std::size_t>{1, 0, 2});
  CHECK(c.pools[0].parent_id == 1);
  CHECK(c.pools[0].root_cluster == 1);
  CHECK(c.pools[0].root_host == -1);
  CHECK(c.pools[2].root_host == 0);
  CHECK(c.vms[0].host_id == 0);
  CHECK(c.vms[1].host_id == -1);
  CHECK(c.vms[1].cluster_id == 1);
  CHECK(c.vms[1].pool_id == 0);
  CHECK(c.events[0].target_id == 0);
  CHECK(c.events[0].to_id == 2);
  CHECK(c.events[1].target_id == 1);
  CHECK(c.events[2].target_id == -1);
  // A cluster's pool follows a VM to every host of the cluster, a host's pool does not.
  CHECK(pool_on_host(c, 0, 2) == 0);
  CHECK(pool_on_host(c, 0, 0) == -1);
  CHECK(pool_on_host(c, 2, 0) == 2);
  CHECK(pool_on_host(c, 2, 1) == -1);
}

TEST_CASE("resolve_ids refuses a cycle of pools") {
  ScenarioConfig c = make_scenario(1_s);
  c.hosts = {make_host("esx01", 4, 2000.0)};
  c.pools = {PoolConfig{"a", "b", PoolParentKind::pool, {}, {}}, PoolConfig{"b", "a", PoolParentKind::pool, {}, {}}};
  CHECK_THROWS_WITH(resolve_ids(c), "resource pool cycle at 'a'");
}

TEST_CASE("the registry builds the CPU area in the variant the fidelity names, after memory") {
  ScenarioConfig c = make_scenario(1_s, Fidelity::detailed);
  const std::vector<const AreaSpec*> areas = areas_for(c);
  REQUIRE(areas.size() == 2);
  CHECK(areas[0]->name == "cpu");
  CHECK(areas[0]->variant == "detailed");
  CHECK(areas[1]->name == "memory");
  c.fidelity = Fidelity::fluid;
  CHECK(areas_for(c)[0]->variant == "fluid");
  // Every dependency names a registered area.
  for (const AreaSpec* a : area_registry()) {
    for (const std::string_view d : a->depends_on) {
      bool found = false;
      for (const AreaSpec* b : area_registry()) found = found || b->name == d;
      CHECK_MESSAGE(found, a->name, " depends on ", d);
    }
  }
}

TEST_CASE("signals reach their observers in the order they connected") {
  struct Ping {
    int value = 0;
  };
  struct Other {};
  sim::SignalBus bus;
  std::vector<int> seen;
  bus.get<Ping>().connect([&](const Ping& p) { seen.push_back(p.value); });
  bus.get<Ping>().connect([&](const Ping& p) { seen.push_back(10 * p.value); });
  CHECK_FALSE(bus.get<Other>().connected());
  bus.get<Ping>().emit(Ping{3});
  CHECK(seen == std::vector<int>{3, 30});
}

// ---- The driver with areas of the test's own --------------------------------------------

/// What the recording areas saw, in order.
std::vector<std::string>* journal = nullptr;

struct Nudge {
  VmId vm = 0;
};

/// Records every hook; refuses VMs named "big"; publishes a Nudge when a VM starts.
class Producer final : public Area {
 public:
  explicit Producer(const AreaContext& ctx) : ctx_(ctx), nudge_(ctx.signals.get<Nudge>()) {}
  std::optional<std::string> refusal(VmId vm, HostId host) const override {
    if (ctx_.config.vms[vm].name == "big") return "too big for " + ctx_.config.hosts[host].name;
    return std::nullopt;
  }
  void power_on(VmId vm, HostId host) override {
    log("producer on", vm, host);
    nudge_.emit(Nudge{vm});
  }
  void power_off(VmId vm) override { journal->push_back("producer off " + ctx_.config.vms[vm].name); }
  void depart(VmId vm, HostId from) override { log("producer depart", vm, from); }
  void arrive(VmId vm, HostId to) override { log("producer arrive", vm, to); }
  void host_failed(HostId host) override { journal->push_back("producer failed " + std::to_string(host)); }
  void finish(sim::Time, RunResult&) override { journal->push_back("producer finish"); }

 private:
  void log(const char* what, VmId vm, HostId host) {
    journal->push_back(std::string(what) + " " + ctx_.config.vms[vm].name + "@" + std::to_string(host));
  }
  AreaContext ctx_;
  sim::Signal<Nudge>& nudge_;
};

/// Records every hook and the Nudges it observes; depends on the producer.
class Consumer final : public Area {
 public:
  explicit Consumer(const AreaContext& ctx) : ctx_(ctx) {
    ctx.signals.get<Nudge>().connect([this](const Nudge& n) {
      journal->push_back("consumer nudged " + ctx_.config.vms[n.vm].name);
    });
  }
  void power_on(VmId vm, HostId host) override {
    // The driver's state already shows the VM where it starts.
    CHECK(ctx_.state.vms[vm].on);
    CHECK(*ctx_.state.vms[vm].host == host);
    journal->push_back("consumer on " + ctx_.config.vms[vm].name);
  }
  void power_off(VmId vm) override { journal->push_back("consumer off " + ctx_.config.vms[vm].name); }
  void depart(VmId vm, HostId) override { journal->push_back("consumer depart " + ctx_.config.vms[vm].name); }
  void arrive(VmId vm, HostId) override { journal->push_back("consumer arrive " + ctx_.config.vms[vm].name); }
  void finish(sim::Time, RunResult&) override { journal->push_back("consumer finish"); }

 private:
  AreaContext ctx_;
};

std::unique_ptr<Area> make_producer(const AreaContext& ctx) { return std::make_unique<Producer>(ctx); }
std::unique_ptr<Area> make_consumer(const AreaContext& ctx) { return std::make_unique<Consumer>(ctx); }

constexpr std::array<std::string_view, 1> needs_producer{"producer"};
constexpr AreaSpec consumer_spec{"consumer", "", "test", "", "", needs_producer, {}, {}, nullptr, &make_consumer};
constexpr AreaSpec producer_spec{"producer", "", "test", "", "", {}, {}, {}, nullptr, &make_producer};

TEST_CASE("the driver runs hooks in dependency order, routes signals and keeps the first refusal") {
  std::vector<std::string> seen;
  journal = &seen;
  ScenarioConfig c = make_scenario(10_s);
  c.hosts = {make_host("esx01", 4, 2000.0), make_host("esx02", 4, 2000.0)};
  c.vms = {make_vm("web", "esx01", 1, busy()), make_vm("big", "esx01", 1, busy())};
  c.events = {EventConfig{2_s, EventKind::migrate, "web", "esx02"},
              EventConfig{4_s, EventKind::fail_host, "esx02", ""}};
  // Listed consumer first: the consumer is built first, but its hooks run after the
  // producer's, which it depends on.
  const std::array<const AreaSpec*, 2> areas{&consumer_spec, &producer_spec};
  const RunResult r = run_areas(c, areas);
  journal = nullptr;
  const std::vector<std::string> expected{
      "producer on web@0",     "consumer nudged web",   "consumer on web",
      "producer depart web@0", "consumer depart web",   "producer arrive web@1",
      "consumer arrive web",   "producer off web",      "consumer off web",
      "producer failed 1",     "consumer finish",       "producer finish",
  };
  CHECK(seen == expected);
  REQUIRE(r.vms.size() == 2);
  CHECK_FALSE(r.vms[0].powered_on);
  CHECK(r.vms[0].host == "esx02");  // where it ran last
  CHECK_FALSE(r.vms[1].powered_on);
  CHECK(r.vms[1].admission == std::optional<std::string>("too big for esx01"));
}

TEST_CASE("the placement refuses before any area: a VM wider than its host") {
  std::vector<std::string> seen;
  journal = &seen;
  ScenarioConfig c = make_scenario(1_s);
  c.hosts = {make_host("esx01", 2, 2000.0)};
  c.vms = {make_vm("big", "esx01", 4, busy())};
  const std::array<const AreaSpec*, 1> areas{&producer_spec};
  const RunResult r = run_areas(c, areas);
  journal = nullptr;
  CHECK(r.vms[0].admission == std::optional<std::string>("4 vCPUs exceed the 2 logical CPUs of host esx01"));
  CHECK(seen == std::vector<std::string>{"producer finish"});
}

}  // namespace
}  // namespace vdc::models

namespace vdc::models {
namespace {

TEST_CASE("every parameter is listed once, grouped by the area it names, in the order of `vdcsim models`") {
  const auto params = all_parameters();
  const auto areas = model_areas();
  std::size_t area = 0;
  for (const ModelParameter& p : params) {
    while (area < areas.size() && areas[area].name != p.area) ++area;
    CHECK_MESSAGE(area < areas.size(), p.name, " is out of its area's order");
  }
  // The CPU area declares the workload's parameter; it is listed under workload.
  const ModelParameter* period = find_parameter("workload.constant_period", ParameterScope::model);
  REQUIRE(period != nullptr);
  CHECK(period->area == "workload");
}

}  // namespace
}  // namespace vdc::models
