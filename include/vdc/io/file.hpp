#pragma once
/// Whole files in, plain or gzip, and files out written whole or not at all.

#include <cstddef>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

namespace vdc::io {

/// No limit on the size of what is read.
inline constexpr std::size_t no_size_limit = std::numeric_limits<std::size_t>::max();

/// The bytes of the file at `path`, as they are (no decompression). Throws ReadError:
/// ReadProblem::open "cannot open the file: <reason>", ReadProblem::read "cannot read the
/// file: <reason>", ReadProblem::too_large "the file is larger than <max_bytes>" (said as
/// "1 GiB" where it can be).
[[nodiscard]] std::string read_file(const std::string& path, std::size_t max_bytes = no_size_limit);

/// True when `data` starts with the gzip magic bytes (1f 8b).
[[nodiscard]] bool is_gzip(std::string_view data);

/// Decompresses gzip `data` (one or more members, as gzip writes them, `cat a.gz b.gz`
/// included) with zlib; `file` names it in errors. Throws ReadError: ReadProblem::gzip on
/// corrupt or truncated data, ReadProblem::too_large "the file decompresses to more than
/// <max_bytes>".
[[nodiscard]] std::string gunzip(std::string_view data, const std::string& file,
                                 std::size_t max_bytes = no_size_limit);

/// `text` compressed as one gzip member at the best compression (what gunzip reads back;
/// tests and benchmarks write their gzip traces with it).
[[nodiscard]] std::string gzip(std::string_view text);

/// `bytes` in words: "1 GiB", "64 MiB", "3 KiB" when a whole number of those, else "<n> bytes".
[[nodiscard]] std::string size_text(std::size_t bytes);

/// Writes `content` to `path` through a temporary file in the same folder, flushed to disk
/// (fsync) and renamed into place, so a reader never sees a half-written file and a failure
/// leaves neither the file changed nor the temporary behind. The file gets the permissions
/// any file the user creates gets (0666 less the umask). Throws std::runtime_error
/// "cannot create <path>: <reason>" or "cannot write <path>: <reason>".
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

/// A file written as write_file_atomically writes it, from pieces handed over while the
/// rest is being made: a thread writes each piece while the caller makes the next (a large
/// report is written as fast as it is made); commit() then flushes the file to disk and
/// renames it into place. Nothing is left behind unless commit() succeeds.
class AtomicFileWriter {
 public:
  /// Creates the temporary file beside `path`. Throws std::runtime_error "cannot create
  /// <path>: <reason>".
  explicit AtomicFileWriter(const std::filesystem::path& path);
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  /// Not committed: the writing stops and the temporary file is removed.
  ~AtomicFileWriter();

  /// Appends `piece` (written in the background; an error is reported by commit()).
  void write(std::string piece);
  /// Waits for the pieces, flushes the file to disk and renames it into place. Throws
  /// std::runtime_error "cannot write <path>: <reason>" (and leaves nothing behind). Once.
  void commit();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// A new folder named after `pattern` (its name ending in XXXXXX, which becomes unique), with
/// the permissions any folder the user creates gets (0777 less the umask). Throws
/// std::runtime_error "cannot create a folder in <parent>: <reason>".
[[nodiscard]] std::filesystem::path make_temp_folder(const std::filesystem::path& pattern);

}  // namespace vdc::io
