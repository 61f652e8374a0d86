// libFuzzer entry point; VDC_FUZZ_TARGET names the function of fuzz_trace_targets.hpp or
// fuzz_import_targets.hpp this executable runs (tests/fuzz/CMakeLists.txt sets it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include VDC_FUZZ_HEADER

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  vdc::fuzz::VDC_FUZZ_TARGET(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
