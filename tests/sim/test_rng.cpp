#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

#include "vdc/sim/rng.hpp"

using namespace vdc::sim;

namespace {

constexpr int n = 200'000;

struct Moments {
  double mean = 0.0;
  double var = 0.0;
};

template <class F>
Moments moments(F&& draw) {
  // Welford's algorithm.
  double mean = 0.0, m2 = 0.0;
  for (int i = 1; i <= n; ++i) {
    const double x = draw();
    const double d = x - mean;
    mean += d / i;
    m2 += d * (x - mean);
  }
  return {mean, m2 / (n - 1)};
}

}  // namespace

TEST_CASE("fnv1a64 matches the published test vectors") {
  CHECK(fnv1a64("") == 0xcbf29ce484222325u);
  CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cu);
  CHECK(fnv1a64("foobar") == 0x85944171f73967e8u);
}

TEST_CASE("a stream's first outputs are pinned for a fixed seed and name") {
  // Pinned values (checked against an independent implementation of SplitMix64, FNV-1a
  // and xoshiro256**): any change to seeding, the generator or the distributions changes
  // every scenario's results, and must be deliberate.
  RngStream rng(42, "vm01.cpu");
  const std::array<std::uint64_t, 3> expected = {0x0b42e32b72a54e7eu, 0x675b07dea11839b4u,
                                                 0x8b34899efd827174u};
  std::array<std::uint64_t, 3> got{};
  for (auto& g : got) g = rng.next_u64();
  CHECK(got == expected);
  RngStream again(42, "vm01.cpu");
  CHECK(again.uniform01() == static_cast<double>(expected[0] >> 11) * 0x1.0p-53);
  RngStream dist(42, "vm01.cpu");
  const double e = dist.exponential(1.0);
  const double z = dist.normal(0.0, 1.0);
  const double l = dist.lognormal_mean_cv(100.0, 0.5);
  const double p = dist.pareto(3.0, 6.0);
  CHECK(e == 0x1.7086ff91d5dcap-5);
  CHECK(z == -0x1.227704189c142p+1);
  CHECK(l == 0x1.233ca7d492975p+7);
  CHECK(p == 0x1.1af6258b19ec3p+2);
}

TEST_CASE("streams depend on both the seed and the component name") {
  RngStream a(1, "host01"), b(1, "host02"), c(2, "host01"), d(1, "host01");
  const std::uint64_t xa = a.next_u64();
  CHECK(xa != b.next_u64());
  CHECK(xa != c.next_u64());
  CHECK(xa == d.next_u64());
}

TEST_CASE("the deterministic log and exp agree with libm to within 1 ulp") {
  CHECK(det_log(1.0) == 0.0);
  CHECK(det_exp(0.0) == 1.0);
  CHECK(det_exp(-800.0) == 0.0);
  CHECK(std::isinf(det_exp(800.0)));
  RngStream rng(3, "test.detmath");
  bool ok = true;
  for (int i = 0; i < 10'000; ++i) {
    const double x = det_exp(rng.uniform(-700.0, 700.0));
    const double l = det_log(x);
    ok = ok && std::abs(l - std::log(x)) <= std::abs(std::log(x)) * 2.3e-16;
    const double y = rng.uniform(-700.0, 700.0);
    ok = ok && std::abs(det_exp(y) - std::exp(y)) <= std::exp(y) * 2.3e-16;
  }
  CHECK(ok);
  CHECK(det_log(4.9406564584124654e-324) == doctest::Approx(-744.44007192138126));  // subnormal
}

