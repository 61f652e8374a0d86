#pragma once
/// The folder a run's report files go to, replaced as a whole: the reports are written into
/// a temporary folder beside it and moved into place at the end, so a reader (or a run
/// stopped half-way) sees either the previous reports or the new ones, never a mix.

#include <filesystem>
#include <stdexcept>

namespace vdc::cli {

/// `--out` names a place that cannot take the reports (a file, a folder that cannot be
/// written, a path through a file): a usage error, found before simulating.
class ReportFolderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ReportFolder {
 public:
  /// Checks, without changing anything on disk, that `target` can become the report folder.
  /// Throws ReportFolderError naming the path and what is wrong.
  ///
  /// - `target` does not exist: it will be created (with its missing parents) by moving the
  ///   temporary folder to its name.
  /// - `target` is an empty folder or holds report files only (the names vdcsim writes): it
  ///   is replaced whole, by exchanging it with the temporary folder in one rename where the
  ///   filesystem can, else by renaming it aside, renaming the new one in and removing the
  ///   old one (on a failure the previous folder is put back).
  /// - `target` holds other files too (`--out .`, a folder with the scenario in it), or
  ///   cannot be renamed (a mount point, a symbolic link): the temporary folder is made
  ///   inside it and each report file moved into it; the other files stay as they are.
  explicit ReportFolder(const std::filesystem::path& target);
  ReportFolder(const ReportFolder&) = delete;
  ReportFolder& operator=(const ReportFolder&) = delete;
  /// Removes the temporary folder, and the parents stage() created, unless commit() ran.
  ~ReportFolder();

  /// Creates the temporary folder (and the target's missing parents) and returns it: the
  /// reports are written there. Throws std::runtime_error.
  const std::filesystem::path& stage();

  /// Moves the reports written in the temporary folder into place, as described above.
  /// Throws std::runtime_error; the previous folder is then left as it was.
  void commit();

  /// The folder as the user named it.
  [[nodiscard]] const std::filesystem::path& target() const { return requested_; }

 private:
  enum class Mode { create, replace, merge };

  void merge_into(const std::filesystem::path& dir, bool remove_stale_reports);
  void remove_staging() noexcept;

  std::filesystem::path requested_;  ///< as given, for messages
  std::filesystem::path path_;       ///< absolute, normalised; for merge, the folder written into
  Mode mode_ = Mode::create;
  std::filesystem::path staging_;    ///< the temporary folder while it exists
  std::filesystem::path created_;    ///< the topmost parent stage() created, if any
};

}  // namespace vdc::cli
