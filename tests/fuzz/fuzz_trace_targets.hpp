#pragma once
// Entry points of the trace fuzz targets, shared by the libFuzzer executables (built with
// VDC_FUZZ under clang) and by the corpus replay test that runs in every build. A reader
// may reject its input with TraceError; anything else (a crash, a sanitizer report, a
// broken replay invariant) is a bug.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>

#include "vdc/models/trace/trace_cursor.hpp"
#include "vdc/models/trace/trace_reader.hpp"

namespace vdc::fuzz {

/// Walks a looping cursor over a parsed series, aborting when a replay invariant breaks:
/// next_change must move forward and values must stay finite and non-negative.
inline void check_replay(const models::trace::TraceSeries& series) {
  models::trace::TraceCursor cursor(series, sim::Time::from_ns(7), 1.0, models::TraceEnd::loop);
  sim::Time t = sim::Time::zero();
  for (int step = 0; step < 256; ++step) {
    const double v = cursor.value_at(t);
    if (!(v >= 0.0) || v > 3.5e38) std::abort();
    const sim::Time next = cursor.next_change(t);
    if (next <= t) std::abort();
    if (next == sim::Time::max()) break;
    t = next;
  }
  const double integral = series.integral();
  if (!(integral >= 0.0)) std::abort();
}

/// Runs `parse` and checks its series; a TraceError is an accepted outcome.
template <typename Parse>
void run_reader(Parse&& parse) {
  try {
    check_replay(parse());
  } catch (const models::trace::TraceError&) {
  }
}

/// The bitbrains reader on arbitrary text: one column picked by the first byte, then that
/// column with the memory column in one pass, which must agree with the single parse.
inline void fuzz_trace_bitbrains(std::string_view data) {
  const auto& columns = models::trace::bitbrains_columns();
  const std::string_view column =
      data.empty() ? "cpu_mhz" : columns[static_cast<unsigned char>(data[0]) % columns.size()];
  run_reader([&] { return models::trace::parse_bitbrains(data, "fuzz", column); });
  const std::string_view pair[] = {column, "mem_kb"};
  try {
    const auto results = models::trace::parse_bitbrains_columns(data, "fuzz", pair);
    for (const auto& r : results) {
      if (const auto* series = std::get_if<models::trace::TraceSeries>(&r)) check_replay(*series);
    }
    // The pair's first result is what the single parse gives.
    if (const auto* series = std::get_if<models::trace::TraceSeries>(&results[0])) {
      const auto single = models::trace::parse_bitbrains(data, "fuzz", column);
      if (single.size() != series->size() || single.span() != series->span()) std::abort();
    }
  } catch (const models::trace::TraceError&) {
  }
}

/// The planetlab reader on arbitrary text.
inline void fuzz_trace_planetlab(std::string_view data) {
  run_reader([&] { return models::trace::parse_planetlab(data, "fuzz"); });
}

/// The azure and csv table readers (and the CSV tokenizer under them) on arbitrary text.
inline void fuzz_trace_table(std::string_view data) {
  for (int mode = 0; mode < 2; ++mode) {
    try {
      const models::trace::TraceTable table = mode == 0
                                                  ? models::trace::parse_azure(data, "fuzz")
                                                  : models::trace::parse_csv(data, "fuzz", "");
      if (table.results.size() != table.columns.size()) std::abort();
      for (const auto& r : table.results) {
        if (const auto* s = std::get_if<models::trace::TraceSeries>(&r)) check_replay(*s);
      }
    } catch (const models::trace::TraceError&) {
    }
  }
}

/// zlib decompression of arbitrary bytes, then the bitbrains reader on what comes out.
inline void fuzz_trace_gzip(std::string_view data) {
  try {
    const std::string text = models::trace::gunzip(data, "fuzz");
    fuzz_trace_bitbrains(text);
  } catch (const models::trace::TraceError&) {
  }
}

}  // namespace vdc::fuzz
