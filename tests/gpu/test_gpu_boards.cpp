// The shipped board tables against the published ones, and each published maximum held by
// the placement rules. The expected rows are copied by hand from reference section C.4
// (NVIDIA AI Enterprise "vGPU (C-Series)" tables, G1; T4 Q/B/A from the GRID guide, G3),
// not read from data/gpu/.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "vdc/models/gpu/boards.hpp"
#include "vdc/models/gpu/gpu_rules.hpp"

namespace vdc::models::gpu {
namespace {

struct Published {
  const char* profile;
  int gb;
  int max_equal;  // time-sliced: equal-size maximum; MIG: maximum per GPU
  int max_mixed;  // time-sliced: mixed-size maximum (0: none); MIG: -1
};

// Reference C.4, row by row.
const std::vector<Published> published{
    // A100 PCIe 40GB
    {"A100-40C", 40, 1, 1}, {"A100-20C", 20, 2, 2}, {"A100-10C", 10, 4, 4}, {"A100-8C", 8, 5, 4},
    {"A100-5C", 5, 8, 8}, {"A100-4C", 4, 10, 8},
    {"A100-7-40C", 40, 1, -1}, {"A100-4-20C", 20, 1, -1}, {"A100-3-20C", 20, 2, -1}, {"A100-2-10C", 10, 3, -1},
    {"A100-1-10C", 10, 4, -1}, {"A100-1-5C", 5, 7, -1}, {"A100-1-5CME", 5, 1, -1},
    // A100 PCIe 80GB (A100D)
    {"A100D-80C", 80, 1, 1}, {"A100D-40C", 40, 2, 2}, {"A100D-20C", 20, 4, 4}, {"A100D-16C", 16, 5, 4},
    {"A100D-10C", 10, 8, 8}, {"A100D-8C", 8, 10, 8}, {"A100D-4C", 4, 20, 16},
    {"A100D-7-80C", 80, 1, -1}, {"A100D-4-40C", 40, 1, -1}, {"A100D-3-40C", 40, 2, -1}, {"A100D-2-20C", 20, 3, -1},
    {"A100D-1-20C", 20, 4, -1}, {"A100D-1-10C", 10, 7, -1}, {"A100D-1-10CME", 10, 1, -1},
    // H100 PCIe 80GB
    {"H100-80C", 80, 1, 1}, {"H100-40C", 40, 2, 2}, {"H100-20C", 20, 4, 4}, {"H100-16C", 16, 6, 4},
    {"H100-10C", 10, 8, 8}, {"H100-8C", 8, 10, 8}, {"H100-5C", 5, 16, 16}, {"H100-4C", 4, 20, 16},
    {"H100-7-80C", 80, 1, -1}, {"H100-4-40C", 40, 1, -1}, {"H100-3-40C", 40, 2, -1}, {"H100-2-20C", 20, 3, -1},
    {"H100-1-20C", 20, 4, -1}, {"H100-1-10C", 10, 7, -1}, {"H100-1-10CME", 10, 1, -1},
    // L40S
    {"L40S-48C", 48, 1, 1}, {"L40S-24C", 24, 2, 2}, {"L40S-16C", 16, 3, 2}, {"L40S-12C", 12, 4, 4},
    {"L40S-8C", 8, 6, 4}, {"L40S-6C", 6, 8, 8}, {"L40S-4C", 4, 12, 8},
    // T4 (no mixed-size mode)
    {"T4-16C", 16, 1, 0}, {"T4-8C", 8, 2, 0}, {"T4-4C", 4, 4, 0},
    {"T4-16Q", 16, 1, 0}, {"T4-8Q", 8, 2, 0}, {"T4-4Q", 4, 4, 0}, {"T4-2Q", 2, 8, 0}, {"T4-1Q", 1, 16, 0},
    {"T4-2B", 2, 8, 0}, {"T4-1B", 1, 16, 0}, {"T4-16A", 16, 1, 0}, {"T4-8A", 8, 2, 0},
    // H200 NVL (same maxima in mixed-size mode)
    {"H200-141C", 141, 1, 1}, {"H200-70C", 70, 2, 2}, {"H200-35C", 35, 4, 4}, {"H200-28C", 28, 5, 5},
    {"H200-17C", 17, 8, 8}, {"H200-14C", 14, 10, 10}, {"H200-8C", 8, 16, 16}, {"H200-7C", 7, 20, 20},
    {"H200-4C", 4, 32, 32},
    {"H200-1-18C", 18, 7, -1}, {"H200-2-35C", 35, 3, -1}, {"H200-3-71C", 71, 2, -1},
};

TEST_CASE("the shipped boards hold exactly the published profiles") {
  CHECK(boards().size() == 6);
  std::size_t shipped = 0;
  for (const Board& b : boards()) shipped += b.profiles.size();
  CHECK(shipped == published.size());
  for (const Published& p : published) {
    INFO(p.profile);
    const auto ref = find_profile(p.profile);
    REQUIRE(ref.has_value());
    CHECK(ref->profile->framebuffer_mib == p.gb * 1024.0);
    if (p.max_mixed < 0) {
      CHECK(ref->profile->mig);
      CHECK(ref->profile->max_mig == p.max_equal);
    } else {
      CHECK_FALSE(ref->profile->mig);
      CHECK(ref->profile->max_equal == p.max_equal);
      CHECK(ref->profile->max_mixed == p.max_mixed);
    }
  }
}

TEST_CASE("board framebuffers, modes and names") {
  struct Row {
    const char* name;
    int gb;
    bool mixed;
    bool mig;
  };
  for (const Row& r : {Row{"A100-40GB", 40, true, true}, Row{"A100-80GB", 80, true, true}, Row{"H100-80GB", 80, true, true},
                       Row{"H200-NVL", 141, true, true}, Row{"L40S", 48, true, false}, Row{"T4", 16, false, false}}) {
    INFO(r.name);
    const Board* b = find_board(r.name);
    REQUIRE(b != nullptr);
    CHECK(b->framebuffer_mib == r.gb * 1024.0);
    CHECK(b->mixed == r.mixed);
    CHECK(b->has_mig() == r.mig);
  }
  // The vendor's name with spaces as dashes, in any case (docs/scenario.md "GPUs").
  CHECK(find_board("A100-PCIe-40GB") == find_board("A100-40GB"));
  CHECK(find_board("h100-pcie-80gb") == find_board("H100-80GB"));
  CHECK(find_board("A100-40G") == nullptr);
  CHECK(find_profile("a100-3-20c")->board == find_board("A100-40GB"));
}

TEST_CASE("every published maximum is what a GPU takes, and one more is refused") {
  for (const Published& p : published) {
    INFO(p.profile);
    const auto ref = find_profile(p.profile);
    REQUIRE(ref.has_value());
    const std::vector<std::pair<GpuMode, GpuSizes>> modes =
        p.max_mixed < 0  ? std::vector<std::pair<GpuMode, GpuSizes>>{{GpuMode::mig, GpuSizes::equal}}
        : p.max_mixed > 0 ? std::vector<std::pair<GpuMode, GpuSizes>>{{GpuMode::time_sliced, GpuSizes::equal},
                                                                      {GpuMode::time_sliced, GpuSizes::mixed}}
                          : std::vector<std::pair<GpuMode, GpuSizes>>{{GpuMode::time_sliced, GpuSizes::equal}};
    for (const auto& [mode, sizes] : modes) {
      const int max = sizes == GpuSizes::mixed ? p.max_mixed : p.max_equal;
      PhysicalGpu gpu(*ref->board, mode, sizes);
      for (int k = 0; k < max; ++k) {
        INFO("vGPU " << k + 1 << " of " << max);
        REQUIRE_FALSE(gpu.refusal(ref->profile).has_value());
        gpu.place(static_cast<std::size_t>(k), ref->profile);
      }
      CHECK(gpu.refusal(ref->profile).has_value());
      CHECK(gpu.allocated_mib() == max * p.gb * 1024.0);
    }
  }
}

}  // namespace
}  // namespace vdc::models::gpu

