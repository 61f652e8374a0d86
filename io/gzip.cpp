#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <zlib.h>

#include "vdc/io/file.hpp"
#include "vdc/io/read_error.hpp"

namespace vdc::io {
namespace {

ReadError gzip_error(ReadProblem kind, const std::string& file, const std::string& problem,
                     const std::string& expected) {
  return ReadError(kind, {file, 0, 0}, problem, expected);
}

}  // namespace

std::string gunzip(std::string_view data, const std::string& file, std::size_t max_bytes) {
  z_stream zs{};
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's own.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    throw gzip_error(ReadProblem::gzip, file, "zlib could not start", "");
  }
  const std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  std::string out;
  // Text compresses about tenfold: start there and double as needed.
  const std::size_t first_guess = data.size() > max_bytes / 8 ? max_bytes : data.size() * 8;
  out.resize(std::clamp<std::size_t>(first_guess, std::min<std::size_t>(4096, max_bytes), max_bytes));
  std::size_t produced = 0;
  std::size_t consumed = 0;
  while (true) {
    if (produced == out.size()) {
      if (out.size() >= max_bytes) {
        throw gzip_error(ReadProblem::too_large, file,
                         fmt::format("the file decompresses to more than {}", size_text(max_bytes)),
                         "a smaller file");
      }
      out.resize(out.size() > max_bytes / 2 ? max_bytes : out.size() * 2);
    }
    // zlib counts in uInt: feed and drain at most 1 GiB per call.
    const std::size_t in_chunk = std::min<std::size_t>(data.size() - consumed, 1u << 30);
    const std::size_t out_chunk = std::min<std::size_t>(out.size() - produced, 1u << 30);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + consumed));
    zs.avail_in = static_cast<uInt>(in_chunk);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(out_chunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    consumed += in_chunk - zs.avail_in;
    produced += out_chunk - zs.avail_out;
    if (rc == Z_STREAM_END) {
      // gzip allows several members one after another (cat a.gz b.gz); read them all.
      if (consumed == data.size()) break;
      if (inflateReset(&zs) != Z_OK) throw gzip_error(ReadProblem::gzip, file, "zlib could not restart", "");
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw gzip_error(ReadProblem::gzip, file,
                       fmt::format("corrupt gzip data ({})", zs.msg != nullptr ? zs.msg : "zlib error"),
                       "a valid gzip file");
    }
    // No progress with room left to write, or all input used without reaching the end of
    // the stream: the data stops early.
    if ((rc == Z_BUF_ERROR && produced < out.size()) ||
        (consumed == data.size() && produced < out.size())) {
      throw gzip_error(ReadProblem::gzip, file, "truncated gzip data", "a complete gzip file");
    }
  }
  out.resize(produced);
  return out;
}

std::string gzip(std::string_view text) {
  z_stream zs{};
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's own.
  deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace vdc::io
