#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "sections.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

enum class Target { host, nic, vm, physical_node };

struct Action {
  std::string_view key;
  models::EventKind kind;
  Target target;
};

constexpr std::array<Action, 12> actions{{
    {"fail_host", models::EventKind::fail_host, Target::host},
    {"restore_host", models::EventKind::restore_host, Target::host},
    {"link_down", models::EventKind::link_down, Target::nic},
    {"link_up", models::EventKind::link_up, Target::nic},
    {"upstream_down", models::EventKind::upstream_down, Target::nic},
    {"upstream_up", models::EventKind::upstream_up, Target::nic},
    {"switch_down", models::EventKind::switch_down, Target::physical_node},
    {"switch_up", models::EventKind::switch_up, Target::physical_node},
    {"power_on", models::EventKind::power_on, Target::vm},
    {"power_off", models::EventKind::power_off, Target::vm},
    {"migrate", models::EventKind::migrate, Target::vm},
    {"device_error", models::EventKind::device_error, Target::host},
}};

constexpr std::string_view action_list =
    "fail_host, restore_host, link_down, link_up, upstream_down, upstream_up, switch_down, "
    "switch_up, power_on, power_off, migrate or device_error";

constexpr std::array<std::string_view, 14> event_keys{
    "at", "fail_host", "restore_host", "link_down", "link_up", "upstream_down", "upstream_up",
    "switch_down", "switch_up", "power_on", "power_off", "migrate", "device_error", "to"};
constexpr KeySet event_key_set{"event", "an event", event_keys};
constexpr std::array<const KeySet*, 1> key_sets{&event_key_set};

constexpr Bounds event_time{0.0, limits::max_duration_s, false,
                            "expected a time from the start of the run, like 30m"};

/// A device_error's host must hold a vSAN datastore: one whose cluster it is in.
bool check_vsan_host(Context& ctx, std::size_t host, const Node& at) {
  const models::HostConfig& h = ctx.config.hosts[host];
  for (const models::DatastoreConfig& ds : ctx.config.storage.datastores) {
    if (ds.kind == models::DatastoreKind::vsan && !h.cluster.empty() && ds.cluster == h.cluster) return true;
  }
  ctx.sink.error(at.pos, fmt::format("device_error on host '{}', which holds no vSAN datastore", h.name),
                 "expected a host of a cluster with a vSAN datastore: the event fails one of its "
                 "capacity devices");
  return false;
}

void read_event(Context& ctx, const Node& item, std::map<std::size_t, std::pair<sim::Time, bool>>& first_power) {
  const MapView m(ctx.sink, item, event_key_set, "an events entry");
  if (!m.valid()) return;
  models::EventConfig event;
  const Node* at = m.require("at", "expected the time of the event, like 30m");
  bool at_ok = false;
  if (at != nullptr) {
    if (auto t = read_duration(ctx.sink, "at", *at, event_time)) {
      event.at = *t;
      at_ok = true;
    }
  }
  const Action* action = nullptr;
  const Node* target = nullptr;
  for (const Entry& e : item.entries) {
    const auto it = std::find_if(actions.begin(), actions.end(),
                                 [&](const Action& a) { return a.key == e.key; });
    if (it == actions.end()) continue;
    if (action != nullptr) {
      ctx.sink.error(e.key_pos, fmt::format("a second action '{}' in one event", e.key),
                     "expected one action per event");
      continue;
    }
    action = &*it;
    target = &e.value;
  }
  if (action == nullptr) {
    ctx.sink.error(m.pos(), "event without an action", fmt::format("expected one of: {}", action_list));
    return;
  }
  event.kind = action->kind;
  bool target_ok = false;
  switch (action->target) {
    case Target::host: {
      const auto host = ctx.hosts.resolve(ctx.sink, action->key, *target);
      target_ok = host.has_value();
      if (host && action->kind == models::EventKind::device_error) {
        target_ok = check_vsan_host(ctx, *host, *target);
      }
      break;
    }
    case Target::nic: target_ok = resolve_host_nic(ctx, "link", *target); break;
    case Target::physical_node:
      target_ok = ctx.physical_nodes.resolve(ctx.sink, action->key, *target).has_value();
      break;
    case Target::vm: {
      const auto vm = ctx.vms.resolve(ctx.sink, action->key, *target);
      target_ok = vm.has_value();
      const bool power = action->kind == models::EventKind::power_on ||
                         action->kind == models::EventKind::power_off;
      if (vm && at_ok && power) {
        const auto [it, fresh] = first_power.try_emplace(*vm, event.at, action->kind == models::EventKind::power_on);
        if (!fresh && event.at < it->second.first) {
          it->second = {event.at, action->kind == models::EventKind::power_on};
        }
      }
      break;
    }
  }
  if (target_ok) event.target = target->text;
  const Entry* to = m.entry("to");
  if (action->kind == models::EventKind::migrate) {
    if (m.require("to", "expected the destination host of the migration") != nullptr) {
      if (ctx.hosts.resolve(ctx.sink, "to", to->value)) event.to = to->value.text;
    }
  } else if (to != nullptr) {
    ctx.sink.error(to->key_pos, fmt::format("'to' in a {} event", action->key),
                   "expected 'to' only with migrate");
  }
  if (at_ok && event.at > ctx.config.duration && ctx.config.duration > sim::Time::zero()) {
    ctx.sink.warning(at->pos, fmt::format("event at {} is after the end of the run ({}); it never happens",
                                          event.at, ctx.config.duration));
  }
  ctx.config.events.push_back(std::move(event));
}

}  // namespace

/// events (needs hosts and VMs).
void read_events(Context& ctx, const Node& section) {
  if (read_sequence(ctx.sink, "events", section, "expected a sequence of events") == nullptr) return;
  // Per VM: time and kind of its earliest power event.
  std::map<std::size_t, std::pair<sim::Time, bool>> first_power;
  for (const Node& item : section.items) read_event(ctx, item, first_power);
  // A VM first powered on by an event starts powered off, unless it says otherwise.
  for (const auto& [vm, first] : first_power) {
    if (first.second && !ctx.vm_power_explicit[vm]) ctx.config.vms[vm].powered_on = false;
  }
}

extern const Section events_section;
constexpr Section events_section{"events", &read_events, key_sets};

}  // namespace vdc::scenario::detail
