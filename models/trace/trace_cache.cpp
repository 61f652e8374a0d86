#include "vdc/models/trace/trace_cache.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "vdc/io/text.hpp"
#include "vdc/models/trace/trace_reader.hpp"

namespace vdc::models::trace {

namespace {

using io::iequals;

/// A bitbrains column by its short name when it has one ("cpu_mhz" for none).
std::string bitbrains_key(const std::string& column) {
  const std::string_view short_name = bitbrains_short_name(column.empty() ? "cpu_mhz" : column);
  return short_name.empty() ? column : std::string(short_name);
}

}  // namespace

std::string canonical_column(const TraceCpu& trace) {
  return trace.format == TraceFormat::bitbrains ? bitbrains_key(trace.column) : trace.column;
}

const TraceSeries& TraceCache::get(const TraceCpu& trace) {
  const std::lock_guard lock(mutex_);
  const std::string column = canonical_column(trace);
  const std::string time_column =
      trace.format == TraceFormat::csv ? trace.time_column : std::string{};
  const Key key{trace.format, trace.file, time_column, column};
  if (const auto it = series_.find(key); it != series_.end()) return *it->second;
  if (const auto it = errors_.find(key); it != errors_.end()) throw it->second;

  switch (trace.format) {
    case TraceFormat::bitbrains: {
      // The spec's memory column comes in the same pass, as its cursor is asked for next.
      std::vector<std::string> names{column};
      if (!trace.memory_column.empty()) {
        std::string memory = bitbrains_key(trace.memory_column);
        const Key memory_key{trace.format, trace.file, time_column, memory};
        if (memory != column && !series_.contains(memory_key) && !errors_.contains(memory_key)) {
          names.push_back(std::move(memory));
        }
      }
      const std::vector<std::string_view> views(names.begin(), names.end());
      auto results = parse_bitbrains_columns(read_trace_file(trace.file), trace.file, views);
      for (std::size_t i = 0; i < names.size(); ++i) {
        store(Key{trace.format, trace.file, time_column, names[i]}, std::move(results[i]));
      }
      if (const auto it = series_.find(key); it != series_.end()) return *it->second;
      throw errors_.at(key);
    }
    case TraceFormat::planetlab: {
      if (!column.empty() && column != "cpu_pct") {
        throw TraceError({trace.file, 0, 0, {}},
                         fmt::format("a planetlab trace has no column '{}'", column),
                         "no column, or cpu_pct: the file holds one percentage per line");
      }
      auto series = parse_planetlab(read_trace_file(trace.file), trace.file);
      return *series_.emplace(key, std::make_unique<TraceSeries>(std::move(series))).first->second;
    }
    case TraceFormat::azure:
    case TraceFormat::csv:
      break;
  }

  if (column.empty()) {
    throw TraceError({trace.file, 0, 0, {}},
                     fmt::format("no column named for this {} trace",
                                 trace.format == TraceFormat::azure ? "azure" : "csv"),
                     trace.format == TraceFormat::azure
                         ? "column: a VM id from the file's header"
                         : "column: the header name of a value column");
  }
  const Key table_key{trace.format, trace.file, time_column, {}};
  auto table = tables_.find(table_key);
  if (table == tables_.end()) {
    load_table(table_key, trace);
    table = tables_.find(table_key);
  }
  if (const auto it = series_.find(key); it != series_.end()) return *it->second;
  if (const auto it = errors_.find(key); it != errors_.end()) throw it->second;
  // Not found under its own spelling: try the file's header case-insensitively.
  for (const std::string& name : table->second) {
    if (iequals(name, column)) {
      const Key exact{trace.format, trace.file, time_column, name};
      if (const auto it = series_.find(exact); it != series_.end()) return *it->second;
      throw errors_.at(exact);
    }
  }
  // A file of a hundred VM columns would make a page of a message: name the first few.
  constexpr std::size_t listed = 12;
  const auto& names = table->second;
  const std::size_t shown = std::min(names.size(), listed);
  const std::string more =
      names.size() > listed ? fmt::format(" and {} more", names.size() - listed) : std::string{};
  throw TraceError({trace.file, 1, 0, {}}, fmt::format("missing column '{}'", column),
                   fmt::format("one of the header's value columns: {}{}",
                               fmt::join(names.begin(),
                                         names.begin() + static_cast<std::ptrdiff_t>(shown), ", "),
                               more));
}

void TraceCache::load_table(const Key& table_key, const TraceCpu& trace) {
  const std::string text = read_trace_file(trace.file);
  TraceTable table = trace.format == TraceFormat::azure
                         ? parse_azure(text, trace.file)
                         : parse_csv(text, trace.file, std::get<2>(table_key));
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    store(Key{trace.format, trace.file, std::get<2>(table_key), table.columns[i]},
          std::move(table.results[i]));
  }
  tables_.emplace(table_key, std::move(table.columns));
}

