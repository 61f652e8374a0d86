#include <doctest/doctest.h>

#include "scenario_test_support.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;
using namespace vdc::sim::literals;

namespace {

constexpr std::string_view inventory = R"(
hosts:
  - {name: esx01, memory: 256 GiB, nics: [{name: vmnic0, speed: 10 Gbps}]}
  - {name: esx02, memory: 256 GiB}
vms:
  - {name: db01, host: esx01}
  - {name: web01, host: esx01}
  - {name: app01, host: esx02, powered_on: true}
  - {name: app02, host: esx02}
)";

}  // namespace

TEST_CASE("every event kind is read with its target") {
  const models::ScenarioConfig c = load_ok(scenario_text(std::string(inventory) + R"(
events:
  - {at: 30m, fail_host: esx02}
  - {at: 45m, restore_host: esx02}
  - {at: 10m, link_down: esx01/vmnic0}
  - {at: 11m, link_up: esx01/vmnic0}
  - {at: 5m,  power_on: db01}
  - {at: 50m, power_off: web01}
  - {at: 20m, migrate: db01, to: esx02}
)"));
  REQUIRE(c.events.size() == 7);
  const auto& e = c.events;
  CHECK(e[0].kind == models::EventKind::fail_host);
  CHECK(e[0].target == "esx02");
  CHECK(e[0].at == 30_min);
  CHECK(e[1].kind == models::EventKind::restore_host);
  CHECK(e[2].kind == models::EventKind::link_down);
  CHECK(e[2].target == "esx01/vmnic0");
  CHECK(e[3].kind == models::EventKind::link_up);
  CHECK(e[4].kind == models::EventKind::power_on);
  CHECK(e[4].target == "db01");
  CHECK(e[5].kind == models::EventKind::power_off);
  CHECK(e[6].kind == models::EventKind::migrate);
  CHECK(e[6].target == "db01");
  CHECK(e[6].to == "esx02");
  CHECK(e[6].at == 20_min);
}

TEST_CASE("a VM first powered on by an event starts powered off unless it says otherwise") {
  const models::ScenarioConfig c = load_ok(scenario_text(std::string(inventory) + R"(
events:
  - {at: 20m, power_on: db01}
  - {at: 10m, power_off: web01}
  - {at: 20m, power_on: web01}
  - {at: 5m, power_on: app01}
  - {at: 9m, power_off: app02}
  - {at: 5m, power_on: app02}
)"));
  CHECK_FALSE(named(c.vms, "db01").powered_on);
  CHECK(named(c.vms, "web01").powered_on);   // first event switches it off
  CHECK(named(c.vms, "app01").powered_on);   // powered_on written
  CHECK_FALSE(named(c.vms, "app02").powered_on);  // earliest event is the power_on
}

TEST_CASE("an event after the end of the run is a warning, not an error") {
  const LoadResult r = load(scenario_text(std::string(inventory) + "events: [{at: 90m, fail_host: esx01}]\n"));
  REQUIRE(r.ok());
  CHECK(messages(r) == std::vector<std::string>{
                           "t.yaml:12:15: warning: event at 1h30m is after the end of the run "
                           "(1h); it never happens"});
}
