// Stationary distributions of small CTMCs, each solved by hand.
#include <doctest/doctest.h>

#include <stdexcept>

#include "vdc/sim/ctmc.hpp"

using vdc::sim::Ctmc;

TEST_CASE("a two-state chain spends b / (a + b) of its time in the first state") {
  // 0 -> 1 at a = 3, 1 -> 0 at b = 1: balance 3 pi0 = pi1, so pi = (1/4, 3/4).
  Ctmc c(2);
  c.add_rate(0, 1, 3.0);
  c.add_rate(1, 0, 1.0);
  const auto pi = c.stationary();
  CHECK(pi[0] == doctest::Approx(0.25));
  CHECK(pi[1] == doctest::Approx(0.75));
}

TEST_CASE("M/M/1/3: a birth-death chain is geometric in lambda / mu") {
  // lambda = 1, mu = 2: pi_k proportional to (1/2)^k, k = 0..3: (8, 4, 2, 1) / 15.
  Ctmc c(4);
  for (std::size_t k = 0; k < 3; ++k) {
    c.add_rate(k, k + 1, 1.0);
    c.add_rate(k + 1, k, 2.0);
  }
  const auto pi = c.stationary();
  CHECK(pi[0] == doctest::Approx(8.0 / 15.0));
  CHECK(pi[1] == doctest::Approx(4.0 / 15.0));
  CHECK(pi[2] == doctest::Approx(2.0 / 15.0));
  CHECK(pi[3] == doctest::Approx(1.0 / 15.0));
}

TEST_CASE("a cycle holds each state in proportion to its mean sojourn") {
  // 0 -> 1 at 1, 1 -> 2 at 2, 2 -> 0 at 3: equal flow r_i pi_i around the cycle, so
  // pi proportional to (1, 1/2, 1/3) = (6, 3, 2) / 11. Rates added in two parts add up.
  Ctmc c(3);
  c.add_rate(0, 1, 0.5);
  c.add_rate(0, 1, 0.5);
  c.add_rate(1, 2, 2.0);
  c.add_rate(2, 0, 3.0);
  c.add_rate(2, 2, 7.0);  // a self-loop changes nothing
  CHECK(c.rate(0, 1) == 1.0);
  CHECK(c.rate(2, 2) == 0.0);
  const auto pi = c.stationary();
  CHECK(pi[0] == doctest::Approx(6.0 / 11.0));
  CHECK(pi[1] == doctest::Approx(3.0 / 11.0));
  CHECK(pi[2] == doctest::Approx(2.0 / 11.0));
}

TEST_CASE("transient states get nothing; two closed classes have no unique distribution") {
  // 0 -> 1 at 5, then 1 <-> 2 at 1 and 4: state 0 is left for good, pi = (0, 4/5, 1/5).
  Ctmc c(3);
  c.add_rate(0, 1, 5.0);
  c.add_rate(1, 2, 1.0);
  c.add_rate(2, 1, 4.0);
  const auto pi = c.stationary();
  CHECK(pi[0] == doctest::Approx(0.0));
  CHECK(pi[1] == doctest::Approx(0.8));
  CHECK(pi[2] == doctest::Approx(0.2));
  Ctmc split(2);  // no transition: both states absorb
  CHECK_THROWS_AS((void)split.stationary(), std::domain_error);
}

namespace {

/// M/M/1/K with K + 1 states (sparse above 64): pi_k proportional to rho^k, rho = lambda / mu.
vdc::sim::Ctmc birth_death(std::size_t states, double lambda, double mu) {
  vdc::sim::Ctmc c(states);
  for (std::size_t k = 0; k + 1 < states; ++k) {
    c.add_rate(k, k + 1, lambda);
    c.add_rate(k + 1, k, mu);
  }
  return c;
}

}  // namespace

TEST_CASE("a workspace reuses the sparse analysis for the same transitions, with the same answer bit for bit") {
  vdc::sim::CtmcWorkspace ws;
  const auto first = birth_death(100, 1.0, 2.0).stationary(&ws);
  CHECK(ws.reused() == 0);
  // Other rates, same pattern: reused, and exactly what a fresh solve gives.
  const auto again = birth_death(100, 1.0, 4.0).stationary(&ws);
  CHECK(ws.reused() == 1);
  CHECK(again == birth_death(100, 1.0, 4.0).stationary());
  // rho = 1/4: pi_0 = (1 - rho) / (1 - rho^100), pi_1 = rho pi_0.
  CHECK(again[0] == doctest::Approx(0.75));
  CHECK(again[1] == doctest::Approx(0.1875));
  CHECK(first[1] == doctest::Approx(0.25));
  // Another pattern (more states): analysed again.
  const auto other = birth_death(120, 1.0, 2.0).stationary(&ws);
  CHECK(ws.reused() == 1);
  CHECK(other[0] == doctest::Approx(0.5));
}
