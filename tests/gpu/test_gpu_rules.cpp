// The placement and scheduling rules of reference section C, on hand-computed cases.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "vdc/models/gpu/boards.hpp"
#include "vdc/models/gpu/gpu_rules.hpp"

namespace vdc::models::gpu {
namespace {

const VgpuProfile& profile(const char* name) {
  const auto ref = find_profile(name);
  REQUIRE(ref.has_value());
  return *ref->profile;
}

PhysicalGpu a100(GpuMode mode, GpuSizes sizes = GpuSizes::equal) { return PhysicalGpu(*find_board("A100-40GB"), mode, sizes); }

TEST_CASE("MIG: first fit at the lowest allowed start slot") {
  PhysicalGpu gpu = a100(GpuMode::mig);
  // 3g.20gb starts at 0 or 4 and is 4 memory slices wide (reference C.3).
  CHECK(gpu.place(1, &profile("A100-3-20C")) == 0);
  CHECK(gpu.place(2, &profile("A100-3-20C")) == 4);
  CHECK(gpu.mig_mask() == 0xFF);
  CHECK(gpu.refusal(&profile("A100-1-5C")).has_value());
  gpu.remove(1);
  CHECK(gpu.mig_mask() == 0xF0);
  // 2g.10gb starts at 0, 2 or 4: two fit in the freed half.
  CHECK(gpu.place(3, &profile("A100-2-10C")) == 0);
  CHECK(gpu.place(4, &profile("A100-2-10C")) == 2);
  CHECK(gpu.refusal(&profile("A100-2-10C")).has_value());
}

TEST_CASE("MIG: after one 3g, three 1g instances fit (7 free drop to 3)") {
  // Reference C.3: creating one 3g leaves 3 of the 7 1g.5gb instances; the driver put
  // the 3g at slice 0.
  PhysicalGpu gpu = a100(GpuMode::mig);
  CHECK(gpu.place(0, &profile("A100-3-20C")) == 0);
  int fitted = 0;
  while (!gpu.refusal(&profile("A100-1-5C"))) gpu.place(static_cast<std::size_t>(++fitted), &profile("A100-1-5C"));
  CHECK(fitted == 3);
  // Slice 7 never starts an instance: 4, 5 and 6 were taken.
  CHECK(gpu.mig_mask() == 0x7F);
}

TEST_CASE("MIG: the order of power-ons decides what fits") {
  // 4g.20gb starts only at slice 0: a 1g.5gb placed first (at 0) blocks it.
  PhysicalGpu first_small = a100(GpuMode::mig);
  CHECK(first_small.place(1, &profile("A100-1-5C")) == 0);
  const auto why = first_small.refusal(&profile("A100-4-20C"));
  REQUIRE(why.has_value());
  CHECK(why->find("starts only at slice 0") != std::string::npos);

  PhysicalGpu first_big = a100(GpuMode::mig);
  CHECK(first_big.place(1, &profile("A100-4-20C")) == 0);
  CHECK(first_big.place(2, &profile("A100-1-5C")) == 4);
  // The documented mixed configuration: 4-20C + 2-10C + 1-5C on one A100 40GB (C.2).
  PhysicalGpu documented = a100(GpuMode::mig);
  documented.place(1, &profile("A100-4-20C"));
  CHECK(documented.place(2, &profile("A100-2-10C")) == 4);
  CHECK(documented.place(3, &profile("A100-1-5C")) == 6);
}

TEST_CASE("MIG: the media-engine profile is one per GPU") {
  PhysicalGpu gpu = a100(GpuMode::mig);
  gpu.place(1, &profile("A100-1-5CME"));
  CHECK(gpu.refusal(&profile("A100-1-5CME")).has_value());
  CHECK_FALSE(gpu.refusal(&profile("A100-1-5C")).has_value());
}

TEST_CASE("equal-size mode: every vGPU of a GPU has the same framebuffer") {
  PhysicalGpu gpu = a100(GpuMode::time_sliced);
  gpu.place(1, &profile("A100-10C"));
  const auto why = gpu.refusal(&profile("A100-8C"));
  REQUIRE(why.has_value());
  CHECK(why->find("equal-size") != std::string::npos);
  CHECK_FALSE(gpu.refusal(&profile("A100-10C")).has_value());
  // Same size, another series: T4-4C beside T4-4Q (reference C.2: series may co-reside).
  PhysicalGpu t4(*find_board("T4"), GpuMode::time_sliced, GpuSizes::equal);
  t4.place(1, &profile("T4-4C"));
  CHECK_FALSE(t4.refusal(&profile("T4-4Q")).has_value());
  CHECK(t4.refusal(&profile("T4-8Q")).has_value());
}

TEST_CASE("mixed-size mode: sizes mix up to the framebuffer and each size's mixed maximum") {
  PhysicalGpu gpu = a100(GpuMode::time_sliced, GpuSizes::mixed);
  gpu.place(1, &profile("A100-20C"));
  gpu.place(2, &profile("A100-10C"));
  gpu.place(3, &profile("A100-5C"));
  gpu.place(4, &profile("A100-4C"));
  CHECK(gpu.allocated_mib() == 39 * 1024.0);
  const auto why = gpu.refusal(&profile("A100-4C"));  // 43 GB > 40 GB
  REQUIRE(why.has_value());
  CHECK(why->find("framebuffer") != std::string::npos);
  // L40S-16C: 3 per GPU in equal-size mode, 2 in mixed-size mode, though a third fits in 48 GB.
  PhysicalGpu l40s(*find_board("L40S"), GpuMode::time_sliced, GpuSizes::mixed);
  l40s.place(1, &profile("L40S-16C"));
  l40s.place(2, &profile("L40S-16C"));
  CHECK(l40s.refusal(&profile("L40S-16C")).has_value());
  CHECK_FALSE(l40s.refusal(&profile("L40S-8C")).has_value());
}

TEST_CASE("modes take only their kind of vGPU; passthrough takes the whole GPU") {
  CHECK(a100(GpuMode::time_sliced).refusal(&profile("A100-3-20C")).has_value());
  CHECK(a100(GpuMode::mig).refusal(&profile("A100-4C")).has_value());
  CHECK(a100(GpuMode::mig).refusal(nullptr).has_value());
  PhysicalGpu pt = a100(GpuMode::passthrough);
  CHECK(pt.refusal(&profile("A100-4C")).has_value());
  pt.place(1, nullptr);
  CHECK(pt.allocated_mib() == 40 * 1024.0);
  CHECK(pt.refusal(nullptr).has_value());
  pt.remove(1);
  CHECK_FALSE(pt.refusal(nullptr).has_value());
}

TEST_CASE("time-sliced schedulers on a hand-computed case") {
  // Demands 10%, 50%, 80% of the GPU; three A100-10C vGPUs (4 per GPU: fixed share 25%).
  const std::array<double, 3> demand{0.1, 0.5, 0.8};
  const std::array<double, 3> fixed{0.25, 0.25, 0.25};
  std::array<double, 3> used{};
  // Best effort: 10% is met; the other two share the remaining 90% equally (45% each).
  time_slice(GpuScheduler::best_effort, demand, fixed, used);
  CHECK(used[0] == doctest::Approx(0.10));
  CHECK(used[1] == doctest::Approx(0.45));
  CHECK(used[2] == doctest::Approx(0.45));
  // Equal share among the 3 running vGPUs: at most 1/3 each, idle time not given away.
  time_slice(GpuScheduler::equal_share, demand, fixed, used);
  CHECK(used[0] == doctest::Approx(0.10));
  CHECK(used[1] == doctest::Approx(1.0 / 3.0));
  CHECK(used[2] == doctest::Approx(1.0 / 3.0));
  // Fixed share: 1/4 each whatever runs.
  time_slice(GpuScheduler::fixed_share, demand, fixed, used);
  CHECK(used[0] == doctest::Approx(0.10));
  CHECK(used[1] == doctest::Approx(0.25));
  CHECK(used[2] == doctest::Approx(0.25));
  // Best effort below saturation gives each its demand.
  const std::array<double, 2> light{0.2, 0.3};
  std::array<double, 2> got{};
  time_slice(GpuScheduler::best_effort, light, std::array<double, 2>{0.5, 0.5}, got);
  CHECK(got[0] == doctest::Approx(0.2));
  CHECK(got[1] == doctest::Approx(0.3));
}

TEST_CASE("RmPVMRL decoded from NVIDIA's examples; default time slice by the type's maximum") {
  // Reference C.5: 0x00030001 equal share 3 ms; 0x00180011 fixed share 24 ms;
  // 0x3c3c0001 equal share, averaging 60, 960 Hz; 63 Hz gives a 15.873 ms slice.
  const auto a = decode_rmpvmrl(0x00030001);
  REQUIRE(a.has_value());
  CHECK(a->scheduler == GpuScheduler::equal_share);
  CHECK(time_slice_ms(a, 4, 8) == 3.0);
  const auto b = decode_rmpvmrl(0x00180011);
  REQUIRE(b.has_value());
  CHECK(b->scheduler == GpuScheduler::fixed_share);
  CHECK(time_slice_ms(b, 4, 8) == 24.0);
  const auto c = decode_rmpvmrl(0x3c3c0001);
  REQUIRE(c.has_value());
  CHECK(c->scheduler == GpuScheduler::equal_share);
  CHECK(c->averaging == 60);
  CHECK(c->frequency_hz == 960);
  const auto d = decode_rmpvmrl(0x0003F001);
  REQUIRE(d.has_value());
  CHECK(time_slice_ms(d, 4, 8) == doctest::Approx(15.873).epsilon(1e-4));
  CHECK(decode_rmpvmrl(0x00)->scheduler == GpuScheduler::best_effort);
  CHECK(time_slice_ms(decode_rmpvmrl(0x00), 10, 8) == 1.0);
  // A time slice above 0x1E is capped at 30 ms.
  CHECK(time_slice_ms(decode_rmpvmrl(0x002A0001), 4, 8) == 30.0);
  CHECK_FALSE(decode_rmpvmrl(0x00000005).has_value());
  // Defaults: 2 ms up to 8 per GPU, 1 ms above.
  CHECK(default_slice_ms(8, 8) == 2.0);
  CHECK(default_slice_ms(10, 8) == 1.0);
  CHECK(default_slice_ms(4, 8) == 2.0);
}

}  // namespace
}  // namespace vdc::models::gpu
