// The CSV reader and the text helpers of vdc::io on texts written here: RFC 4180 quoting,
// line endings, the byte-order mark, blank and missing last lines, and both syntax errors
// with their exact messages.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "vdc/io/csv.hpp"
#include "vdc/io/read_error.hpp"
#include "vdc/io/text.hpp"

using vdc::io::CsvReader;
using vdc::io::ReadError;
using vdc::io::ReadProblem;
using Row = std::vector<std::string>;

namespace {

/// Every row of `text` with the line it starts on.
std::vector<std::pair<int, Row>> rows_of(std::string_view text, char delimiter = ',') {
  CsvReader reader(text, "f.csv", delimiter);
  std::vector<std::pair<int, Row>> rows;
  Row fields;
  while (reader.next_row(fields)) rows.emplace_back(reader.line(), fields);
  return rows;
}

/// The ReadError `text` raises; fails the test when it raises none.
ReadError error_of(std::string_view text) {
  try {
    (void)rows_of(text);
  } catch (const ReadError& e) {
    return e;
  }
  FAIL("no error");
  return ReadError(ReadProblem::csv, {}, "", "");
}

}  // namespace

TEST_CASE("quoted fields keep their commas, doubled quotes and line breaks") {
  const auto rows = rows_of(
      "name,note\n"
      "\"Smith, J.\",\"said \"\"hi\"\"\"\n"
      "\"two\nlines\",\"\"\n"
      "after,x\n");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == std::pair<int, Row>{1, {"name", "note"}});
  CHECK(rows[1] == std::pair<int, Row>{2, {"Smith, J.", "said \"hi\""}});
  // A quoted line break stays in the field; the next row starts two lines further on.
  CHECK(rows[2] == std::pair<int, Row>{3, {"two\nlines", ""}});
  CHECK(rows[3] == std::pair<int, Row>{5, {"after", "x"}});
}

TEST_CASE("CRLF, LF and lone CR all end a row; the CR is not part of the last field") {
  CHECK(rows_of("a,b\r\n1,2\r\n") ==
        std::vector<std::pair<int, Row>>{{1, {"a", "b"}}, {2, {"1", "2"}}});
  CHECK(rows_of("a\rb\nc") == std::vector<std::pair<int, Row>>{{1, {"a"}}, {2, {"b"}}, {3, {"c"}}});
  // A quoted field keeps a CRLF inside it as it is.
  CHECK(rows_of("\"x\r\ny\",z\r\n") == std::vector<std::pair<int, Row>>{{1, {"x\r\ny", "z"}}});
}

TEST_CASE("a leading byte-order mark is skipped, one elsewhere is data") {
  CHECK(rows_of("\xEF\xBB\xBFVM,Host\nvm1,esx01\n") ==
        std::vector<std::pair<int, Row>>{{1, {"VM", "Host"}}, {2, {"vm1", "esx01"}}});
  CHECK(rows_of("a\n\xEF\xBB\xBF"
                "b\n") == std::vector<std::pair<int, Row>>{{1, {"a"}}, {2, {"\xEF\xBB\xBF"
                                                                             "b"}}});
  CHECK(rows_of("\xEF\xBB\xBF").empty());
}

TEST_CASE("blank lines and an empty last line make no rows; empty fields do") {
  CHECK(rows_of("a,b\n1,2\n\n") == std::vector<std::pair<int, Row>>{{1, {"a", "b"}}, {2, {"1", "2"}}});
  CHECK(rows_of("a,b\n1,2") == std::vector<std::pair<int, Row>>{{1, {"a", "b"}}, {2, {"1", "2"}}});
  CHECK(rows_of("a\n\n\r\n\nb\n") == std::vector<std::pair<int, Row>>{{1, {"a"}}, {5, {"b"}}});
  CHECK(rows_of("1,\n,\n") == std::vector<std::pair<int, Row>>{{1, {"1", ""}}, {2, {"", ""}}});
  CHECK(rows_of("").empty());
  CHECK(rows_of("\n\r\n").empty());
}

