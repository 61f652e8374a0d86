#include <array>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "sections.hpp"
#include "values.hpp"
#include "vdc/scenario/loader.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

constexpr std::array<Choice<models::Fidelity>, 2> fidelities{
    {{"fluid", models::Fidelity::fluid}, {"detailed", models::Fidelity::detailed}}};

constexpr Bounds run_time{0.0, limits::max_duration_s, true,
                          "expected a duration above 0 and up to 366d, like 1h"};
constexpr Bounds warmup_time{0.0, limits::max_duration_s, false,
                             "expected a time from 0 to below the duration, like 20m"};

/// The scenario name names the report directory, so it must be a plain file name.
void read_scenario_name(Sink& sink, const Node& node, std::string& out) {
  constexpr std::string_view expected =
      "expected letters, digits, '.', '_' or '-': it names the report directory";
  const std::optional<std::string> name = read_text(sink, "name", node, expected);
  if (!name) return;
  const bool ok = !name->empty() && name->front() != '.' &&
                  name->find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789._-") == std::string::npos;
  if (!ok) {
    bad_value(sink, "name", node, expected);
    return;
  }
  out = *name;
}

/// `warmup:`, the start of the measured window; it must end before the run does (checked
/// when the duration itself is valid).
void read_warmup(Sink& sink, const Node& node, const MapView& scenario,
                 models::ScenarioConfig& config) {
  const std::optional<sim::Time> warmup = read_duration(sink, "warmup", node, warmup_time);
  if (!warmup) return;
  const Node* duration = scenario.get("duration");
  if (duration != nullptr && config.duration > sim::Time::zero() && *warmup >= config.duration) {
    sink.error(node.pos,
               fmt::format("bad value '{}' for 'warmup': the run lasts only '{}'", node.text,
                           duration->text),
               "expected a warm-up shorter than the duration, so that the reports measure "
               "something");
    return;
  }
  config.warmup = *warmup;
}

}  // namespace

// The sections read before the VMs (whose NICs name port groups, whose disks name
// datastores and policies) and after them, each defined beside its reader.
extern const Section networks_section;
extern const Section storage_policies_section;
extern const Section datastores_section;
extern const Section events_section;
constexpr std::array<const Section*, 3> early{&networks_section, &storage_policies_section,
                                              &datastores_section};
constexpr std::array<const Section*, 1> late{&events_section};

std::span<const Section* const> early_sections() { return early; }
std::span<const Section* const> late_sections() { return late; }

void read_scenario(Context& ctx, const Node& root) {
  const MapView m(ctx.sink, root, keys::scenario, "the scenario");
  models::ScenarioConfig& config = ctx.config;
  if (const Node* name = m.require("name", "expected the scenario's name, like overcommit-lab")) {
    read_scenario_name(ctx.sink, *name, config.name);
  }
  assign(m.text("description", "expected a text"), config.description);
  if (const Node* seed = m.get("seed")) assign(read_unsigned(ctx.sink, "seed", *seed), config.seed);
  if (m.require("duration", "expected the simulated time, like 1h") != nullptr) {
    assign(m.duration("duration", run_time), config.duration);
  }
  if (const Node* warmup = m.get("warmup")) read_warmup(ctx.sink, *warmup, m, config);
  assign(m.choice<models::Fidelity>("fidelity", fidelities), config.fidelity);
  assign(m.duration("sample_interval", run_time), config.sample_interval);
  if (const Node* parameters = m.get("parameters")) {
    read_parameters(ctx.sink, *parameters, models::ParameterScope::model, "parameters",
                    config.parameters);
  }
  // `sweep:` is read by vdcsim sweep.

  const Profiles host_profiles = read_host_profiles(ctx, m.get("host_profiles"));
  const Profiles vm_profiles = read_vm_profiles(ctx, m.get("vm_profiles"));
  if (const Node* hosts = m.require("hosts", "expected a sequence of hosts")) {
    read_hosts(ctx, *hosts, host_profiles);
  }
  if (const Node* clusters = m.get("clusters")) read_clusters(ctx, *clusters);
  if (const Node* pools = m.get("resource_pools")) read_pools(ctx, *pools);
  for (const Section* section : early_sections()) {
    if (const Node* node = m.get(section->key)) section->read(ctx, *node);
  }
  if (const Node* vms = m.require("vms", "expected a sequence of VMs")) {
    read_vms(ctx, *vms, vm_profiles);
  }
  check_vm_networks(ctx);  // flows may name VMs listed after them
  check_vm_storage(ctx);
  for (const Section* section : late_sections()) {
    if (const Node* node = m.get(section->key)) section->read(ctx, *node);
  }
  // On a valid scenario only: an invalid one would be judged on what its errors left.
  if (!ctx.sink.has_errors()) {
    for (const FitCheck& check : ctx.fit_checks) {
      if (check.first_vm < config.vms.size()) {
        warn_if_never_fits(ctx, check.site, config.vms[check.first_vm]);
      }
    }
  }
}

}  // namespace vdc::scenario::detail

namespace vdc::scenario {

std::vector<const KeySet*> all_key_sets() {
  std::vector<const KeySet*> out(keys::core.begin(), keys::core.end());
  for (const auto sections : {detail::early_sections(), detail::late_sections()}) {
    for (const detail::Section* section : sections) {
      out.insert(out.end(), section->key_sets.begin(), section->key_sets.end());
    }
  }
  return out;
}

std::optional<models::Fidelity> parse_fidelity(std::string_view text) {
  for (const auto& f : detail::fidelities) {
    if (f.name == text) return f.value;
  }
  return std::nullopt;
}

}  // namespace vdc::scenario
