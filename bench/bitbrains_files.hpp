#pragma once
// The Bitbrains trace files the scale benchmarks read: the folder given as the first
// argument, or ../shared/data/bitbrains_rnd/2013-7 beside a checkout.

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace vdc::bench {

/// The folder's .gz files, sorted; std::nullopt (after a message naming `program`) when the
/// folder does not exist.
inline std::optional<std::vector<std::string>> bitbrains_files(int argc, char** argv,
                                                               std::string_view program) {
  const std::filesystem::path dir = argc > 1 ? argv[1] : "../shared/data/bitbrains_rnd/2013-7";
  if (!std::filesystem::is_directory(dir)) {
    fmt::print(stderr, "{}: {} is not a folder (give the bitbrains_rnd/2013-7 folder)\n", program,
               dir.string());
    return std::nullopt;
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".gz") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace vdc::bench
