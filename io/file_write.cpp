#include <cassert>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vdc/io/file.hpp"

namespace vdc::io {
namespace {

/// The process's umask (read by setting it and putting it back).
mode_t current_umask() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mask;
}

/// A temporary file beside `path`, as readable as any file the user writes.
struct TempFile {
  int fd = -1;
  std::string name;
};

TempFile create_temp(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  TempFile t{-1, (dir / fmt::format(".{}.XXXXXX", path.filename().string())).string()};
  t.fd = ::mkstemp(t.name.data());
  if (t.fd < 0) {
    throw std::runtime_error(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  }
  // mkstemp makes the file 0600; the file is as readable as any file the user writes.
  ::fchmod(t.fd, static_cast<mode_t>(0666) & ~current_umask());
  return t;
}

/// Writes all of `data` to `fd`: 0, or the errno of the failure.
int write_all(int fd, std::string_view data) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return 0;
}

/// Closes and removes the temporary file (an error before it took its name).
void discard(TempFile& t) {
  if (t.fd >= 0) ::close(t.fd);
  t.fd = -1;
  ::unlink(t.name.c_str());
}

/// Flushes, closes and renames the temporary file into place, after writing it failed with
/// `err` (0: it did not); on any failure removes it and throws "cannot write <path>".
void finish(TempFile& t, const std::filesystem::path& path, int err) {
  // On disk before it takes the name: a crash after the rename never leaves an empty file.
  if (err == 0 && ::fsync(t.fd) != 0) err = errno;
  if (::close(t.fd) != 0 && err == 0) err = errno;
  t.fd = -1;
  if (err == 0 && ::rename(t.name.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    discard(t);
    throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
  }
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  TempFile t = create_temp(path);
  finish(t, path, write_all(t.fd, content));
}

struct AtomicFileWriter::State {
  std::filesystem::path path;
  TempFile file;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<std::string> pieces;  // handed over, not written yet
  bool closing = false;            // no more pieces: the thread ends when they are written
  int err = 0;                     // the first write's failure (later pieces are dropped)
  std::thread thread;

  void run() {
    for (;;) {
      std::string piece;
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return closing || !pieces.empty(); });
        if (pieces.empty()) return;
        piece = std::move(pieces.front());
        pieces.pop_front();
      }
      if (err == 0) err = write_all(file.fd, piece);  // only this thread writes err until joined
    }
  }
  /// Ends the thread once the pieces handed over are written, or (`drop`) at once.
  void stop(bool drop) {
    {
      const std::lock_guard lock(mutex);
      if (drop) pieces.clear();
      closing = true;
    }
    wake.notify_one();
    thread.join();
  }
};

AtomicFileWriter::AtomicFileWriter(const std::filesystem::path& path) : state_(std::make_unique<State>()) {
  state_->path = path;
  state_->file = create_temp(path);
  try {
    state_->thread = std::thread([s = state_.get()] { s->run(); });
  } catch (...) {
    discard(state_->file);
    throw;
  }
}

AtomicFileWriter::~AtomicFileWriter() {
  if (state_->file.fd < 0) return;  // committed (or commit failed and cleaned up)
  // Not committed: the file goes, and the pieces not written yet with it.
  if (state_->thread.joinable()) state_->stop(true);
  discard(state_->file);
}

void AtomicFileWriter::write(std::string piece) {
  {
    const std::lock_guard lock(state_->mutex);
    state_->pieces.push_back(std::move(piece));
  }
  state_->wake.notify_one();
}

void AtomicFileWriter::commit() {
  assert(state_->file.fd >= 0 && "committed once");
  state_->stop(false);
  finish(state_->file, state_->path, state_->err);
}

std::filesystem::path make_temp_folder(const std::filesystem::path& pattern) {
  std::string tmpl = pattern.string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error(fmt::format("cannot create a folder in {}: {}", pattern.parent_path().string(),
                                         std::error_code(errno, std::generic_category()).message()));
  }
  // mkdtemp makes it 0700.
  ::chmod(tmpl.c_str(), static_cast<mode_t>(0777) & ~current_umask());
  return tmpl;
}

}  // namespace vdc::io
