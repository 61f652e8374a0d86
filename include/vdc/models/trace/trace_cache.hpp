#pragma once
/// Parses each trace file once and shares its series among every VM that replays it, and
/// builds the per-VM cursors a CPU driver needs (docs/traces.md "Cache" and "For drivers").

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "vdc/models/inventory.hpp"
#include "vdc/models/trace/trace_cursor.hpp"
#include "vdc/models/trace/trace_error.hpp"
#include "vdc/models/trace/trace_series.hpp"

namespace vdc::models::trace {

/// Series keyed by (format, file, time column, value column). A csv or azure file is read
/// once for all its columns; a bitbrains file once per column asked for, the spec's CPU and
/// memory columns in one pass. References stay valid for the cache's lifetime. Thread-safe:
/// runs of a sweep may share one cache (a parse holds the lock, so parses of different
/// files do not overlap).
class TraceCache {
 public:
  /// The series `trace` names (trace.file is the resolved path). Throws TraceError for an
  /// unreadable or malformed file, a missing column, or a column that cannot be parsed.
  [[nodiscard]] const TraceSeries& get(const TraceCpu& trace);

  /// Number of series held.
  [[nodiscard]] std::size_t size() const;
  /// Bytes held by all series (TraceSeries::bytes summed).
  [[nodiscard]] std::size_t bytes() const;

 private:
  /// (format, file, time column, value column); the value column is empty for a table key.
  using Key = std::tuple<TraceFormat, std::string, std::string, std::string>;

  /// Reads a csv or azure file once, storing every column's series or error under its key.
  void load_table(const Key& table_key, const TraceCpu& trace);
  /// Keeps a reader's result for one column: its series, or the error asking for it raises.
  void store(const Key& key, std::variant<TraceSeries, TraceError>&& result);

  mutable std::mutex mutex_;
  std::map<Key, std::unique_ptr<TraceSeries>> series_;
  std::map<Key, TraceError> errors_;
  /// Header names of the value columns of each csv or azure file read.
  std::map<Key, std::vector<std::string>> tables_;
};

/// The value column `trace` reads, by its canonical name: "cpu_mhz" for a bitbrains trace
/// without a column, a bitbrains header name mapped to its short name, else trace.column.
[[nodiscard]] std::string canonical_column(const TraceCpu& trace);

/// Factor turning a series value into CPU demand per vCPU, as a fraction of one core at
/// `host_mhz`: 1/100 for percent of the VM (the VM's utilisation spread evenly over its
/// vCPUs), 1 / (vcpus * host_mhz) for MHz used by the VM. Throws TraceError (naming the
/// series) for a unit that is not CPU (memory, disk, network, cores).
[[nodiscard]] double cpu_demand_factor(const TraceSeries& series, int vcpus, double host_mhz);

/// The cursor a CPU driver keeps for one VM: value_at(t) is the demand per vCPU as a
/// fraction of one core at `host_mhz` (trace.scale and cpu_demand_factor folded in; not
/// clamped at 1: a trace may ask more than a core gives). Rebuild it when the VM moves to a
/// host of another frequency. Throws TraceError like TraceCache::get and cpu_demand_factor.
[[nodiscard]] TraceCursor make_cpu_cursor(TraceCache& cache, const TraceCpu& trace, int vcpus,
                                          double host_mhz);

/// The cursor the GPU area keeps for one vGPU (`workload.gpu` of kind trace): value_at(t)
/// is its demand as a fraction of one whole GPU (trace.scale folded in). Throws TraceError
/// like TraceCache::get, and for a column that is not a percentage.
[[nodiscard]] TraceCursor make_gpu_cursor(TraceCache& cache, const TraceCpu& trace);

/// Factor turning a series value into MiB of guest memory for a VM of `memory_mib`:
/// 1/1024 for KB, 1 for MB, 1024 for GB (binary units, as VMware counts them), and
/// memory_mib / 100 for percent of the VM's memory. Throws TraceError (naming the series)
/// for a unit that is not memory (MHz, KB/s, cores).
[[nodiscard]] double memory_mib_factor(const TraceSeries& series, double memory_mib);

/// The cursor a memory driver keeps for a VM whose trace names a `memory_column`:
/// value_at(t) is the guest's active memory in MiB (trace.scale and memory_mib_factor
/// folded in; not clamped: the memory model caps it at the VM's memory). Same offset and
/// end policy as the CPU cursor. Throws TraceError like TraceCache::get and
/// memory_mib_factor.
[[nodiscard]] TraceCursor make_memory_cursor(TraceCache& cache, const TraceCpu& trace,
                                             double memory_mib);

/// Reads every trace a scenario's VMs replay, as a run would: each file parsed once, each
/// CPU column checked to be a CPU measure and each memory column a memory measure. Returns
/// the problems found, one per distinct message, in VM order (empty when every trace is
/// usable). Lets `vdcsim validate` report what `vdcsim run` would fail on.
[[nodiscard]] std::vector<TraceError> check_traces(TraceCache& cache, const ScenarioConfig& config);

}  // namespace vdc::models::trace
