#include "vdc/io/file.hpp"
#include "vdc/io/read_error.hpp"
#include "vdc/models/trace/trace_reader.hpp"

namespace vdc::models::trace {
namespace {

TraceError file_error(const std::string& file, const std::string& problem,
                      const std::string& expected) {
  return TraceError({file, 0, 0, {}}, problem, expected);
}

/// A read error of vdc::io as the trace readers word it.
TraceError trace_error(const io::ReadError& e, const std::string& file) {
  switch (e.kind()) {
    case io::ReadProblem::open:
    case io::ReadProblem::read:
      return file_error(file, e.problem(), "a readable trace file");
    case io::ReadProblem::too_large:
      return file_error(file, e.problem(), "a smaller trace");
    case io::ReadProblem::gzip:
    case io::ReadProblem::csv:
      break;
  }
  return file_error(file, e.problem(), e.expected());
}

}  // namespace

std::string gunzip(std::string_view data, const std::string& file) {
  try {
    return io::gunzip(data, file, max_trace_text_bytes);
  } catch (const io::ReadError& e) {
    throw trace_error(e, file);
  }
}

std::string read_trace_file(const std::string& path) {
  std::string data;
  try {
    data = io::read_file(path, max_trace_text_bytes);
  } catch (const io::ReadError& e) {
    throw trace_error(e, path);
  }
  if (data.empty()) throw file_error(path, "the file is empty", "a trace with samples");
  if (io::is_gzip(data)) {
    std::string text = gunzip(data, path);
    if (text.empty()) throw file_error(path, "the gzip file holds no data", "a trace with samples");
    return text;
  }
  return data;
}

}  // namespace vdc::models::trace
