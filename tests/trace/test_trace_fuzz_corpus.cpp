// The fuzz corpus (tests/fuzz/corpus/<target>/) replayed through the readers in every
// build, so an input that once crashed stays fixed even where libFuzzer is not built.
#include <filesystem>
#include <fstream>
#include <string>

#include <doctest/doctest.h>

#include "fuzz_trace_targets.hpp"

namespace {

/// Calls `target` on every file of tests/fuzz/corpus/<name>/ and returns how many it read.
template <typename Target>
int replay_corpus(const std::string& name, Target target) {
  const std::filesystem::path dir =
      std::filesystem::path(VDC_SOURCE_DIR) / "tests/fuzz/corpus" / name;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::string data(static_cast<std::size_t>(std::filesystem::file_size(entry.path())), '\0');
    std::ifstream(entry.path(), std::ios::binary)
        .read(data.data(), static_cast<std::streamsize>(data.size()));
    target(data);
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("the fuzz corpus of every trace reader replays without a crash") {
  CHECK(replay_corpus("trace_bitbrains", vdc::fuzz::fuzz_trace_bitbrains) > 0);
  CHECK(replay_corpus("trace_planetlab", vdc::fuzz::fuzz_trace_planetlab) > 0);
  CHECK(replay_corpus("trace_table", vdc::fuzz::fuzz_trace_table) > 0);
  CHECK(replay_corpus("trace_gzip", vdc::fuzz::fuzz_trace_gzip) > 0);
}