TEST_CASE("the fields vector is reused: a shorter row shrinks it") {
  CsvReader reader("a,b,c,d\nx\n", "f.csv", ',');
  Row fields{"old", "old", "old", "old", "old", "old"};
  REQUIRE(reader.next_row(fields));
  CHECK(fields == Row{"a", "b", "c", "d"});
  REQUIRE(reader.next_row(fields));
  CHECK(fields == Row{"x"});
  CHECK_FALSE(reader.next_row(fields));
  CHECK(reader.file() == "f.csv");
}

TEST_CASE("other delimiters, and the delimiter guessed from the first line") {
  CHECK(rows_of("a;\"b;c\";d\n", ';') == std::vector<std::pair<int, Row>>{{1, {"a", "b;c", "d"}}});
  CHECK(rows_of("a\t b\n", '\t') == std::vector<std::pair<int, Row>>{{1, {"a", " b"}}});
  using vdc::io::detect_delimiter;
  CHECK(detect_delimiter("a;b;c\n1,2,3,4,5") == ';');  // the first line alone counts
  CHECK(detect_delimiter("a\tb\n") == '\t');
  CHECK(detect_delimiter("\"x;y;z\",b\n") == ',');  // quoted delimiters do not count
  CHECK(detect_delimiter("a,b;c\n") == ',');         // a tie
  CHECK(detect_delimiter("abc\n") == ',');           // none
  CHECK(detect_delimiter("") == ',');
}

TEST_CASE("a quoted field without its closing quote: the line it opens on, its field") {
  const ReadError e = error_of("a,b\n1,\"open\nmore\n");
  CHECK(e.kind() == ReadProblem::csv);
  CHECK(e.file() == "f.csv");
  CHECK(e.line() == 2);
  CHECK(e.field() == 2);
  CHECK(e.problem() == "unterminated quoted field");
  CHECK(e.expected() == "a closing '\"'");
  CHECK(std::string(e.what()) == "f.csv:2: error: field 2: unterminated quoted field (expected a closing '\"')");
}

TEST_CASE("text after a closing quote: the line the quote closes on") {
  CHECK(std::string(error_of("a,b\n\"x\"y,2\n").what()) ==
        "f.csv:2: error: field 1: text after a closing quote (expected the delimiter or the end of the "
        "row after a quoted field)");
  // The quote opens on line 1 and closes on line 2, where the stray text is.
  const ReadError e = error_of("h1,h2\n1,\"a\nb\" \n");
  CHECK(e.line() == 3);
  CHECK(e.field() == 2);
}

TEST_CASE("trim, iequals and parse_number") {
  using vdc::io::iequals;
  using vdc::io::parse_number;
  using vdc::io::trim;
  CHECK(trim(" \tx y\t ") == "x y");
  CHECK(trim(" \t ").empty());
  CHECK(trim("\nx\n") == "\nx\n");  // spaces and tabs only
  CHECK(iequals("vInfo", "VINFO"));
  CHECK(iequals("", ""));
  CHECK_FALSE(iequals("vInfo", "vInfo "));
  CHECK_FALSE(iequals("\xC3\xA9", "\xC3\x89"));  // é and É: ASCII case only
  CHECK(parse_number(" 1e3 ") == 1000.0);
  CHECK(parse_number("-2.5") == -2.5);
  CHECK(parse_number("\t7\t") == 7.0);
  CHECK_FALSE(parse_number(""));
  CHECK_FALSE(parse_number("  "));
  CHECK_FALSE(parse_number("nan"));
  CHECK_FALSE(parse_number("inf"));
  CHECK_FALSE(parse_number("1e999"));
  CHECK_FALSE(parse_number("1,5"));
  CHECK_FALSE(parse_number("12 MB"));
}