void TraceCache::store(const Key& key, std::variant<TraceSeries, TraceError>&& result) {
  if (auto* series = std::get_if<TraceSeries>(&result)) {
    series_.emplace(key, std::make_unique<TraceSeries>(std::move(*series)));
  } else {
    errors_.emplace(key, std::move(std::get<TraceError>(result)));
  }
}

std::size_t TraceCache::size() const {
  const std::lock_guard lock(mutex_);
  return series_.size();
}

std::size_t TraceCache::bytes() const {
  const std::lock_guard lock(mutex_);
  std::size_t total = 0;
  for (const auto& [key, series] : series_) total += series->bytes();
  return total;
}

double cpu_demand_factor(const TraceSeries& series, int vcpus, double host_mhz) {
  switch (series.unit()) {
    case TraceUnit::percent:
      return 0.01;
    case TraceUnit::mhz:
      return 1.0 / (static_cast<double>(vcpus) * host_mhz);
    case TraceUnit::kilobytes:
    case TraceUnit::megabytes:
    case TraceUnit::gigabytes:
    case TraceUnit::kilobytes_per_second:
    case TraceUnit::count:
      break;
  }
  throw TraceError({series.source(), 0, 0, {}},
                   fmt::format("the column is in {}, not a CPU measure", to_string(series.unit())),
                   "a CPU column: percent of the VM or MHz used");
}

double memory_mib_factor(const TraceSeries& series, double memory_mib) {
  switch (series.unit()) {
    case TraceUnit::percent:
      return memory_mib / 100.0;
    case TraceUnit::kilobytes:
      return 1.0 / 1024.0;
    case TraceUnit::megabytes:
      return 1.0;
    case TraceUnit::gigabytes:
      return 1024.0;
    case TraceUnit::mhz:
    case TraceUnit::kilobytes_per_second:
    case TraceUnit::count:
      break;
  }
  throw TraceError({series.source(), 0, 0, {}},
                   fmt::format("the column is in {}, not a memory measure",
                               to_string(series.unit())),
                   "a memory column: KB, MB or GB used, or percent of the VM's memory");
}

TraceCursor make_cpu_cursor(TraceCache& cache, const TraceCpu& trace, int vcpus, double host_mhz) {
  const TraceSeries& series = cache.get(trace);
  return TraceCursor(series, trace.offset, trace.scale * cpu_demand_factor(series, vcpus, host_mhz),
                     trace.at_end);
}

TraceCursor make_gpu_cursor(TraceCache& cache, const TraceCpu& trace) {
  const TraceSeries& series = cache.get(trace);
  if (series.unit() != TraceUnit::percent) {
    throw TraceError({series.source(), 0, 0, {}},
                     fmt::format("the GPU demand column is in {}, not a percentage", to_string(series.unit())),
                     "a GPU column: percent of one whole GPU");
  }
  return TraceCursor(series, trace.offset, trace.scale * 0.01, trace.at_end);
}

TraceCursor make_memory_cursor(TraceCache& cache, const TraceCpu& trace, double memory_mib) {
  TraceCpu column = trace;
  column.column = trace.memory_column;
  const TraceSeries& series = cache.get(column);
  return TraceCursor(series, trace.offset, trace.scale * memory_mib_factor(series, memory_mib),
                     trace.at_end);
}

std::vector<TraceError> check_traces(TraceCache& cache, const ScenarioConfig& config) {
  std::vector<TraceError> problems;
  const auto note = [&problems](const TraceError& e) {
    const auto same = [&e](const TraceError& p) { return std::string_view(p.what()) == e.what(); };
    if (std::none_of(problems.begin(), problems.end(), same)) problems.push_back(e);
  };
  const auto attempt = [&note](auto make_cursor) {
    try {
      (void)make_cursor();
    } catch (const TraceError& e) {
      note(e);
    }
  };
  for (const VmConfig& vm : config.vms) {
    if (const auto* gpu = std::get_if<TraceCpu>(&vm.gpu_workload); gpu != nullptr && !vm.vgpus.empty()) {
      attempt([&] { return make_gpu_cursor(cache, *gpu); });
    }
    const auto* spec = std::get_if<TraceCpu>(&vm.cpu_workload);
    if (spec == nullptr) continue;
    // The unit check does not depend on the host's frequency: any positive one will do.
    attempt([&] { return make_cpu_cursor(cache, *spec, vm.vcpus, 1000.0); });
    if (!spec->memory_column.empty()) {
      attempt([&] { return make_memory_cursor(cache, *spec, vm.memory_mib); });
    }
  }
  return problems;
}

}  // namespace vdc::models::trace
