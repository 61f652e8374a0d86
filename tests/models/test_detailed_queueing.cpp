// The detailed model against the queueing results of reference D (exponential bursts, so
// the mean ready time does not depend on the order in which ready vCPUs run).
#include <doctest/doctest.h>

#include "cpu_lab.hpp"
#include "scenario_builder.hpp"
#include "vdc/sim/queueing.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;
using namespace vdc::sim::literals;
using Lab = CpuLab<cpu::DetailedHostCpu>;

namespace {

struct Window {
  double run_ns = 0.0, ready_ns = 0.0;
  double bursts = 0.0, wakes = 0.0, waited = 0.0;
};

Window snapshot(const Lab& lab) {
  const auto t = lab.model->total_times();
  const auto& s = lab.model->stats();
  return Window{static_cast<double>(t.run), static_cast<double>(t.ready),
                static_cast<double>(s.bursts), static_cast<double>(s.wakes),
                static_cast<double>(s.waited)};
}

Window operator-(const Window& a, const Window& b) {
  return Window{a.run_ns - b.run_ns, a.ready_ns - b.ready_ns, a.bursts - b.bursts,
                a.wakes - b.wakes, a.waited - b.waited};
}

// `sources` 1-vCPU VMs with exponential bursts of mean `burst` and think times giving
// `load` in total when no one waits, on `lcpus` logical CPUs; measured over `span` after
// `warmup` (all VMs start with a burst at time 0).
Window measure(int lcpus, int sources, double load, sim::Time burst, sim::Time warmup,
               sim::Time span, sim::Time quantum) {
  cpu::CpuParameters p;
  p.quantum = quantum;
  Lab lab(make_host("esx", lcpus, 2000.0), p);
  const double u = load / sources;
  const sim::Time idle = burst * (1.0 / u - 1.0);
  for (int i = 0; i < sources; ++i) {
    lab.add("vm" + std::to_string(i), 1, OnOffCpu{burst, idle, BurstDistribution::exponential});
  }
  lab.sim.run_until(warmup);
  const Window start = snapshot(lab);
  lab.sim.run_until(warmup + span);
  return snapshot(lab) - start;
}

}  // namespace

TEST_CASE("on one logical CPU, Poisson bursts see the processor-sharing mean response burst / (1 - rho)") {
  // Reference D.3. 5000 sources make the arrivals close to Poisson (the finite-source bias
  // is below 0.5% at rho = 0.8); rho and the burst are the measured ones.
  for (const double rho : {0.5, 0.8}) {
    CAPTURE(rho);
    const Window w = measure(1, 5000, rho, 1_ms, 30_s, rho < 0.6 ? 300_s : 600_s, 500_us);
    const double span_ns = rho < 0.6 ? 300e9 : 600e9;
    const double util = w.run_ns / span_ns;
    const double burst = w.run_ns / w.bursts;
    const double response = (w.run_ns + w.ready_ns) / w.bursts;
    CHECK(util == doctest::Approx(rho).epsilon(0.02));
    CHECK(response == doctest::Approx(burst / (1.0 - util)).epsilon(0.03));
  }
}

TEST_CASE("on 4 logical CPUs, the share of bursts that wait and their mean wait follow Erlang C") {
  // Reference D.2, c = 4, rho = 0.7: C = 0.4287, Wq = 0.3572 bursts.
  const Window w = measure(4, 4000, 4 * 0.7, 1_ms, 20_s, 200_s, 250_us);
  const double util = w.run_ns / 200e9 / 4.0;
  const double burst = w.run_ns / w.bursts;
  CHECK(util == doctest::Approx(0.7).epsilon(0.02));
  CHECK(w.waited / w.wakes == doctest::Approx(sim::erlang_c(4, 4 * util)).epsilon(0.03));
  CHECK(w.ready_ns / w.bursts / burst ==
        doctest::Approx(sim::erlang_c_wait(4, 4 * util)).epsilon(0.03));
}

TEST_CASE("N VMs each busy u alone on one logical CPU wait as the closed model of reference D.4") {
  struct Row {
    int n;
    double u, ready;
  };
  for (const Row& r : {Row{6, 0.15, 0.1568}, Row{2, 0.5, 0.2}}) {
    CAPTURE(r.n);
    // Bursts of 1 ms; think times give u when alone.
    const Window w = measure(1, r.n, r.n * r.u, 1_ms, 1_s, 250_s, 250_us);
    CHECK(w.ready_ns / 250e9 / r.n == doctest::Approx(r.ready).epsilon(0.03));
  }
}
