#include <doctest/doctest.h>

#include <memory>
#include <vector>

#include "vdc/sim/simulator.hpp"

using namespace vdc::sim;
using namespace vdc::sim::literals;

TEST_CASE("the clock advances to each event's time") {
  Simulator sim;
  std::vector<Time> seen;
  sim.at(2_s, [&] { seen.push_back(sim.now()); });
  sim.at(1_s, [&] {
    seen.push_back(sim.now());
    sim.after(500_ms, [&] { seen.push_back(sim.now()); });  // at 1.5 s
  });
  CHECK(sim.next_event_time() == 1_s);
  sim.run();
  CHECK(seen == std::vector<Time>{1_s, 1500_ms, 2_s});
  CHECK(sim.now() == 2_s);
  CHECK(sim.events_processed() == 3);
  CHECK(sim.pending_events() == 0);
  CHECK(sim.next_event_time() == Time::max());
}

TEST_CASE("run_until runs events at exactly the end time and stops the clock there") {
  Simulator sim;
  std::vector<int> log;
  sim.at(10_s, [&] { log.push_back(10); });
  sim.at(20_s, [&] { log.push_back(20); });
  sim.at(21_s, [&] { log.push_back(21); });
  sim.run_until(20_s);
  CHECK(log == std::vector<int>{10, 20});
  CHECK(sim.now() == 20_s);
  sim.run_until(20500_ms);
  CHECK(sim.now() == 20500_ms);  // no event, the clock still moves
  sim.run();
  CHECK(log == std::vector<int>{10, 20, 21});
  CHECK(sim.now() == 21_s);
}

TEST_CASE("stop returns after the current handler and run resumes later") {
  Simulator sim;
  std::vector<int> log;
  sim.at(1_s, [&] { log.push_back(1); sim.stop(); log.push_back(2); });
  sim.at(2_s, [&] { log.push_back(3); });
  sim.run();
  CHECK(log == std::vector<int>{1, 2});
  CHECK(sim.now() == 1_s);
  CHECK(sim.pending_events() == 1);
  sim.run();
  CHECK(log == std::vector<int>{1, 2, 3});
}

TEST_CASE("stop inside run_until leaves the clock at the stopping event") {
  Simulator sim;
  sim.at(3_s, [&] { sim.stop(); });
  sim.at(4_s, [] {});
  sim.run_until(10_s);
  CHECK(sim.now() == 3_s);
  sim.run_until(10_s);
  CHECK(sim.now() == 10_s);
  CHECK(sim.events_processed() == 2);
}

TEST_CASE("a cancelled event does not run and is not counted") {
  Simulator sim;
  int hits = 0;
  const EventId id = sim.after(5_ms, [&] { ++hits; });
  sim.after(6_ms, [&] { hits += 10; });
  CHECK(sim.pending(id));
  CHECK(sim.cancel(id));
  CHECK_FALSE(sim.cancel(id));
  sim.run();
  CHECK(hits == 10);
  CHECK(sim.events_processed() == 1);
}

TEST_CASE("equal-time events at the simulator run by priority then insertion") {
  Simulator sim;
  std::vector<int> log;
  sim.at(1_s, [&] { log.push_back(1); });
  sim.at(1_s, [&] { log.push_back(2); }, -5);
  sim.after(1_s, [&] { log.push_back(3); });
  sim.run();
  CHECK(log == std::vector<int>{2, 1, 3});
}

namespace {

Process blink(Simulator& sim, std::vector<Time>& log, int times) {
  for (int i = 0; i < times; ++i) {
    log.push_back(sim.now());
    co_await sim.timeout(1_s);
  }
  log.push_back(sim.now());
}

/// Sets a flag when destroyed, to observe a coroutine frame's destruction.
struct Witness {
  std::shared_ptr<bool> destroyed;
  ~Witness() { *destroyed = true; }
};

Process wait_forever(Simulator& sim, std::shared_ptr<bool> destroyed) {
  Witness w{std::move(destroyed)};
  co_await sim.timeout(1_h);
  co_await sim.timeout(1_h);
}

}  // namespace

TEST_CASE("a coroutine process waits on simulated timeouts") {
  Simulator sim;
  std::vector<Time> log;
  sim.at(500_ms, [&] { blink(sim, log, 3); });  // at 0.5, 1.5, 2.5, then ends at 3.5 s
  sim.run();
  CHECK(log == std::vector<Time>{500_ms, 1500_ms, 2500_ms, 3500_ms});
  CHECK(sim.now() == 3500_ms);
}

TEST_CASE("a zero timeout continues without suspending") {
  Simulator sim;
  std::vector<Time> log;
  auto proc = [](Simulator& s, std::vector<Time>& l) -> Process {
    co_await s.timeout(Time::zero());
    l.push_back(s.now());
  };
  proc(sim, log);
  CHECK(log == std::vector<Time>{Time::zero()});
  CHECK(sim.pending_events() == 0);
}

TEST_CASE("a suspended process is freed with the simulator") {
  auto destroyed = std::make_shared<bool>(false);
  {
    Simulator sim;
    wait_forever(sim, destroyed);
    sim.run_until(90_min);  // resumed once, suspended again
    CHECK_FALSE(*destroyed);
  }
  CHECK(*destroyed);
}
