// The GPU keys of a scenario: what loads, and each refused configuration with its
// position and did-you-mean, all reported at once.
#include <doctest/doctest.h>

#include <string>

#include "vdc/scenario/loader.hpp"

namespace vdc::scenario {
namespace {

std::string joined(const LoadResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.message + "\n";
  return out;
}

LoadResult load(const std::string& body) { return load_string("name: t\nduration: 1h\n" + body, "t.yaml"); }

TEST_CASE("GPU keys load into the configuration") {
  const LoadResult r = load(
      "host_profiles:\n"
      "  g: {memory: 512 GiB, gpus: [{model: A100-PCIe-40GB, count: 2, mode: mig}, {model: L40S, sizes: mixed, RmPVMRL: 0x00030001}]}\n"
      "hosts:\n  - {name: esx01, profile: g}\n"
      "vms:\n"
      "  - {name: a, memory: 4 GiB, vgpus: [{profile: a100-3-20c}], workload: {gpu: {kind: diurnal, mean: 40%}}}\n"
      "  - {name: b, memory: 4 GiB, vgpus: [{profile: L40S-8C}, {profile: L40S-8C}]}\n");
  INFO(joined(r));
  REQUIRE(r.ok());
  const models::HostConfig& h = r.config->hosts.front();
  REQUIRE(h.gpus.size() == 2);
  CHECK(h.gpus[0].model == "A100-40GB");
  CHECK(h.gpus[0].count == 2);
  CHECK(h.gpus[0].mode == models::GpuMode::mig);
  CHECK(h.gpus[1].sizes == models::GpuSizes::mixed);
  CHECK(h.gpus[1].scheduler == models::GpuScheduler::equal_share);
  CHECK(h.gpus[1].rmpvmrl == 0x00030001u);
  CHECK(r.config->vms[0].vgpus.front().profile == "A100-3-20C");
  CHECK(std::holds_alternative<models::DiurnalCpu>(r.config->vms[0].gpu_workload));
  CHECK(r.config->vms[1].vgpus.size() == 2);
}

TEST_CASE("every refused GPU configuration, at its line and column, all at once") {
  const LoadResult r = load(
      "host_profiles:\n"
      "  g:\n"
      "    memory: 512 GiB\n"
      "    gpus:\n"
      "      - {model: A100-40G}\n"                                   // 7: unknown board
      "      - {model: T4, mode: mig}\n"                              // 8: MIG on a T4
      "      - {model: T4, sizes: mixed}\n"                           // 9: mixed sizes on Turing
      "      - {model: L40S, sizes: mixed, scheduler: fixed_share}\n" // 10: fixed share, mixed sizes
      "hosts:\n  - {name: esx01, profile: g}\n"
      "vms:\n"
      "  - {name: a, vgpus: [{profile: A100-4CC}]}\n"                 // 14: unknown profile
      "  - {name: b, vgpus: [{profile: T4-4C}, {profile: L40S-4C}]}\n" // 15: two boards
      "  - {name: c, vgpus: [{profile: H100-4C}]}\n"                  // 16: a profile of another board
      "  - {name: d, vgpus: [{profile: L40S}]}\n");                   // 17: a board as a profile
  CHECK_FALSE(r.ok());
  const std::string all = joined(r);
  INFO(all);
  CHECK(all.find("t.yaml:7:17: error: unknown GPU board 'A100-40G'") != std::string::npos);
  CHECK(all.find("did you mean 'A100-40GB'?") != std::string::npos);
  CHECK(all.find("t.yaml:8:27: error: MIG mode on a T4") != std::string::npos);
  CHECK(all.find("t.yaml:9:28: error: mixed-size mode on a T4 (turing)") != std::string::npos);
  CHECK(all.find("t.yaml:10:48: error: fixed share with mixed sizes") != std::string::npos);
  CHECK(all.find("t.yaml:14:33: error: unknown vGPU profile 'A100-4CC'") != std::string::npos);
  CHECK(all.find("t.yaml:15:51: error: 'L40S-4C' beside a vGPU of another board") != std::string::npos);
  CHECK(all.find("t.yaml:16:22: error: 'H100-4C' is of board H100-80GB, and host 'esx01' has no H100-80GB GPU") !=
        std::string::npos);
  CHECK(all.find("t.yaml:17:33: error: unknown vGPU profile 'L40S'; 'L40S' is a board") != std::string::npos);
}

TEST_CASE("a MIG profile needs a GPU in MIG mode; the tasks kind is not a GPU workload") {
  const LoadResult r = load(
      "hosts:\n  - {name: esx01, memory: 64 GiB, gpus: [{model: A100-40GB}]}\n"
      "vms:\n"
      "  - {name: a, vgpus: [{profile: A100-1-5C}]}\n"
      "  - {name: b, vgpus: [{profile: A100-4C}], workload: {gpu: {kind: tasks, count: 1, size: 1s}}}\n"
      "  - {name: c, vgpus: [{profile: A100-4C, passthrough: A100-40GB}]}\n");
  CHECK_FALSE(r.ok());
  const std::string all = joined(r);
  INFO(all);
  CHECK(all.find("no A100-40GB GPU in mig mode") != std::string::npos);
  CHECK(all.find("bad value 'tasks' for 'kind'") != std::string::npos);
  CHECK(all.find("needs one of 'profile' and 'passthrough'") != std::string::npos);
}

}  // namespace
}  // namespace vdc::scenario
