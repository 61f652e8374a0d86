// Whole files in (plain and gzip) and files out written whole or not at all, on a scratch
// folder: contents, permissions, every error's message, and what a failed write leaves.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vdc/io/file.hpp"
#include "vdc/io/read_error.hpp"

namespace fs = std::filesystem;
using vdc::io::ReadError;
using vdc::io::ReadProblem;
using vdc::io::gzip;

namespace {

/// A fresh folder under the system temporary folder, removed when this goes away.
class Scratch {
 public:
  Scratch() {
    std::string tmpl = (fs::temp_directory_path() / "vdc-io-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~Scratch() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  /// Writes `content` to `name` (plainly, not with the code under test) and returns its path.
  [[nodiscard]] std::string write(const std::string& name, std::string_view content) const {
    std::ofstream(path_ / name, std::ios::binary).write(content.data(), static_cast<std::streamsize>(content.size()));
    return (path_ / name).string();
  }
  [[nodiscard]] const fs::path& path() const { return path_; }
  /// The names in the folder, hidden ones (a temporary file) included.
  [[nodiscard]] std::set<std::string> names() const {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(path_)) out.insert(e.path().filename().string());
    return out;
  }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The ReadError `call` raises; fails the test when it raises none.
template <typename Call>
ReadError read_error_of(const Call& call) {
  try {
    (void)call();
  } catch (const ReadError& e) {
    return e;
  }
  FAIL("no error");
  return ReadError(ReadProblem::open, {}, "", "");
}

/// The message of the std::runtime_error `call` raises, or "(no error)".
template <typename Call>
std::string message_of(const Call& call) {
  try {
    call();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no error)";
}

/// The error `call` ends with while files above `bytes` cannot be written (RLIMIT_FSIZE:
/// write() stops at the limit, then fails with EFBIG, SIGXFSZ ignored).
template <class Call>
std::string message_with_file_size_limit(rlim_t bytes, const Call& call) {
  rlimit previous{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &previous) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = previous;
  small.rlim_cur = bytes;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  const std::string message = message_of(call);
  ::setrlimit(RLIMIT_FSIZE, &previous);
  std::signal(SIGXFSZ, old_handler);
  return message;
}

/// Sets the umask for a test and puts the previous one back.
class Umask {
 public:
  explicit Umask(mode_t mask) : previous_(::umask(mask)) {}
  ~Umask() { ::umask(previous_); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t previous_;
};

fs::perms perms_of(const fs::path& p) { return fs::status(p).permissions() & fs::perms::mask; }

}  // namespace

TEST_CASE("read_file returns the bytes as they are, NULs and CRLFs included") {
  const Scratch dir;
  const std::string bytes("a\r\nb\0c\xff", 7);
  CHECK(vdc::io::read_file(dir.write("a.bin", bytes)) == bytes);
  CHECK(vdc::io::read_file(dir.write("empty", "")).empty());
  const std::string big(200'000, 'x');  // more than one read buffer (64 KiB)
  CHECK(vdc::io::read_file(dir.write("big", big)) == big);
}

TEST_CASE("read_file: a missing file, a folder, and a file above the limit") {
  const Scratch dir;
  const std::string missing = (dir.path() / "nope.csv").string();
  const ReadError open = read_error_of([&] { return vdc::io::read_file(missing); });
  CHECK(open.kind() == ReadProblem::open);
  CHECK(std::string(open.what()) ==
        missing + ": error: cannot open the file: No such file or directory (expected a readable file)");

  // A folder opens but does not read.
  const ReadError folder = read_error_of([&] { return vdc::io::read_file(dir.path().string()); });
  CHECK(folder.kind() == ReadProblem::read);
  CHECK(folder.problem() == "cannot read the file: Is a directory");

  const std::string kib = dir.write("1k", std::string(1024, 'x'));
  CHECK(vdc::io::read_file(kib, 1024).size() == 1024);  // exactly at the limit
  const ReadError large = read_error_of([&] { return vdc::io::read_file(kib, 1023); });
  CHECK(large.kind() == ReadProblem::too_large);
  CHECK(std::string(large.what()) == kib + ": error: the file is larger than 1023 bytes (expected a smaller file)");
}

TEST_CASE("sizes in words") {
  using vdc::io::size_text;
  CHECK(size_text(std::size_t{1} << 30) == "1 GiB");
  CHECK(size_text(std::size_t{3} << 20) == "3 MiB");
  CHECK(size_text(4096) == "4 KiB");
  CHECK(size_text(1536) == "1536 bytes");
  CHECK(size_text(1000) == "1000 bytes");
  CHECK(size_text(0) == "0 bytes");
}

TEST_CASE("gzip round trip: a file written compressed reads back as its text") {
  const Scratch dir;
  const std::string text = "time,cpu\n0,12.5\n300,40\n";
  const std::string path = dir.write("t.csv.gz", gzip(text));
  const std::string data = vdc::io::read_file(path);
  REQUIRE(vdc::io::is_gzip(data));
  CHECK(vdc::io::gunzip(data, path) == text);
  CHECK(vdc::io::gunzip(gzip(""), "e.gz").empty());
  // Several members one after another, as `cat a.gz b.gz` makes.
  CHECK(vdc::io::gunzip(gzip("ab") + gzip("cd") + gzip("e"), "m.gz") == "abcde");
  // Past the first guess (eight times the compressed size) the buffer grows.
  const std::string zeros(1 << 20, '0');
  CHECK(vdc::io::gunzip(gzip(zeros), "z.gz") == zeros);
}

TEST_CASE("gzip magic bytes") {
  CHECK(vdc::io::is_gzip("\x1f\x8b"));
  CHECK(vdc::io::is_gzip("\x1f\x8b\x08 and more"));
  CHECK_FALSE(vdc::io::is_gzip("\x1f"));
  CHECK_FALSE(vdc::io::is_gzip(""));
  CHECK_FALSE(vdc::io::is_gzip("\x8b\x1f"));
  CHECK_FALSE(vdc::io::is_gzip("time,cpu\n"));
}

TEST_CASE("gunzip: truncated, corrupt and too large data") {
  const std::string gz = gzip(std::string(10'000, 'x'));
  const ReadError cut = read_error_of([&] { return vdc::io::gunzip(gz.substr(0, gz.size() - 12), "t.gz"); });
  CHECK(cut.kind() == ReadProblem::gzip);
  CHECK(std::string(cut.what()) == "t.gz: error: truncated gzip data (expected a complete gzip file)");
  CHECK(read_error_of([&] { return vdc::io::gunzip("\x1f\x8b", "h.gz"); }).problem() == "truncated gzip data");

  std::string bad = gz;
  bad[bad.size() - 6] = static_cast<char>(bad[bad.size() - 6] ^ 0x55);  // inside the CRC-32 trailer
  const ReadError corrupt = read_error_of([&] { return vdc::io::gunzip(bad, "c.gz"); });
  CHECK(corrupt.kind() == ReadProblem::gzip);
  CHECK(std::string(corrupt.what()) == "c.gz: error: corrupt gzip data (incorrect data check) (expected a valid gzip file)");

  const ReadError large = read_error_of([&] { return vdc::io::gunzip(gz, "l.gz", 4096); });
  CHECK(large.kind() == ReadProblem::too_large);
  CHECK(std::string(large.what()) == "l.gz: error: the file decompresses to more than 4 KiB (expected a smaller file)");
  CHECK(vdc::io::gunzip(gz, "l.gz", 10'000).size() == 10'000);
}

TEST_CASE("an atomic write creates or replaces the file whole, as readable as any other") {
  const Scratch dir;
  const Umask mask(022);
  const fs::path file = dir.path() / "report.json";
  vdc::io::write_file_atomically(file, "{}\n");
  CHECK(slurp(file) == "{}\n");
  CHECK(perms_of(file) == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read));  // 0666 less 022
  vdc::io::write_file_atomically(file, "{\"a\": 1}\n");
  CHECK(slurp(file) == "{\"a\": 1}\n");
  vdc::io::write_file_atomically(file, "");
  CHECK(fs::file_size(file) == 0);
  CHECK(dir.names() == std::set<std::string>{"report.json"});  // no temporary left
}

TEST_CASE("an atomic write into a missing folder creates nothing") {
  const Scratch dir;
  const fs::path file = dir.path() / "missing" / "b.txt";
  CHECK(message_of([&] { vdc::io::write_file_atomically(file, "x"); }) ==
        "cannot create " + file.string() + ": No such file or directory");
  CHECK(dir.names().empty());
}

TEST_CASE("an atomic write that fails at the rename leaves no temporary behind") {
  // The temporary is written in full; renaming it over a folder fails.
  const Scratch dir;
  fs::create_directory(dir.path() / "out");
  const fs::path file = dir.path() / "out";
  CHECK(message_of([&] { vdc::io::write_file_atomically(file, "data"); }) ==
        "cannot write " + file.string() + ": Is a directory");
  CHECK(dir.names() == std::set<std::string>{"out"});
  CHECK(fs::is_empty(file));
}

TEST_CASE("an atomic write that fails midway keeps the previous file and leaves no temporary") {
  const Scratch dir;
  const std::string file = dir.write("keep.txt", "previous\n");
  // Files above 16 bytes cannot be written.
  const std::string message = message_with_file_size_limit(
      16, [&] { vdc::io::write_file_atomically(file, std::string(100, 'n')); });
  CHECK(message == "cannot write " + file + ": File too large");
  CHECK(slurp(file) == "previous\n");
  CHECK(dir.names() == std::set<std::string>{"keep.txt"});
}

TEST_CASE("an atomic write into a read-only folder writes nothing") {
  if (::geteuid() == 0) {
    MESSAGE("skipped: root writes into read-only folders");
    return;
  }
  const Scratch dir;
  const fs::path ro = dir.path() / "ro";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  CHECK(message_of([&] { vdc::io::write_file_atomically(ro / "a.txt", "x"); }) ==
        "cannot create " + (ro / "a.txt").string() + ": Permission denied");
  fs::permissions(ro, fs::perms::owner_all);
  CHECK(fs::is_empty(ro));
}

TEST_CASE("a file written in pieces is the pieces in order, whole, as readable as any other") {
  const Scratch dir;
  const Umask mask(022);
  const fs::path file = dir.path() / "report.json";
  const std::string big(3 << 20, 'b');  // more than a pipe or a page cache write takes at once
  {
    vdc::io::AtomicFileWriter w(file);
    w.write("{");
    w.write("");
    w.write(big);
    w.write("}\n");
    CHECK(!fs::exists(file));  // not before commit
    w.commit();
  }
  CHECK(slurp(file) == "{" + big + "}\n");
  CHECK(perms_of(file) == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                           fs::perms::others_read));  // 0666 less 022
  CHECK(dir.names() == std::set<std::string>{"report.json"});  // no temporary left
}

TEST_CASE("a file written in pieces and not committed leaves the previous one and nothing else") {
  const Scratch dir;
  const std::string file = dir.write("keep.txt", "previous\n");
  {
    vdc::io::AtomicFileWriter w(file);
    w.write(std::string(1 << 20, 'x'));
    w.write("more");
  }  // an error before commit: the writer goes
  CHECK(slurp(file) == "previous\n");
  CHECK(dir.names() == std::set<std::string>{"keep.txt"});
}

TEST_CASE("a file written in pieces fails as an atomic write does, leaving nothing behind") {
  const Scratch dir;
  const fs::path missing = dir.path() / "missing" / "b.txt";
  CHECK(message_of([&] { vdc::io::AtomicFileWriter w(missing); }) ==
        "cannot create " + missing.string() + ": No such file or directory");
  CHECK(dir.names().empty());

  // A piece that cannot be written (files above 16 bytes cannot): commit says so.
  const std::string file = dir.write("keep.txt", "previous\n");
  const std::string message = message_with_file_size_limit(16, [&] {
    vdc::io::AtomicFileWriter w(file);
    w.write(std::string(10, 'n'));
    w.write(std::string(100, 'n'));
    w.write(std::string(10, 'n'));
    w.commit();
  });
  CHECK(message == "cannot write " + file + ": File too large");
  CHECK(slurp(file) == "previous\n");
  CHECK(dir.names() == std::set<std::string>{"keep.txt"});
}

TEST_CASE("a temporary folder: a unique name, the user's permissions, or an error naming its parent") {
  const Scratch dir;
  const Umask mask(027);
  const fs::path a = vdc::io::make_temp_folder(dir.path() / ".stage-XXXXXX");
  const fs::path b = vdc::io::make_temp_folder(dir.path() / ".stage-XXXXXX");
  CHECK(a != b);
  CHECK(fs::is_directory(a));
  CHECK(a.filename().string().starts_with(".stage-"));
  CHECK(a.filename().string().size() == std::string(".stage-XXXXXX").size());
  CHECK(perms_of(a) == (fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec));  // 0777 less 027
  const fs::path missing = dir.path() / "missing";
  CHECK(message_of([&] { (void)vdc::io::make_temp_folder(missing / "x-XXXXXX"); }) ==
        "cannot create a folder in " + missing.string() + ": No such file or directory");
}
