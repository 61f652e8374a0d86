// Replay conserves demand on the real traces of shared/data: the integral of a cursor's
// value over the span equals the trace's own integral (piecewise constant between samples),
// computed here by an independent reader (zlib gzgets + strtod).
#include <cstdlib>
#include <sstream>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <zlib.h>

#include "trace_test_util.hpp"
#include "vdc/models/trace/trace_cache.hpp"

using namespace vdc::models::trace;
using vdc::models::TraceCpu;
using vdc::models::TraceEnd;
using vdc::models::TraceFormat;
using vdc::sim::Time;

namespace {

/// Lines of a plain or gzip file.
std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  gzFile f = gzopen(file.c_str(), "rb");
  REQUIRE(f != nullptr);
  char buffer[1 << 14];
  std::string line;
  while (gzgets(f, buffer, sizeof buffer) != nullptr) {
    line += buffer;
    if (!line.empty() && line.back() == '\n') {
      lines.push_back(line);
      line.clear();
    }
  }
  if (!line.empty()) lines.push_back(line);
  gzclose(f);
  return lines;
}

struct OwnIntegral {
  double integral = 0.0;
  double span_s = 0.0;
};

/// Integral of (time, value) pairs with the reader's contract: of equal times the last
/// counts, and the last sample lasts the interval before it (`single_step` when alone).
OwnIntegral integrate(std::vector<std::pair<double, double>> samples, double single_step) {
  std::vector<std::pair<double, double>> distinct;
  for (const auto& s : samples) {
    if (!distinct.empty() && distinct.back().first == s.first) {
      distinct.back().second = s.second;
    } else {
      distinct.push_back(s);
    }
  }
  OwnIntegral out;
  const std::size_t n = distinct.size();
  for (std::size_t i = 0; i + 1 < n; ++i) {
    out.integral += distinct[i].second * (distinct[i + 1].first - distinct[i].first);
  }
  const double last = n >= 2 ? distinct[n - 1].first - distinct[n - 2].first : single_step;
  out.integral += distinct[n - 1].second * last;
  out.span_s = distinct[n - 1].first - distinct[0].first + last;
  return out;
}

double replay_integral(TraceCursor cursor, Time end) {
  double sum = 0.0;
  Time t = Time::zero();
  while (t < end) {
    const double v = cursor.value_at(t);
    const Time next = std::min(cursor.next_change(t), end);
    sum += v * (next - t).seconds();
    t = next;
  }
  return sum;
}

}  // namespace

TEST_CASE("bitbrains replay conserves each VM's MHz-seconds over the month") {
  const auto data = vdc::test::shared_data();
  if (data.empty()) {
    MESSAGE("skipped: " << VDC_SHARED_DATA_DIR
                        << " is absent (it exists only beside a development checkout)");
    return;
  }
  TraceCache cache;
  // 14: the shortest file; 20 and 54: duplicate timestamps and zero-core rows; 1: a plain one.
  for (const char* name : {"1", "14", "20", "54", "77"}) {
    const auto file = data / "bitbrains_rnd/2013-7" / (std::string(name) + ".csv.gz");
    std::vector<std::pair<double, double>> samples;
    for (const std::string& line : read_lines(file)) {
      if (line.starts_with("Timestamp")) continue;
      std::istringstream fields(line);
      std::string t;
      std::string skip;
      std::string mhz;
      std::getline(fields, t, ';');
      for (int i = 0; i < 2; ++i) std::getline(fields, skip, ';');
      std::getline(fields, mhz, ';');
      samples.emplace_back(std::strtod(t.c_str(), nullptr), std::strtod(mhz.c_str(), nullptr));
    }
    const OwnIntegral own = integrate(samples, 300.0);
    const TraceCpu trace{TraceFormat::bitbrains, file.string(), "cpu_mhz", "", {}, 1.0,
                         TraceEnd::stop, {}};
    const TraceSeries& series = cache.get(trace);
    CAPTURE(std::string(name));
    CHECK(series.span() == Time::from_seconds(own.span_s));
    CHECK(series.integral() == doctest::Approx(own.integral).epsilon(1e-6));
    const TraceCursor cursor(series, Time::zero(), 1.0, TraceEnd::stop);
    CHECK(replay_integral(cursor, series.span() * std::int64_t{2}) ==
          doctest::Approx(own.integral).epsilon(1e-6));
    const TraceCursor looped(series, Time::from_seconds(12345.0), 1.0, TraceEnd::loop);
    CHECK(replay_integral(looped, series.span() * std::int64_t{3}) ==
          doctest::Approx(3 * own.integral).epsilon(1e-6));
  }
}

TEST_CASE("planetlab and azure replay conserve percent-seconds") {
  const auto data = vdc::test::shared_data();
  if (data.empty()) {
    MESSAGE("skipped: " << VDC_SHARED_DATA_DIR
                        << " is absent (it exists only beside a development checkout)");
    return;
  }
  TraceCache cache;
  const auto pl = data / "planetlab_cloudsim/20110303/146-179_surfsnel_dsl_internl_net_root";
  std::vector<std::pair<double, double>> pl_samples;
  double t = 0.0;
  for (const std::string& line : read_lines(pl)) {
    pl_samples.emplace_back(t, std::strtod(line.c_str(), nullptr));
    t += 300.0;
  }
  const OwnIntegral pl_own = integrate(pl_samples, 300.0);
  const TraceCpu pl_trace{TraceFormat::planetlab, pl.string(), "", "", {}, 1.0, TraceEnd::stop, {}};
  const TraceSeries& pl_series = cache.get(pl_trace);
  CHECK(pl_series.span() == Time::from_seconds(86400.0));
  CHECK(replay_integral(TraceCursor(pl_series, Time::zero(), 1.0, TraceEnd::stop),
                        pl_series.span()) == doctest::Approx(pl_own.integral).epsilon(1e-6));

  const auto az = data / "azure_v1_datacentersim/microsoft_avg_100.csv.gz";
  const std::vector<std::string> lines = read_lines(az);
  std::vector<std::pair<double, double>> az_samples;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::istringstream fields(lines[i]);
    std::string ts;
    std::string second_vm;
    std::getline(fields, ts, ',');
    std::getline(fields, second_vm, ',');
    std::getline(fields, second_vm, ',');
    az_samples.emplace_back((std::strtod(ts.c_str(), nullptr) - 1.0) * 300.0,
                            std::strtod(second_vm.c_str(), nullptr));
  }
  const OwnIntegral az_own = integrate(az_samples, 300.0);
  const TraceCpu az_trace{TraceFormat::azure, az.string(), "223811", "", {}, 1.0, TraceEnd::stop, {}};
  const TraceSeries& az_series = cache.get(az_trace);
  CHECK(az_series.span() == Time::from_seconds(8004 * 300.0));
  CHECK(replay_integral(TraceCursor(az_series, Time::zero(), 1.0, TraceEnd::stop),
                        az_series.span()) == doctest::Approx(az_own.integral).epsilon(1e-6));
  CHECK(cache.size() == 101);  // the azure file's 100 VM columns, read once, plus planetlab
}
