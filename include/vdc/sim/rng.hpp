#pragma once
/// Random number streams: one root seed per run, one named stream per component, so that
/// adding a component never changes another's draws (docs/architecture.md "The engine"; ns-3's
/// per-component streams). Generator: xoshiro256** 1.0 (Blackman and Vigna, "Scrambled
/// Linear Pseudorandom Number Generators", ACM TOMS 47(4), 2021), seeded through SplitMix64.
/// All distributions are implemented here with IEEE +-*/ and sqrt only (own log and exp),
/// never with std:: distributions or libm, so a seed gives the same numbers everywhere.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace vdc::sim {

/// A named, independent random stream.
class RngStream {
 public:
  /// The stream of component `component_name` in the run seeded with `root_seed`: the
  /// state is SplitMix64 expanded from root_seed mixed with the 64-bit FNV-1a hash of the
  /// name (so the stream depends only on the seed and the name).
  RngStream(std::uint64_t root_seed, std::string_view component_name);

  /// Uniform 64-bit integer (xoshiro256**).
  std::uint64_t next_u64();
  /// Uniform in [0, 1), 53-bit resolution: (next_u64() >> 11) * 2^-53.
  double uniform01();
  /// Uniform in [a, b): a + (b - a) * uniform01().
  double uniform(double a, double b);
  /// Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject); n > 0.
  std::uint64_t below(std::uint64_t n);
  /// Exponential with mean `mean` (> 0): -mean * ln(1 - U).
  double exponential(double mean);
  /// Normal with mean `mean` and standard deviation `sd` (>= 0), Marsaglia's polar method
  /// (the second variate of each pair is kept for the next call).
  double normal(double mean, double sd);
  /// Lognormal with the given mean (> 0) and coefficient of variation cv = sd / mean
  /// (>= 0): exp(N(mu, sigma)) with sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
  double lognormal_mean_cv(double mean, double cv);
  /// Pareto (type I) with shape alpha (> 1) and the given mean (> 0): scale
  /// x_m = mean * (alpha - 1) / alpha, sample x_m * U^(-1/alpha) with U in (0, 1].
  /// The variance is finite only for alpha > 2: x_m^2 alpha / ((alpha - 1)^2 (alpha - 2)).
  double pareto(double alpha, double mean);

  /// An empirical distribution from observed values.
  class Empirical {
   public:
    /// Discrete: returns one of `values`, value i with probability weights[i] / sum
    /// (all equal if `weights` is empty). Weights >= 0 with a positive sum.
    static Empirical discrete(std::vector<double> values, std::vector<double> weights = {});
    /// Continuous, inverse CDF with linear interpolation between the sorted values
    /// v_0 <= ... <= v_{n-1} (n >= 1): the CDF is piecewise linear through (v_i, F_i) with
    /// F_0 = 0, F_{n-1} = 1 and F_i - F_{i-1} proportional to (w_{i-1} + w_i) / 2, so with
    /// equal weights F_i = i / (n - 1) and the mean is (v_0/2 + v_1 + ... + v_{n-2} +
    /// v_{n-1}/2) / (n - 1). The sample always lies in [v_0, v_{n-1}].
    static Empirical interpolated(std::vector<double> values, std::vector<double> weights = {});

    /// One draw, consuming exactly one uniform01() of `rng` (O(log n)).
    double sample(RngStream& rng) const;

    /// Mean of the distribution (exact for the definitions above).
    double mean() const;

   private:
    Empirical() = default;
    std::vector<double> values_;  // sorted
    std::vector<double> cdf_;     // cumulative probability at values_[i] (discrete: up to and including i)
    bool interpolate_ = false;
  };

 private:
  std::array<std::uint64_t, 4> s_{};
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

/// 64-bit FNV-1a hash of `text` (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
std::uint64_t fnv1a64(std::string_view text);
/// Natural logarithm, computed with IEEE +-*/ only (about 1 ulp), identical on every
/// platform; x > 0.
double det_log(double x);
/// e^x, computed with IEEE +-*/ only (about 1 ulp), identical on every platform.
double det_exp(double x);

}  // namespace vdc::sim
