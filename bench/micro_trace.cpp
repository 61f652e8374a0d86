// Micro benchmarks of trace replay: parsing (bitbrains, csv table), gunzip, and the cursor
// calls a fluid CPU driver makes per demand change. Inputs are synthetic (a month of
// 5-minute samples), so the benchmark needs no data files.
#include <cstdint>
#include <string>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "vdc/io/file.hpp"
#include "vdc/models/trace/trace_cursor.hpp"
#include "vdc/models/trace/trace_reader.hpp"

namespace {

using vdc::models::TraceEnd;
using vdc::models::trace::TraceCursor;
using vdc::models::trace::TraceSeries;
using vdc::sim::Time;

constexpr int month_rows = 30 * 288;  // 5-minute samples

/// A deterministic pseudo-random value in [0, 1).
double noise(std::uint64_t& state) {
  state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  return static_cast<double>(state >> 11) * 0x1.0p-53;
}

std::string bitbrains_month() {
  std::string text =
      "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage "
      "[%];\t"
      "Memory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\t"
      "Disk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted "
      "throughput [KB/s]\n";
  std::uint64_t state = 42;
  for (int i = 0; i < month_rows; ++i) {
    const double mhz = 20800.0 * noise(state);
    text += fmt::format("{};\t8;\t20800.0;\t{};\t{};\t33554432.0;\t{};\t0.0;\t12.5;\t0.4;\t1.2\n",
                        1372629804 + 300 * i, mhz, mhz / 208.0, 33554432.0 * noise(state));
  }
  return text;
}

void BM_ParseBitbrains(benchmark::State& state) {
  const std::string text = bitbrains_month();
  for (auto _ : state) {
    benchmark::DoNotOptimize(vdc::models::trace::parse_bitbrains(text, "bench", "cpu_mhz"));
  }
  state.SetItemsProcessed(state.iterations() * month_rows);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ParseBitbrains);

void BM_Gunzip(benchmark::State& state) {
  const std::string gz = vdc::io::gzip(bitbrains_month());
  std::int64_t out_bytes = 0;
  for (auto _ : state) {
    const std::string text = vdc::models::trace::gunzip(gz, "bench");
    out_bytes += static_cast<std::int64_t>(text.size());
  }
  state.SetBytesProcessed(out_bytes);
}
BENCHMARK(BM_Gunzip);

void BM_ParseCsvTable(benchmark::State& state) {
  // 100 VM columns of 1,000 rows, like the Azure V1 file.
  std::uint64_t seed = 7;
  std::string text = "timestamp";
  for (int c = 0; c < 100; ++c) text += fmt::format(",vm{}", c);
  text += '\n';
  for (int r = 1; r <= 1000; ++r) {
    text += std::to_string(r);
    for (int c = 0; c < 100; ++c) text += fmt::format(",{:.6f}", 100.0 * noise(seed));
    text += '\n';
  }
  for (auto _ : state) benchmark::DoNotOptimize(vdc::models::trace::parse_azure(text, "bench"));
  state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_ParseCsvTable);

/// One demand change as a driver sees it: the value now, and when it changes next.
void BM_CursorStep(benchmark::State& state) {
  const TraceSeries series =
      vdc::models::trace::parse_bitbrains(bitbrains_month(), "bench", "cpu_mhz");
  TraceCursor cursor(series, Time::zero(), 1.0 / 20800.0, TraceEnd::loop);
  Time t = Time::zero();
  double sum = 0.0;
  for (auto _ : state) {
    sum += cursor.value_at(t);
    t = cursor.next_change(t);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CursorStep);

/// Values at unrelated times (a cursor rebuilt, or a report sampling): binary search.
void BM_CursorRandomAccess(benchmark::State& state) {
  const TraceSeries series =
      vdc::models::trace::parse_bitbrains(bitbrains_month(), "bench", "cpu_mhz");
  TraceCursor cursor(series, Time::zero(), 1.0, TraceEnd::loop);
  std::uint64_t seed = 3;
  double sum = 0.0;
  for (auto _ : state) sum += cursor.value_at(Time::from_seconds(3e6 * noise(seed)));
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CursorRandomAccess);

}  // namespace
