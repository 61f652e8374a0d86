#include <doctest/doctest.h>

#include "vdc/sim/queueing.hpp"

using namespace vdc::sim;

TEST_CASE("Erlang C matches the M/M/c table of reference D.2") {
  struct Row {
    int c;
    double rho, wait_probability, mean_wait;
  };
  const Row rows[] = {
      {1, 0.5, 0.5, 1.0},         {1, 0.8, 0.8, 4.0},          {2, 0.5, 0.3333, 0.3333},
      {2, 0.8, 0.7111, 1.778},    {4, 0.7, 0.4287, 0.3572},    {8, 0.9, 0.7015, 0.8769},
      {16, 0.95, 0.7802, 0.9752}, {16, 0.5, 0.0090, 0.0011},
  };
  for (const Row& r : rows) {
    CAPTURE(r.c);
    CAPTURE(r.rho);
    CHECK(erlang_c(r.c, r.c * r.rho) == doctest::Approx(r.wait_probability).epsilon(0.002));
    CHECK(erlang_c_wait(r.c, r.c * r.rho) ==
          doctest::Approx(r.mean_wait).epsilon(0.002).scale(1.0));
  }
}

TEST_CASE("the machine-repairman model matches the closed-model table of reference D.4") {
  struct Row {
    int n;
    double u, host_util, ready;
  };
  const Row rows[] = {
      {6, 0.15, 0.7588, 0.1568}, {6, 0.10, 0.5595, 0.0675}, {6, 0.05, 0.2955, 0.0150},
      {2, 0.50, 0.8000, 0.2000}, {4, 0.25, 0.7939, 0.2061},
  };
  for (const Row& r : rows) {
    CAPTURE(r.n);
    CAPTURE(r.u);
    const FiniteSource fs = machine_repairman(r.n, 1, r.u);
    CHECK(fs.run * r.n == doctest::Approx(r.host_util).epsilon(0.001));
    CHECK(fs.ready == doctest::Approx(r.ready).epsilon(0.002));
  }
}

TEST_CASE("the machine-repairman model has no ready time with a server per source") {
  const FiniteSource fs = machine_repairman(4, 4, 0.6);
  CHECK(fs.run == doctest::Approx(0.6));
  CHECK(fs.ready == doctest::Approx(0.0));
}

TEST_CASE("the machine-repairman model stays finite with thousands of sources") {
  const FiniteSource fs = machine_repairman(5000, 64, 0.9);
  CHECK(fs.run * 5000 == doctest::Approx(64.0).epsilon(1e-6));
  CHECK(fs.ready > 0.0);
  CHECK(fs.ready < 1.0);
}
