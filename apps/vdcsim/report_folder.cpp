#include "report_folder.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "progress.hpp"
#include "vdc/io/file.hpp"
#include "vdc/models/area.hpp"
#include "vdc/models/registry.hpp"

namespace vdc::cli {
namespace fs = std::filesystem;
namespace {

/// The files the report writers of apps/report create in a report folder. A folder holding
/// only these is a previous report folder, which a run may replace whole.
constexpr std::array<std::string_view, 7> kReportFiles{
    "report.json", "report.html", "hosts.csv", "vms.csv", "hosts_timeseries.csv", "vms_timeseries.csv",
    "esxtop.csv"};

/// Every file a report folder may hold: the writers' own and each area's table files
/// (AreaReportSpec::tables).
std::vector<std::string_view> report_files() {
  std::vector<std::string_view> out(kReportFiles.begin(), kReportFiles.end());
  for (const models::AreaSpec* a : models::area_registry()) {
    if (a->report == nullptr) continue;
    for (const auto& t : a->report->tables) {
      if (t.place == models::TablePlace::internal) continue;
      if (std::find(out.begin(), out.end(), t.csv) == out.end()) out.push_back(t.csv);
    }
  }
  return out;
}

bool is_report_file(const fs::directory_entry& e) {
  std::error_code ec;
  if (!e.is_regular_file(ec) || e.is_symlink(ec)) return false;
  const std::string name = e.path().filename().string();
  const auto files = report_files();
  return std::find(files.begin(), files.end(), name) != files.end();
}

/// True when `dir` is empty or holds report files only.
bool holds_reports_only(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return false;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec || !is_report_file(*it)) return false;
  }
  return !ec;
}

std::string describe_errno(int err) { return std::error_code(err, std::generic_category()).message(); }

/// 0 when a folder can be created in `dir` (tried: permissions alone do not tell, for root
/// or on /proc), else the errno.
int write_access(const fs::path& dir) {
  // Ctrl-C waits until the probe is gone: nothing is left behind whenever it comes.
  sigset_t interrupts, previous;
  sigemptyset(&interrupts);
  sigaddset(&interrupts, SIGINT);
  sigaddset(&interrupts, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &interrupts, &previous);
  std::string probe = (dir / ".vdcsim-probe-XXXXXX").string();
  const int err = ::mkdtemp(probe.data()) == nullptr ? errno : 0;
  if (err == 0) ::rmdir(probe.c_str());
  ::sigprocmask(SIG_SETMASK, &previous, nullptr);
  return err;
}

bool same_device(const fs::path& a, const fs::path& b) {
  struct stat sa{}, sb{};
  return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev;
}

}  // namespace

ReportFolder::ReportFolder(const fs::path& target) : requested_(target) {
  const std::string shown = target.string();
  if (target.empty()) throw ReportFolderError("--out: an empty path names no folder");
  std::error_code ec;
  path_ = fs::absolute(target, ec).lexically_normal();
  if (ec) throw ReportFolderError(fmt::format("--out '{}': {}", shown, ec.message()));
  if (!path_.has_filename() && path_ != path_.root_path()) path_ = path_.parent_path();  // "out/" is "out"

  const fs::file_status st = fs::symlink_status(path_, ec);
  if (ec && st.type() != fs::file_type::not_found) {
    throw ReportFolderError(fmt::format("--out '{}': {}", shown, ec.message()));
  }
  switch (st.type()) {
    case fs::file_type::not_found: {
      // Created at the end: the nearest existing ancestor must be a folder that can be written.
      fs::path up = path_.parent_path();
      while (true) {
        const fs::file_status s = fs::status(up, ec);
        if (s.type() != fs::file_type::not_found || up == up.root_path()) {
          if (s.type() != fs::file_type::directory) {
            throw ReportFolderError(fmt::format("--out '{}': '{}' {}", shown, up.string(),
                                                fs::exists(s) ? "is a file, not a folder"
                                                              : "cannot be reached: " + ec.message()));
          }
          break;
        }
        up = up.parent_path();
      }
      if (const int err = write_access(up)) {
        throw ReportFolderError(fmt::format("--out '{}': cannot create it in '{}': {}", shown, up.string(),
                                            describe_errno(err)));
      }
      mode_ = Mode::create;
      return;
    }
    case fs::file_type::directory: {
      // Replaced whole only if that leaves no one inside a deleted folder: not the current
      // folder nor one of its ancestors (`--out .`).
      const fs::path parent = path_.parent_path();
      const fs::path here = fs::current_path(ec);
      const fs::path real = ec ? fs::path() : fs::weakly_canonical(path_, ec);
      const auto [stop, rest] = std::mismatch(real.begin(), real.end(), here.begin(), here.end());
      const bool holds_cwd = ec || stop == real.end();
      if (const int err = write_access(path_)) {
        // Needed when it is replaced too: where it cannot be renamed, its files are.
        throw ReportFolderError(
            fmt::format("--out '{}': the folder cannot be written: {}", shown, describe_errno(err)));
      }
      const bool replace = path_.has_filename() && !holds_cwd && holds_reports_only(path_) &&
                           write_access(parent) == 0 && same_device(path_, parent);
      mode_ = replace ? Mode::replace : Mode::merge;
      return;
    }
    case fs::file_type::symlink: {
      // The link stays; the reports go into the folder it points to.
      const fs::file_status to = fs::status(path_, ec);
      if (to.type() == fs::file_type::not_found) {
        throw ReportFolderError(fmt::format("--out '{}': a symbolic link to nothing", shown));
      }
      if (to.type() != fs::file_type::directory) {
        throw ReportFolderError(fmt::format("--out '{}' is a file, not a folder", shown));
      }
      break;
    }
    default:
      throw ReportFolderError(fmt::format("--out '{}' is a file, not a folder", shown));
  }
  if (const int err = write_access(path_)) {
    throw ReportFolderError(fmt::format("--out '{}': the folder cannot be written: {}", shown, describe_errno(err)));
  }
  mode_ = Mode::merge;
}

