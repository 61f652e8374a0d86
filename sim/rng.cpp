#include "vdc/sim/rng.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <numeric>
#include <utility>

namespace vdc::sim {
namespace {

/// SplitMix64 (Steele, Lea and Flood 2014), the seeding generator recommended for xoshiro.
std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

__extension__ using Uint128 = unsigned __int128;

// fdlibm (Sun Microsystems, 1993) e_log.c and e_exp.c constants; both routines use only
// IEEE-exact operations, so they give the same bits on every conforming platform.
constexpr double ln2_hi = 6.93147180369123816490e-01;
constexpr double ln2_lo = 1.90821492927058770002e-10;
constexpr double inv_ln2 = 1.44269504088896338700e+00;
constexpr double lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01,
                 lg3 = 2.857142874366239149e-01, lg4 = 2.222219843214978396e-01,
                 lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01,
                 lg7 = 1.479819860511658591e-01;
constexpr double p1 = 1.66666666666666019037e-01, p2 = -2.77777777770155933842e-03,
                 p3 = 6.61375632143793436117e-05, p4 = -1.65339022054652515390e-06,
                 p5 = 4.13813679705723846039e-08;
constexpr double sqrt_half = 0.70710678118654752440;

}  // namespace

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325u;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3u;
  }
  return h;
}

double det_log(double x) {
  assert(x > 0.0 && std::isfinite(x));
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)); exact. Taken from the bits for a normal x
  // (std::frexp's result without its call: every exponential draw comes here), from
  // std::frexp's for a subnormal one. Whether m is doubled (m < sqrt(1/2) in [0.5, 1)) is
  // a comparison of mantissas and an exponent of 0x3FE or 0x3FF: no branch on it, as
  // about two draws in five are doubled, in no pattern a predictor could learn.
  auto bits = std::bit_cast<std::uint64_t>(x);
  const auto biased = static_cast<int>(bits >> 52);  // x > 0: no sign bit
  int e = biased - 1022;
  if (biased == 0) bits = std::bit_cast<std::uint64_t>(std::frexp(x, &e));
  constexpr std::uint64_t mantissa = 0x000F'FFFF'FFFF'FFFFu;
  const std::uint64_t frac = bits & mantissa;
  const std::uint64_t doubled =
      frac < (std::bit_cast<std::uint64_t>(sqrt_half) & mantissa) ? 1 : 0;
  e -= static_cast<int>(doubled);
  const double m = std::bit_cast<double>(frac | ((0x3FEu + doubled) << 52));
  // log(m) = log(1 + f).
  const double f = m - 1.0;
  const double k = static_cast<double>(e);
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w = z * z;
  const double t1 = w * (lg2 + w * (lg4 + w * lg6));
  const double t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
  const double r = t2 + t1;
  const double hfsq = 0.5 * f * f;
  return k * ln2_hi - ((hfsq - (s * (hfsq + r) + k * ln2_lo)) - f);
}

double det_exp(double x) {
  assert(!std::isnan(x));
  if (x > 7.09782712893383973096e+02) return HUGE_VAL;
  if (x < -7.45133219101941108420e+02) return 0.0;
  // x = k ln2 + r, |r| <= ln2 / 2.
  const int k = static_cast<int>(inv_ln2 * x + (x < 0.0 ? -0.5 : 0.5));
  const double kd = static_cast<double>(k);
  const double hi = x - kd * ln2_hi;
  const double lo = kd * ln2_lo;
  const double r = hi - lo;
  const double t = r * r;
  const double c = r - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))));
  const double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  return std::ldexp(y, k);  // exact scaling (one IEEE rounding if subnormal)
}

RngStream::RngStream(std::uint64_t root_seed, std::string_view component_name) {
  std::uint64_t mix = root_seed;
  std::uint64_t state = splitmix64(mix) ^ fnv1a64(component_name);
  for (std::uint64_t& word : s_) word = splitmix64(state);
  assert((s_[0] | s_[1] | s_[2] | s_[3]) != 0);
}

