#pragma once
/// The GPU boards vdcsim knows and their vGPU profiles: data, not code. Each board family
/// has a file under data/gpu/ (format in docs/gpu.md "Board files", source cited in each
/// file) built into the program, so a scenario never depends on the current directory.
/// Only rows published by the vendor are there (reference section C.4).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vdc::models::gpu {

/// One embedded board file: its path in the source tree and its text.
struct BoardFile {
  std::string_view path;
  std::string_view text;
};
/// The board files, in file-name order (generated from data/gpu/ at build time).
[[nodiscard]] std::span<const BoardFile> board_files();

/// A vGPU profile of a board: time-sliced (NVIDIA's `<board>-<GB><series>`) or MIG-backed
/// (`<board>-<slices>-<GB><series>`).
struct VgpuProfile {
  std::string name;              ///< "A100-4C", "A100-3-20C"
  double framebuffer_mib = 0.0;  ///< its framebuffer (GB x 1024)
  char series = 'C';             ///< A, B, C or Q
  bool mig = false;
  // Time-sliced profiles:
  int max_equal = 0;             ///< most of it per GPU in equal-size mode
  int max_mixed = 0;             ///< most of it per GPU in mixed-size mode; 0: no mixed-size mode
  // MIG-backed profiles (reference C.3: 7 compute slices, 8 memory slices):
  int compute_slices = 0;        ///< of 7
  int memory_slices = 0;         ///< of 8: the width of its GPU instance
  std::vector<int> starts;       ///< the memory slices where its instance may start, ascending
  int max_mig = 0;               ///< most of it per GPU
  std::string instance;          ///< MIG GPU instance profile: "3g.20gb"
};

/// A physical GPU board.
struct Board {
  std::string name;              ///< scenario name: "A100-40GB"
  std::string full_name;         ///< vendor's name: "A100 PCIe 40GB"
  std::string architecture;      ///< "ampere", "hopper", "ada", "turing"
  double framebuffer_mib = 0.0;
  bool mixed = false;            ///< supports mixed-size mode
  std::string file;              ///< data file it comes from
  std::vector<VgpuProfile> profiles;  ///< time-sliced first, then MIG-backed, as in its file

  [[nodiscard]] bool has_mig() const;
};

/// Memory slices of a MIG-capable GPU (reference C.3).
inline constexpr int mig_memory_slices = 8;
/// Compute slices of a MIG-capable GPU (reference C.3).
inline constexpr int mig_compute_slices = 7;

/// Every board of every board file (parsed once). Throws std::logic_error on a malformed
/// file (a build defect: tests/gpu checks every file).
[[nodiscard]] const std::vector<Board>& boards();

/// Parses one board file's text (exposed for the tests); throws std::runtime_error with
/// the line number on a malformed line.
[[nodiscard]] std::vector<Board> parse_board_file(std::string_view path, std::string_view text);

/// The board called `name`: its scenario name or its vendor name with spaces as dashes,
/// case-insensitive ("A100-40GB", "a100-pcie-40gb").
[[nodiscard]] const Board* find_board(std::string_view name);
/// The profile called `name` (case-insensitive) on any board, with its board.
struct ProfileRef {
  const Board* board = nullptr;
  const VgpuProfile* profile = nullptr;
};
[[nodiscard]] std::optional<ProfileRef> find_profile(std::string_view name);

/// All board names, and all profile names (for did-you-mean).
[[nodiscard]] std::vector<std::string> board_names();
[[nodiscard]] std::vector<std::string> profile_names();

/// `vdcsim describe gpu`'s table of the boards and their profiles.
[[nodiscard]] std::string describe_boards();

}  // namespace vdc::models::gpu