TEST_CASE("uniform draws stay in range and below is unbiased") {
  RngStream rng(5, "test.uniform");
  bool in_range = true;
  std::array<int, 6> counts{};
  for (int i = 0; i < 600'000; ++i) {
    const double u = rng.uniform01();
    in_range = in_range && u >= 0.0 && u < 1.0;
    ++counts[rng.below(6)];
  }
  CHECK(in_range);
  // Each face: 100,000 expected, sd sqrt(600k * 1/6 * 5/6) = 288.7; allow 5 sd.
  for (const int c : counts) CHECK(std::abs(c - 100'000) < 1444);
  // Uniform(2, 5): mean 3.5, variance 9/12 = 0.75; sd of the mean sqrt(0.75/n) = 0.0019.
  const Moments m = moments([&] { return rng.uniform(2.0, 5.0); });
  CHECK(m.mean == doctest::Approx(3.5).epsilon(0.01 / 3.5));
  CHECK(m.var == doctest::Approx(0.75).epsilon(0.02));
}

TEST_CASE("exponential draws have the requested mean and variance") {
  // Mean 2, variance 4. sd of the sample mean 2/sqrt(n) = 0.0045 (tolerance 0.025, 5.6 sd);
  // sd of the sample variance sqrt((mu4 - sigma^4)/n) = sqrt(8 * 16 / n) = 0.025
  // (tolerance 0.15, 6 sd).
  RngStream rng(11, "test.exponential");
  const Moments m = moments([&] { return rng.exponential(2.0); });
  CHECK(std::abs(m.mean - 2.0) < 0.025);
  CHECK(std::abs(m.var - 4.0) < 0.15);
}

TEST_CASE("normal draws have the requested mean and standard deviation") {
  // N(10, 3): sd of the sample mean 3/sqrt(n) = 0.0067 (tolerance 0.035); sd of the
  // sample variance sqrt(2 * 81 / n) = 0.028 (tolerance 0.15).
  RngStream rng(12, "test.normal");
  const Moments m = moments([&] { return rng.normal(10.0, 3.0); });
  CHECK(std::abs(m.mean - 10.0) < 0.035);
  CHECK(std::abs(m.var - 9.0) < 0.15);
}

TEST_CASE("lognormal draws have the requested mean and coefficient of variation") {
  // Mean 100, cv 0.5 (sd 50): sd of the sample mean 50/sqrt(n) = 0.11 (tolerance 0.6);
  // sigma^2 = ln 1.25, excess kurtosis 5.03, so the sample variance has sd
  // 2500 * sqrt(7.03 / n) = 14.8 (tolerance 75, i.e. 3%).
  RngStream rng(13, "test.lognormal");
  const Moments m = moments([&] { return rng.lognormal_mean_cv(100.0, 0.5); });
  CHECK(std::abs(m.mean - 100.0) < 0.6);
  CHECK(std::abs(m.var - 2500.0) < 75.0);
  CHECK(rng.lognormal_mean_cv(7.0, 0.0) == 7.0);
}

TEST_CASE("pareto draws have the requested mean and the scale that implies") {
  // alpha 5, mean 5: scale x_m = 5 * 4/5 = 4, variance 16 * 5 / (16 * 3) = 5/3.
  // sd of the sample mean sqrt(5/3 / n) = 0.0029 (tolerance 0.015); the sample variance
  // has sd (5/3) sqrt(72.8 / n) = 0.032 (excess kurtosis 70.8; tolerance 0.16).
  RngStream rng(14, "test.pareto");
  double smallest = 1e300;
  const Moments m = moments([&] {
    const double x = rng.pareto(5.0, 5.0);
    smallest = std::min(smallest, x);
    return x;
  });
  CHECK(std::abs(m.mean - 5.0) < 0.015);
  CHECK(std::abs(m.var - 5.0 / 3.0) < 0.16);
  CHECK(smallest >= 4.0);
  CHECK(smallest < 4.001);
  // alpha 3, mean 6 (x_m = 4, variance 12): sd of the sample mean 0.0077 (tolerance 0.04).
  const Moments heavy = moments([&] { return rng.pareto(3.0, 6.0); });
  CHECK(std::abs(heavy.mean - 6.0) < 0.04);
}

TEST_CASE("a discrete empirical distribution picks values by weight") {
  // Values 1, 2, 3 with weights 1, 1, 2: probabilities 1/4, 1/4, 1/2, mean 2.25.
  // sd of a sample proportion of 1/4: sqrt(0.25 * 0.75 / n) = 0.00097 (tolerance 0.005).
  const auto e = RngStream::Empirical::discrete({3.0, 1.0, 2.0}, {2.0, 1.0, 1.0});
  CHECK(e.mean() == 2.25);
  RngStream rng(15, "test.empirical.discrete");
  std::array<int, 4> counts{};
  for (int i = 0; i < n; ++i) ++counts[static_cast<std::size_t>(e.sample(rng))];
  CHECK(counts[0] == 0);
  CHECK(std::abs(counts[1] / double(n) - 0.25) < 0.005);
  CHECK(std::abs(counts[2] / double(n) - 0.25) < 0.005);
  CHECK(std::abs(counts[3] / double(n) - 0.5) < 0.005);
}

TEST_CASE("an interpolated empirical distribution is linear between the sorted values") {
  // Values 0, 10, 20, 40 equally weighted: CDF 0, 1/3, 2/3, 1 at them, so three uniform
  // segments of probability 1/3; mean (0/2 + 10 + 20 + 40/2) / 3 = 50/3, median 15,
  // E[X^2] = (100/3 + 700/3 + 2800/3) / 3 = 400, variance 400 - 2500/9 = 122.2,
  // sd of the sample mean sqrt(122.2 / n) = 0.025 (tolerance 0.125).
  const auto e = RngStream::Empirical::interpolated({40.0, 0.0, 20.0, 10.0});
  CHECK(e.mean() == doctest::Approx(50.0 / 3.0));
  RngStream rng(16, "test.empirical.interpolated");
  int below_median = 0;
  bool in_range = true;
  const Moments m = moments([&] {
    const double x = e.sample(rng);
    below_median += x < 15.0 ? 1 : 0;
    in_range = in_range && x >= 0.0 && x <= 40.0;
    return x;
  });
  CHECK(in_range);
  CHECK(std::abs(m.mean - 50.0 / 3.0) < 0.125);
  CHECK(std::abs(m.var - 1100.0 / 9.0) < 2.5);
  CHECK(std::abs(below_median / double(n) - 0.5) < 0.005);
  // Weights 1, 1, 2 on 0, 10, 20: segment probabilities (1+1)/2 : (1+2)/2 = 0.4 : 0.6,
  // mean 0.4 * 5 + 0.6 * 15 = 11.
  const auto w = RngStream::Empirical::interpolated({0.0, 10.0, 20.0}, {1.0, 1.0, 2.0});
  CHECK(w.mean() == doctest::Approx(11.0));
  const Moments mw = moments([&] { return w.sample(rng); });
  CHECK(std::abs(mw.mean - 11.0) < 0.05);
  // A single value is returned as is.
  CHECK(RngStream::Empirical::interpolated({4.0}).sample(rng) == 4.0);
}