namespace vdc::models::gpu {
namespace {

TEST_CASE("vdcsim describe gpu lists every board with its file and every profile") {
  const std::string text = describe_boards();
  for (const Board& b : boards()) {
    CHECK(text.find(b.name + "  (" + b.full_name) != std::string::npos);
    CHECK(text.find(b.file) != std::string::npos);
    for (const VgpuProfile& p : b.profiles) CHECK(text.find(p.name + " ") != std::string::npos);
  }
  CHECK(text.find("A100-3-20C       MIG 3g.20gb") != std::string::npos);
  CHECK(text.find("starts 0,4") != std::string::npos);
  CHECK(text.find("T4-1Q            time-sliced        1 GB  Q  max 16 equal-size, no mixed-size") != std::string::npos);
}

TEST_CASE("a malformed board file is refused with its line") {
  CHECK_THROWS_WITH_AS((void)parse_board_file("x.txt", "board X\nfull X\narchitecture a\nframebuffer 8\nmixed no\nvgpu X-1C 1 Z 8 -\n"),
                       "x.txt:6: series is not A, B, C or Q", std::runtime_error);
  CHECK_THROWS_AS((void)parse_board_file("x.txt", "vgpu X-1C 1 C 8 -\n"), std::runtime_error);
  // A MIG instance that would run past the 8th memory slice.
  CHECK_THROWS_AS((void)parse_board_file("x.txt", "board X\nfull X\narchitecture a\nframebuffer 8\nmixed no\n"
                                                  "mig X-1-1C 1 2 1 0,7 1 1g\n"),
                  std::runtime_error);
}

}  // namespace
}  // namespace vdc::models::gpu
