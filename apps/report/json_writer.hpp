#pragma once
/// A JSON writer that streams into a string, in exactly the layout of nlohmann::json's
/// dump(2): two spaces a level, `"key": value`, `{}` and `[]` when empty, numbers as its
/// serializer writes them (shortest round trip, `.0` on whole doubles, `null` for NaN and
/// infinities). report.json is written through it without building a tree; a test holds
/// its output to nlohmann's.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vdc::report {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() { open('{', true); }
  void end_object() { close('}'); }
  void begin_array() { open('[', false); }
  void end_array() { close(']'); }
  /// The key of the next value, in an object.
  void key(std::string_view k);

  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(double x);
  void value(std::int64_t n);
  void value(int n) { value(static_cast<std::int64_t>(n)); }
  void value(std::uint64_t n);
  void value(bool b);
  void null();

  /// `key` then `value`.
  template <typename T>
  void field(std::string_view k, const T& v) {
    key(k);
    value(v);
  }

 private:
  struct Level {
    bool object = false;
    bool empty = true;
  };
  void before_value();
  void open(char c, bool object);
  void close(char c);
  void newline_indent();
  void string(std::string_view s);

  std::string& out_;
  std::vector<Level> stack_;
};

}  // namespace vdc::report
