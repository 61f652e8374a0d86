#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>
#include <zlib.h>

#include "vdc/models/trace/trace_reader.hpp"

namespace vdc::models::trace {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

TraceError file_error(const std::string& file, const std::string& problem,
                      const std::string& expected) {
  return TraceError({file, 0, 0, {}}, problem, expected);
}

}  // namespace

std::string gunzip(std::string_view data, const std::string& file) {
  z_stream zs{};
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's own.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    throw file_error(file, "zlib could not start", "");
  }
  const std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  std::string out;
  // Text traces compress about tenfold: start there and double as needed.
  out.resize(std::clamp<std::size_t>(data.size() * 8, 4096, max_trace_text_bytes));
  std::size_t produced = 0;
  std::size_t consumed = 0;
  while (true) {
    if (produced == out.size()) {
      if (out.size() >= max_trace_text_bytes) {
        throw file_error(file, "the file decompresses to more than 1 GiB", "a smaller trace");
      }
      out.resize(std::min(out.size() * 2, max_trace_text_bytes));
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
      if (inflateReset(&zs) != Z_OK) throw file_error(file, "zlib could not restart", "");
      continue;
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      throw file_error(
          file, fmt::format("corrupt gzip data ({})", zs.msg != nullptr ? zs.msg : "zlib error"),
          "a valid gzip file");
    }
    // No progress with room left to write, or all input used without reaching the end of
    // the stream: the data stops early.
    if ((rc == Z_BUF_ERROR && produced < out.size()) ||
        (consumed == data.size() && produced < out.size())) {
      throw file_error(file, "truncated gzip data", "a complete gzip file");
    }
  }
  out.resize(produced);
  return out;
}

std::string read_trace_file(const std::string& path) {
  const std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    throw file_error(path, fmt::format("cannot open the file: {}", std::strerror(errno)),
                     "a readable trace file");
  }
  std::string data;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0) {
    data.append(buffer, n);
    if (data.size() > max_trace_text_bytes) {
      throw file_error(path, "the file is larger than 1 GiB", "a smaller trace");
    }
  }
  if (std::ferror(f.get()) != 0) {
    throw file_error(path, fmt::format("cannot read the file: {}", std::strerror(errno)),
                     "a readable trace file");
  }
  if (data.empty()) throw file_error(path, "the file is empty", "a trace with samples");
  if (data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
      static_cast<unsigned char>(data[1]) == 0x8b) {
    std::string text = gunzip(data, path);
    if (text.empty()) throw file_error(path, "the gzip file holds no data", "a trace with samples");
    return text;
  }
  return data;
}

}  // namespace vdc::models::trace