ReportFolder::~ReportFolder() { remove_staging(); }

const fs::path& ReportFolder::stage() {
  begin_writing();  // from here on a second Ctrl-C lets this folder be removed before exiting
  if (mode_ == Mode::merge) {
    staging_ = io::make_temp_folder(path_ / ".vdcsim-XXXXXX");
    return staging_;
  }
  const fs::path parent = path_.parent_path();
  std::error_code ec;
  if (mode_ == Mode::create) {
    fs::path top;
    for (fs::path p = parent; !fs::exists(p, ec) && !ec && p != p.root_path(); p = p.parent_path()) top = p;
    fs::create_directories(parent, ec);
    if (ec) {
      throw std::runtime_error(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
    }
    created_ = top;
  }
  staging_ = io::make_temp_folder(parent / fmt::format(".{}.vdcsim-XXXXXX", path_.filename().string()));
  if (mode_ == Mode::replace) {
    // The new folder keeps the permissions the user gave the previous one.
    const fs::file_status previous = fs::status(path_, ec);
    if (!ec) fs::permissions(staging_, previous.permissions(), ec);
  }
  return staging_;
}

void ReportFolder::merge_into(const fs::path& dir, bool remove_stale_reports) {
  std::error_code ec;
  if (remove_stale_reports) {
    for (const auto name : report_files()) {
      if (!fs::exists(staging_ / name, ec)) fs::remove(dir / name, ec);
    }
  }
  for (const auto& e : fs::directory_iterator(staging_)) {
    const fs::path to = dir / e.path().filename();
    if (::rename(e.path().c_str(), to.c_str()) != 0) {
      throw std::runtime_error(fmt::format("cannot move {} into place: {}", to.string(), describe_errno(errno)));
    }
  }
  reports_committed();
  remove_staging();
}

void ReportFolder::commit() {
  if (staging_.empty()) throw std::logic_error("ReportFolder::commit before stage");
  const fs::path parent = path_.parent_path();
  switch (mode_) {
    case Mode::merge:
      merge_into(path_, false);
      return;
    case Mode::create:
      if (::rename(staging_.c_str(), path_.c_str()) == 0) {
        reports_committed();
        staging_.clear();
        created_.clear();
        end_writing();
        return;
      }
      if (errno != EEXIST && errno != ENOTEMPTY) {
        throw std::runtime_error(fmt::format("cannot create {}: {}", path_.string(), describe_errno(errno)));
      }
      // Someone made the folder meanwhile: take it as an existing one.
      created_.clear();
      if (!holds_reports_only(path_)) {
        merge_into(path_, false);
        return;
      }
      [[fallthrough]];
    case Mode::replace:
      break;
  }
  // Replace: files may have appeared in the folder since it was checked; those are kept.
  if (!holds_reports_only(path_)) {
    merge_into(path_, false);
    return;
  }
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, path_.c_str(), RENAME_EXCHANGE) == 0) {
    // One atomic step; the temporary folder now holds the previous reports.
    reports_committed();
    remove_staging();
    return;
  }
  if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
    // No exchange on this filesystem: rename the old folder aside, the new one in.
    const fs::path aside = io::make_temp_folder(parent / fmt::format(".{}.vdcsim-old-XXXXXX", path_.filename().string()));
    std::error_code ec;
    if (::rename(path_.c_str(), aside.c_str()) == 0) {
      if (::rename(staging_.c_str(), path_.c_str()) != 0) {
        const int err = errno;
        ::rename(aside.c_str(), path_.c_str());
        fs::remove(aside, ec);
        throw std::runtime_error(fmt::format("cannot move the reports to {}: {}", path_.string(), describe_errno(err)));
      }
      reports_committed();
      staging_.clear();
      end_writing();
      fs::remove_all(aside, ec);
      return;
    }
    fs::remove(aside, ec);
  }
  // The folder cannot be renamed (a mount point, a sticky parent): replace its files instead.
  merge_into(path_, true);
}

void ReportFolder::remove_staging() noexcept {
  if (!staging_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
    staging_.clear();
    // Parents created for a folder that never came: remove them, innermost first.
    if (!created_.empty()) {
      for (fs::path p = path_.parent_path(); ::rmdir(p.c_str()) == 0 && p != created_; p = p.parent_path()) {
      }
      created_.clear();
    }
  }
  end_writing();
}

}  // namespace vdc::cli
