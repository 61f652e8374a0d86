#pragma once
// The state of one run of run_scenario (internal to models/): hosts with their CPU models,
// the memory model of all hosts, resource pools, VMs with their trace cursors, admission
// control, and the scenario's events. datacenter_run.cpp builds the run, its pools and its
// facts; datacenter_power.cpp powers, places and moves VMs and runs the events.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vdc/models/admission.hpp"
#include "vdc/models/cpu/host_cpu.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/memory/memory_model.hpp"
#include "vdc/models/trace/trace_cache.hpp"

namespace vdc::models {

/// Which gauges keep their per-interval series (see RunOptions::series_budget_bytes).
struct SeriesPlan {
  bool hosts = false;      ///< every host gauge
  bool vm_states = false;  ///< the four CPU state gauges of every VM
  bool vm_memory = false;  ///< the six memory gauges of every VM (after the states)
};

/// Decides the series of a run: host series if they fit in the budget, then VM state
/// series, then VM memory series, each if it fits in what remains (8 bytes per gauge per
/// sample interval).
[[nodiscard]] SeriesPlan plan_series(const ScenarioConfig& config, std::size_t budget_bytes);

/// One run of a scenario.
class DatacenterRun {
 public:
  /// Builds hosts, pools and VMs into `result.metrics` and powers on the VMs that start on.
  DatacenterRun(const ScenarioConfig& config, RunResult& result, const SeriesPlan& series);
  ~DatacenterRun();
  DatacenterRun(const DatacenterRun&) = delete;
  DatacenterRun& operator=(const DatacenterRun&) = delete;

  /// The engine driving the run.
  sim::Simulator& simulator() { return sim_; }
  /// Closes the models at `end` and fills the host and VM facts of the result.
  void finish(sim::Time end);

 private:
  struct Host {
    const HostConfig* cfg = nullptr;
    int cluster = -1;
    bool up = true;
    std::unique_ptr<cpu::HostCpuModel> cpu;
    std::vector<std::size_t> vms;  // powered on here, in arrival order
    ReservationLedger::NodeId ledger = 0;  // its root in both ledgers
    memory::MemoryModel::HostId memory = 0;
    std::vector<std::size_t> vm_of_handle;  // memory model handle -> VM (handles are dense)
  };
  struct Pool {
    const PoolConfig* cfg = nullptr;
    int parent = -1;        // parent pool, -1: a root
    int host = -1;          // the host at the root of its tree, or
    int cluster = -1;       // the cluster there
    bool bounded = false;   // it or an ancestor has a CPU reservation or limit
    ReservationLedger::NodeId ledger = 0;  // its node in both ledgers
    int vcpus_on = 0;       // vCPUs powered on in its subtree, all hosts
  };
  /// Capacity of a ledger root.
  struct Capacity {
    double mhz = 0.0;
    double mib = 0.0;
  };
  struct Vm {
    const VmConfig* cfg = nullptr;
    cpu::VmCpu cpu;
    std::optional<memory::VmRef> memory;  // while on
    double trace_mhz = 0.0;  // host frequency its trace cursors were built for, 0: none
    std::optional<trace::TraceCursor> memory_trace;  // active MiB, when its trace has memory
    int host = -1;          // current host while on; last host after
    int home_pool = -1;     // the pool of its configuration
    int pool = -1;          // current pool
    bool on = false;
    double mem_reservation = 0.0;  // memory reservation, at most its memory, MiB
    double mem_overhead = 0.0;     // static overhead reserved with it, MiB (reference B.7)
    ReservationLedger::NodeId charged = 0;  // in both ledgers
    bool host_charged = false;  // its host's own ledger root was charged too
    std::optional<std::string> admission;
  };

  void build_pools();
  int resolve_pool(std::size_t i, std::vector<int>& state);
  int host_index(const std::string& name) const;
  int vm_index(const std::string& name) const;
  [[nodiscard]] int first_host(const VmConfig& vm) const;
  void set_trace_host(std::size_t vm, int host);
  void start_memory_trace(std::size_t vm);
  void schedule_memory_sample(std::size_t vm);
  void on_memory_sample(std::size_t vm);
  void on_progress(memory::VmRef ref, double progress);
  void schedule_events();
  void power_on(std::size_t vm);
  std::optional<std::string> try_place(std::size_t vm, int host);
  void power_off(std::size_t vm);
  void fail_host(int host);
  void restore_host(int host);
  void migrate(std::size_t vm, int to);
  void join(std::size_t vm, int host, double touched_mib, double touch_target_mib);
  void leave(std::size_t vm);
  void refresh_pools(int host);
  void mark_cluster_pools(std::size_t vm);
  void refresh_marked();
  [[nodiscard]] int pool_for_host(int pool, int host) const;
  [[nodiscard]] ReservationLedger::NodeId ledger_node(int pool, int host) const;
  [[nodiscard]] bool needs_host_check(int pool, int host) const;
  ReservationLedger::NodeId add_ledger_root(const std::string& kind, const std::string& name,
                                                 Capacity capacity);
  void set_ledger_capacity(ReservationLedger::NodeId root, Capacity capacity);
  [[nodiscard]] Capacity cluster_capacity(int cluster) const;
  void set_host_up(int host, bool up);
  [[nodiscard]] std::optional<std::string> reservation_refusal(
      std::size_t vm, int host, ReservationLedger::NodeId node, bool host_check) const;
  void charge(std::size_t vm, int host, ReservationLedger::NodeId node, bool host_check);
  void release(std::size_t vm);

  const ScenarioConfig& config_;
  RunResult& result_;
  sim::Simulator sim_;
  cpu::CpuParameters params_;
  // CPU (MHz) and memory (MiB) reservations: the same roots and pools in the same order,
  // so one node id names a node in both.
  ReservationLedger ledger_{cpu_reservations};
  ReservationLedger mem_ledger_{memory_reservations};
  std::vector<ReservationLedger::NodeId> cluster_ledger_;
  std::vector<Host> hosts_;
  // Built once the gauges are registered with their series flags (the first registration
  // of a gauge decides whether it keeps a series).
  std::unique_ptr<memory::MemoryModel> memory_;
  std::vector<Pool> pools_;
  std::vector<std::size_t> pool_order_;  // parents before children
  trace::TraceCache traces_;             // each trace file parsed once; outlives the cursors
  std::vector<Vm> vms_;
  std::vector<bool> marked_;             // hosts whose pools to refresh at the end of the step
  bool refresh_pending_ = false;
};

}  // namespace vdc::models