std::uint64_t RngStream::next_u64() {
  const std::uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

double RngStream::uniform01() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double RngStream::uniform(double a, double b) {
  return a + (b - a) * uniform01();
}

std::uint64_t RngStream::below(std::uint64_t n) {
  // Lemire, "Fast Random Integer Generation in an Interval", ACM TOMACS 29(1), 2019.
  assert(n > 0);
  Uint128 m = static_cast<Uint128>(next_u64()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<Uint128>(next_u64()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double RngStream::exponential(double mean) {
  assert(mean > 0.0);
  return -mean * det_log(1.0 - uniform01());
}

double RngStream::normal(double mean, double sd) {
  assert(sd >= 0.0);
  if (has_spare_) {
    has_spare_ = false;
    return mean + sd * spare_normal_;
  }
  double u = 0.0, v = 0.0, s = 0.0;
  do {
    u = 2.0 * uniform01() - 1.0;
    v = 2.0 * uniform01() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double scale = std::sqrt(-2.0 * det_log(s) / s);
  spare_normal_ = v * scale;
  has_spare_ = true;
  return mean + sd * u * scale;
}

double RngStream::lognormal_mean_cv(double mean, double cv) {
  assert(mean > 0.0 && cv >= 0.0);
  if (cv == 0.0) return mean;  // degenerate: no draw
  const double sigma2 = det_log(1.0 + cv * cv);
  const double mu = det_log(mean) - 0.5 * sigma2;
  return det_exp(mu + std::sqrt(sigma2) * normal(0.0, 1.0));
}

double RngStream::pareto(double alpha, double mean) {
  assert(alpha > 1.0 && mean > 0.0);
  const double scale = mean * (alpha - 1.0) / alpha;
  const double u = 1.0 - uniform01();  // (0, 1]
  return scale * det_exp(-det_log(u) / alpha);
}

namespace {

/// Sorts (value, weight) pairs by value; equal weights if `weights` is empty.
void sort_pairs(std::vector<double>& values, std::vector<double>& weights) {
  assert(!values.empty());
  if (weights.empty()) weights.assign(values.size(), 1.0);
  assert(weights.size() == values.size());
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> v(values.size()), w(values.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    v[i] = values[order[i]];
    w[i] = weights[order[i]];
    assert(w[i] >= 0.0 && std::isfinite(v[i]));
  }
  values = std::move(v);
  weights = std::move(w);
}

}  // namespace

RngStream::Empirical RngStream::Empirical::discrete(std::vector<double> values,
                                                     std::vector<double> weights) {
  sort_pairs(values, weights);
  Empirical e;
  e.cdf_ = std::move(weights);
  std::partial_sum(e.cdf_.begin(), e.cdf_.end(), e.cdf_.begin());
  const double total = e.cdf_.back();
  assert(total > 0.0);
  for (double& c : e.cdf_) c /= total;
  e.cdf_.back() = 1.0;
  e.values_ = std::move(values);
  return e;
}

RngStream::Empirical RngStream::Empirical::interpolated(std::vector<double> values,
                                                         std::vector<double> weights) {
  sort_pairs(values, weights);
  Empirical e;
  e.interpolate_ = true;
  e.cdf_.assign(values.size(), 0.0);
  for (std::size_t i = 1; i < values.size(); ++i) {
    e.cdf_[i] = e.cdf_[i - 1] + 0.5 * (weights[i - 1] + weights[i]);
  }
  const double total = e.cdf_.back();
  if (values.size() > 1) {
    assert(total > 0.0);
    for (double& c : e.cdf_) c /= total;
    e.cdf_.back() = 1.0;
  }
  e.values_ = std::move(values);
  return e;
}

double RngStream::Empirical::sample(RngStream& rng) const {
  const double u = rng.uniform01();
  // First CDF point above u; u < 1 = cdf_.back(), so it exists (discrete case).
  const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  const auto i = static_cast<std::size_t>(it - cdf_.begin());
  if (!interpolate_) return values_[i];
  if (values_.size() == 1) return values_[0];
  // u lies in [cdf_[i-1], cdf_[i]), a segment of positive probability.
  const double f0 = cdf_[i - 1];
  const double f1 = cdf_[i];
  return values_[i - 1] + (u - f0) / (f1 - f0) * (values_[i] - values_[i - 1]);
}

double RngStream::Empirical::mean() const {
  double m = 0.0;
  if (!interpolate_) {
    double prev = 0.0;
    for (std::size_t i = 0; i < values_.size(); ++i) {
      m += (cdf_[i] - prev) * values_[i];
      prev = cdf_[i];
    }
    return m;
  }
  if (values_.size() == 1) return values_[0];
  for (std::size_t i = 1; i < values_.size(); ++i) {
    m += (cdf_[i] - cdf_[i - 1]) * 0.5 * (values_[i - 1] + values_[i]);
  }
  return m;
}

}  // namespace vdc::sim
