// The network area: include/vdc/models/network/network_area.hpp.
#include "vdc/models/network/network_area.hpp"

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "network_model.hpp"
#include "network_parameters.hpp"

namespace vdc::models::network {
namespace {

class NetworkArea final : public Area {
 public:
  explicit NetworkArea(const AreaContext& ctx)
      : config_(ctx.config),
        model_(ctx.config, ctx.sim, &ctx.metrics, &ctx.traces,
               {ctx.series.keeps("network.hosts"), ctx.series.keeps("network.vms")}),
        done_(ctx.signals.get<TransferDone>()) {
    schedule_events(ctx);
    ctx.signals.get<TransferRequest>().connect([this](const TransferRequest& r) {
      in_request_ = true;
      const std::uint64_t own = model_.start_transfer(r.kind, r.label, r.from, r.to, r.mib);
      in_request_ = false;
      // A transfer with nothing to move, or no path, is done before start_transfer returns.
      if (finished_now_ && finished_now_->first == own) {
        const double seconds = finished_now_->second;
        finished_now_.reset();
        done_.emit(TransferDone{r.id, seconds});
        return;
      }
      requested_.emplace(own, r.id);
    });
    model_.on_transfer_done([this](std::uint64_t own, double seconds) {
      const auto it = requested_.find(own);
      if (it == requested_.end()) {
        if (in_request_) finished_now_.emplace(own, seconds);
        return;  // the area's own (a vMotion), or a request being started
      }
      const std::uint64_t theirs = it->second;
      requested_.erase(it);
      done_.emit(TransferDone{theirs, seconds});
    });
  }

  void power_on(VmId vm, HostId host) override { model_.power_on(vm, host); }
  void power_off(VmId vm) override { model_.power_off(vm); }
  // A migrated VM's ports connect on the destination (a standard switch gives a new port;
  // a distributed port keeps its number); the switches are notified. Its memory crosses
  // the network as a vMotion transfer (its whole configured memory: the precopy rounds and
  // the switch-over belong to the cluster area, which will ask for them itself).
  void depart(VmId vm, HostId from) override {
    model_.power_off(vm);
    departed_from_ = from;
  }
  void arrive(VmId vm, HostId to) override {
    model_.power_on(vm, to);
    if (departed_from_ && *departed_from_ != to) {
      model_.start_transfer("vmotion", config_.vms[vm].name, *departed_from_, to, config_.vms[vm].memory_mib);
    }
    departed_from_.reset();
  }
  void host_failed(HostId host) override { model_.host_failed(host); }
  void host_restored(HostId host) override { model_.host_restored(host); }

  void finish(sim::Time end, RunResult& result) override {
    model_.finish(end);
    result.tables.push_back(model_.uplinks_table(&table_spec(Table::uplinks)));
    result.tables.push_back(model_.flows_table(&table_spec(Table::flows)));
    result.tables.push_back(model_.events_table(&table_spec(Table::events)));
    result.tables.push_back(model_.transfers_table(&table_spec(Table::transfers)));
  }

 private:
  /// The link, upstream and switch events of the scenario (the driver leaves them here).
  void schedule_events(const AreaContext& ctx) {
    for (const EventConfig& e : ctx.config.events) {
      if (e.at > ctx.config.duration) continue;
      const bool up = e.kind == EventKind::link_up || e.kind == EventKind::upstream_up || e.kind == EventKind::switch_up;
      switch (e.kind) {
        case EventKind::link_down:
        case EventKind::link_up:
        case EventKind::upstream_down:
        case EventKind::upstream_up: {
          const auto slash = e.target.find('/');
          if (slash == std::string::npos) break;
          const std::string host = e.target.substr(0, slash);
          const std::string nic = e.target.substr(slash + 1);
          for (HostId h = 0; h < ctx.config.hosts.size(); ++h) {
            if (ctx.config.hosts[h].name != host) continue;
            const bool link = e.kind == EventKind::link_down || e.kind == EventKind::link_up;
            ctx.sim.at(e.at, [this, h, nic, up, link] {
              if (link) model_.set_link(h, nic, up);
              else model_.set_upstream(h, nic, up);
            });
          }
          break;
        }
        case EventKind::switch_down:
        case EventKind::switch_up: {
          const std::string name = e.target;
          ctx.sim.at(e.at, [this, name, up] { model_.set_switch(name, up); });
          break;
        }
        default: break;
      }
    }
  }

  const ScenarioConfig& config_;
  NetworkModel model_;
  sim::Signal<TransferDone>& done_;
  std::unordered_map<std::uint64_t, std::uint64_t> requested_;  // the model's id -> the requester's
  std::optional<std::pair<std::uint64_t, double>> finished_now_;  // done inside start_transfer
  bool in_request_ = false;
  std::optional<HostId> departed_from_;  // between depart and arrive of a migration
};

std::unique_ptr<Area> make(const AreaContext& ctx) { return std::make_unique<NetworkArea>(ctx); }

bool runs(const ScenarioConfig& config) { return config.network.present; }

constexpr std::array<MetricSpec, 9> metrics{{
    {EntityKind::host, gauge::tx_mbps, "Mbps", "transmitted by the host's uplinks"},
    {EntityKind::host, gauge::rx_mbps, "Mbps", "received by the host's uplinks"},
    {EntityKind::host, gauge::uplink_util_max, "", "the busiest uplink's max(transmit, receive) / speed"},
    {EntityKind::vm, gauge::tx_mbps, "Mbps", "transmitted by the VM's delivered flows"},
    {EntityKind::vm, gauge::rx_mbps, "Mbps", "received from flows delivered to the VM"},
    {EntityKind::vm, gauge::demand_mbps, "Mbps", "what the VM's flows ask"},
    {EntityKind::vm, gauge::dropped_mbps, "Mbps", "demand of the VM's flows that are dropped"},
    {EntityKind::vm, gauge::dropped, "", "dropped / demand"},
    {EntityKind::vm, gauge::rx_dropped, "", "of the unicast demand sent to the VM, the share dropped"},
}};

constexpr std::array<std::string_view, 0> no_dependencies{};

// A host's three gauges and its uplinks' four each (counted for two uplinks); a VM's four.
constexpr std::array<SeriesGroup, 2> series{{
    {"network.hosts", EntityKind::host, 11, 0, gauge::uplink_util_max, "network"},
    {"network.vms", EntityKind::vm, 4, 2, gauge::tx_mbps, "network"},
}};

constexpr std::array<AreaSpec, 1> specs{{
    {.name = "network",
     .variant = "",
     .description = "vSwitches, port groups, VLANs, NIC teaming, failure detection and failover, flows sharing links",
     .scenario = "networks: vswitches, port_groups, physical; host_profiles: nics; vm_profiles and vms: nics, "
                 "workload.network.flows; events: link_down/up, upstream_down/up, switch_down/up; hosts: advanced: "
                 "Net.IpHashVariant; parameters: network.*",
     .docs = "docs/network.md; docs/scenario.md \"Networks\"",
     .depends_on = no_dependencies,
     .metrics = metrics,
     .series = series,
     .parameters = &network_parameters,
     .make = &make,
     .report = &report_spec,
     .runs = &runs},
}};

}  // namespace

std::span<const AreaSpec> area_specs() { return specs; }

}  // namespace vdc::models::network
