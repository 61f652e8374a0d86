// Each reader on small texts written here, and every error a user can cause, with its
// exact message.
#include <filesystem>

#include <doctest/doctest.h>

#include "trace_test_util.hpp"
#include "vdc/models/trace/trace_cache.hpp"
#include "vdc/models/trace/trace_reader.hpp"

using namespace vdc::sim::literals;
using namespace vdc::models::trace;
using vdc::models::TraceCpu;
using vdc::models::TraceFormat;

namespace {

// Two rows share a timestamp, one has zero cores, and the steps are uneven (300, 126 s).
constexpr std::string_view bitbrains_text =
    "Timestamp [ms];\tCPU cores;\tCPU capacity provisioned [MHZ];\tCPU usage [MHZ];\tCPU usage "
    "[%];\t"
    "Memory capacity provisioned [KB];\tMemory usage [KB];\tDisk read throughput [KB/s];\t"
    "Disk write throughput [KB/s];\tNetwork received throughput [KB/s];\tNetwork transmitted "
    "throughput [KB/s]\n"
    "1372629804;\t2;\t5851.9989;\t87.78;\t1.5;\t8218624.0;\t1034592.8;\t160.8;\t21.7;\t0.26;\t1."
    "46\n"
    "1372630104;\t2;\t5851.9989;\t29.25;\t0.5;\t8218624.0;\t458575.4;\t0.0;\t2.3;\t0.2;\t1.0\n"
    "1372630104;\t0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0;\t0.0\n"
    "1372630230;\t2;\t5851.9989;\t58.5;\t1.0;\t8218624.0;\t78292.2;\t0.0;\t0.8;\t0.06;\t1.0\n";

std::string message_of(const auto& call) {
  try {
    call();
  } catch (const TraceError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("bitbrains: epoch seconds, uneven steps, duplicate rows and zero-core rows") {
  const TraceSeries s = parse_bitbrains(bitbrains_text, "1.csv", "cpu_mhz");
  CHECK(s.unit() == TraceUnit::mhz);
  REQUIRE(s.size() == 3);
  CHECK(s.value(0) == doctest::Approx(87.78));
  CHECK(s.value(1) == 0.0);  // the later of the two rows at 1372630104
  CHECK(s.time(2) == 426_s);
  CHECK(s.span() == 552_s);  // the last sample lasts the 126 s before it
  const TraceSeries mem = parse_bitbrains(bitbrains_text, "1.csv", "Memory usage [KB]");
  CHECK(mem.unit() == TraceUnit::kilobytes);
  CHECK(mem.value(2) == doctest::Approx(78292.2));
  CHECK(parse_bitbrains(bitbrains_text, "1.csv", "").unit() == TraceUnit::mhz);
  CHECK(parse_bitbrains(bitbrains_text, "1.csv", "cpu_pct").unit() == TraceUnit::percent);
}

TEST_CASE("bitbrains without a header reads the GWA-T-12 column order") {
  const TraceSeries s = parse_bitbrains(
      "100; 1; 2; 3; 4; 5; 6; 7; 8; 9; 10\r\n400; 1; 2; 30; 4; 5; 6; 7; 8; 9; 10\r\n", "x.csv",
      "cpu_mhz");
  CHECK(s.value(0) == 3.0);
  CHECK(s.value(1) == 30.0);
  CHECK(s.span() == 600_s);
}

TEST_CASE("bitbrains errors name the file, line, field and what was expected") {
  const std::string header(bitbrains_text.substr(0, bitbrains_text.find('\n') + 1));
  CHECK(message_of([&] {
          (void)parse_bitbrains(
              header + "1372629804;\t2;\t5851.9;\tabc;\t1;\t1;\t1;\t1;\t1;\t1;\t1\n", "b.csv",
              "cpu_mhz");
        }) ==
        "b.csv:2: error: field 4 'CPU usage [MHZ]': 'abc' is not a usable value (expected a "
        "non-negative decimal number)");
  CHECK(message_of([&] {
          (void)parse_bitbrains(header + "1372629804;\t2;\t5851.9\n", "b.csv", "cpu_mhz");
        }) == "b.csv:2: error: the row has 3 fields (expected 11 fields separated by ';')");
  CHECK(message_of([&] {
          (void)parse_bitbrains(header + "13726x;\t2;\t5.9;\t1;\t1;\t1;\t1;\t1;\t1;\t1;\t1\n",
                                "b.csv", "cpu_mhz");
        }) ==
        "b.csv:2: error: field 1 'Timestamp [ms]': '13726x' is not a timestamp (expected whole "
        "epoch seconds, like 1372629804)");
  CHECK(message_of([&] {
          (void)parse_bitbrains(header + "200;1;1;1;1;1;1;1;1;1;1\n100;1;1;1;1;1;1;1;1;1;1\n",
                                "b.csv", "cpu_mhz");
        }) ==
        "b.csv:3: error: field 1 'Timestamp [ms]': timestamp 100 is before the previous row's 200 "
        "(expected non-decreasing timestamps)");
  CHECK(message_of([] {
          (void)parse_bitbrains("Timestamp [ms]; CPU cores\n1; 2\n", "b.csv", "cpu_mhz");
        }) ==
        "b.csv:1: error: missing column 'CPU usage [MHZ]' (cpu_mhz) (expected a GWA-T-12 header "
        "with that column)");
  CHECK(message_of([&] { (void)parse_bitbrains(header, "b.csv", "cpu_mhz"); }) ==
        "b.csv: error: the trace has no data rows (expected at least one row of samples)");
  CHECK(message_of([&] { (void)parse_bitbrains(bitbrains_text, "b.csv", "gpu"); })
            .starts_with("b.csv: error: unknown bitbrains column 'gpu' (expected one of cores, "
                         "cpu_capacity_mhz, cpu_mhz,"));
}

TEST_CASE("planetlab: one percentage per line, 300 s apart") {
  const TraceSeries s = parse_planetlab("24\n34\r\n29\n\n\n", "p");
  CHECK(s.size() == 3);
  CHECK(s.time(1) == 300_s);
  CHECK(s.span() == 900_s);
  CHECK(s.integral() == doctest::Approx((24 + 34 + 29) * 300.0));
  CHECK(message_of([] { (void)parse_planetlab("24\n3x\n", "p"); }) ==
        "p:2: error: field 1: '3x' is not a percentage (expected a whole number from 0 to 100)");
  CHECK(message_of([] { (void)parse_planetlab("24\n\n29\n", "p"); }) ==
        "p:2: error: field 1: '' is not a percentage (expected a whole number from 0 to 100)");
  CHECK(message_of([] {
          (void)parse_planetlab("101\n", "p");
        }).starts_with("p:1: error: field 1: '101'"));
  CHECK(message_of([] { (void)parse_planetlab("\n \n", "p"); }) ==
        "p: error: the trace has no data rows (expected one percentage per line)");
}

TEST_CASE("azure: every VM column of the file at once, rows 300 s apart") {
  const TraceTable t =
      parse_azure("timestamp,1633748,223811\n1,44.5,5.8\n2,47.9,5.6\n3,40,6\n", "az.csv");
  REQUIRE(t.columns.size() == 2);
  CHECK(t.find("223811") == 1);
  const auto& s = std::get<TraceSeries>(t.results[0]);
  CHECK(s.unit() == TraceUnit::percent);
  CHECK(s.time(2) == 600_s);
  CHECK(s.span() == 900_s);
  CHECK(message_of([] { (void)parse_azure("timestamp,a\n1.5,3\n", "az.csv"); }) ==
        "az.csv:2: error: field 1 'timestamp': '1.5' is not a row number (expected a whole number "
        "counting 5-minute steps)");
}

TEST_CASE(
    "csv: detected delimiter, ISO or fractional times, MHz by name, a bad column kept aside") {
  const TraceTable t = parse_csv(
      "name;when;cpu [MHz];util\nweb;2013-07-01T00:00:00Z;100;1\nweb;2013-07-01 00:00:01.5;200;x\n",
      "c.csv", "when");
  REQUIRE(t.columns.size() == 3);
  CHECK(std::holds_alternative<TraceError>(t.results[0]));  // "name" holds text
  const auto& mhz = std::get<TraceSeries>(t.results[1]);
  CHECK(mhz.unit() == TraceUnit::mhz);
  CHECK(mhz.tick() == 1_ms);
  CHECK(mhz.time(1) == 1500_ms);
  CHECK(mhz.span() == 3_s);
  CHECK(std::string(std::get<TraceError>(t.results[2]).what()) ==
        "c.csv:3: error: field 4 'util': 'x' is not a usable value (expected a non-negative "
        "decimal number)");
  const TraceTable secs = parse_csv("t,v\n0,1\n60,2\n", "s.csv", "");
  CHECK(std::get<TraceSeries>(secs.results[0]).tick() == 1_s);
  CHECK(std::get<TraceSeries>(secs.results[0]).unit() == TraceUnit::percent);
}

TEST_CASE("csv errors: missing time column, short rows, bad times, a single time, bad quotes") {
  CHECK(message_of([] { (void)parse_csv("t,v\n0,1\n", "c.csv", "time"); }) ==
        "c.csv:1: error: missing time column 'time' (expected one of the header's columns: t, v)");
  CHECK(message_of([] { (void)parse_csv("t,v\n0,1\n5\n", "c.csv", ""); }) ==
        "c.csv:3: error: the row has 1 fields (expected 2 fields like the header)");
  CHECK(message_of([] { (void)parse_csv("t,v\n0,1\n2013-02-30 00:00,1\n", "c.csv", ""); }) ==
        "c.csv:3: error: field 1 't': '2013-02-30 00:00' is not a time (expected seconds, like 300 "
        "or 1.5, or an ISO 8601 date-time)");
  CHECK(message_of([] { (void)parse_csv("t,v\n5,1\n5,2\n", "c.csv", ""); }) ==
        "c.csv: error: every row has the same time (expected at least two distinct times, so the "
        "sampling step is known)");
  CHECK(message_of([] { (void)parse_csv("t,v\n0,\"1\n", "c.csv", ""); }) ==
        "c.csv:2: error: field 2: unterminated quoted field (expected a closing '\"')");
  CHECK(message_of([] { (void)parse_csv("t,v\n0,\"1\"x\n", "c.csv", ""); }) ==
        "c.csv:2: error: field 2: text after a closing quote (expected the delimiter or the end of "
        "the row after a quoted field)");
}

TEST_CASE("gzip files are read with zlib; empty, truncated and corrupt ones are errors") {
  const vdc::test::TempDir dir;
  const std::string gz = vdc::test::gzip(bitbrains_text);
  CHECK(read_trace_file(dir.write("1.csv.gz", gz)) == bitbrains_text);
  CHECK(read_trace_file(dir.write("1.csv", bitbrains_text)) == bitbrains_text);
  // Two members one after the other, as `cat a.gz b.gz` makes.
  CHECK(read_trace_file(dir.write("2.csv.gz", vdc::test::gzip("ab") + vdc::test::gzip("cd"))) ==
        "abcd");
  const std::string empty = dir.write("e.csv.gz", "");
  CHECK(message_of([&] { (void)read_trace_file(empty); }) ==
        empty + ": error: the file is empty (expected a trace with samples)");
  const std::string cut = dir.write("t.csv.gz", gz.substr(0, gz.size() - 12));
  CHECK(message_of([&] { (void)read_trace_file(cut); }) ==
        cut + ": error: truncated gzip data (expected a complete gzip file)");
  std::string bad = gz;
  bad[bad.size() - 6] =
      static_cast<char>(bad[bad.size() - 6] ^ 0x55);  // inside the CRC/length trailer
  const std::string corrupt = dir.write("c.csv.gz", bad);
  CHECK(message_of([&] {
          (void)read_trace_file(corrupt);
        }).starts_with(corrupt + ": error: corrupt gzip data ("));
  CHECK(message_of([&] { (void)read_trace_file(dir.write("h.gz", "\x1f\x8b")); }).find("gzip") !=
        std::string::npos);
  const std::string missing = (dir.path() / "nope.csv").string();
  CHECK(message_of([&] {
          (void)read_trace_file(missing);
        }).starts_with(missing + ": error: cannot open the file: "));
}

TEST_CASE("the cache parses a file once and shares its series among VMs") {
  const vdc::test::TempDir dir;
  TraceCache cache;
  TraceCpu bb{TraceFormat::bitbrains,
              dir.write("1.csv.gz", vdc::test::gzip(bitbrains_text)),
              "",
              "",
              {},
              1.0,
              {}, {}};
  const TraceSeries& a = cache.get(bb);
  bb.column = "CPU usage [MHZ]";
  CHECK(&cache.get(bb) == &a);  // the header name and the short name are one column
  CHECK(cache.size() == 1);

  const std::string csv = dir.write("vms.csv", "t,vm1,vm2\n0,10,20\n300,30,40\n");
  const TraceCpu vm1{TraceFormat::csv, csv, "vm1", "", {}, 1.0, {}, {}};
  const TraceCpu vm2{TraceFormat::csv, csv, "VM2", "", {}, 1.0, {}, {}};
  CHECK(cache.get(vm1).value(1) == 30.0);
  std::filesystem::remove(csv);  // every column was read with the first request
  CHECK(cache.get(vm2).value(0) == 20.0);
  CHECK(cache.size() == 3);
  CHECK(cache.bytes() > 0);
  const TraceCpu vm3{TraceFormat::csv, csv, "vm3", "", {}, 1.0, {}, {}};
  CHECK(
      message_of([&] { (void)cache.get(vm3); }) ==
      csv +
          ":1: error: missing column 'vm3' (expected one of the header's value columns: vm1, vm2)");
  const TraceCpu none{TraceFormat::azure, csv, "", "", {}, 1.0, {}, {}};
  CHECK(message_of([&] { (void)cache.get(none); }) ==
        csv +
            ": error: no column named for this azure trace (expected column: a VM id from the "
            "file's header)");
}

TEST_CASE("a driver's cursor gives demand per vCPU as a fraction of one core") {
  const vdc::test::TempDir dir;
  TraceCache cache;
  // 87.78 MHz used by a 2-vCPU VM on 2926 MHz cores, doubled by scale.
  const TraceCpu bb{
      TraceFormat::bitbrains, dir.write("1.csv", bitbrains_text), "cpu_mhz", "", {}, 2.0, {}, {}};
  TraceCursor c = make_cpu_cursor(cache, bb, 2, 2926.0);
  CHECK(c.value_at(0_s) == doctest::Approx(2.0 * 87.78 / (2 * 2926.0)));
  TraceCpu mem = bb;
  mem.column = "mem_kb";
  CHECK(message_of([&] {
          (void)make_cpu_cursor(cache, mem, 2, 2926.0);
        }).find("not a CPU measure") != std::string::npos);
}

TEST_CASE("a memory cursor gives the guest's active memory in MiB") {
  const vdc::test::TempDir dir;
  TraceCache cache;
  // 1,034,592.8 KB used, doubled by scale: 2 x 1034592.8 / 1024 MiB, whatever the VM's size.
  TraceCpu bb{
      TraceFormat::bitbrains, dir.write("1.csv", bitbrains_text), "cpu_mhz", "", {}, 2.0, {}, {}};
  bb.memory_column = "Memory usage [KB]";
  TraceCursor c = make_memory_cursor(cache, bb, 8192.0);
  CHECK(c.value_at(0_s) == doctest::Approx(2.0 * 1034592.8 / 1024.0));
  bb.memory_column = "mem_kb";
  CHECK(&make_memory_cursor(cache, bb, 4096.0).series() == &c.series());
  bb.memory_column = "cpu_mhz";
  CHECK(message_of([&] { (void)make_memory_cursor(cache, bb, 8192.0); })
            .find("not a memory measure") != std::string::npos);
}

TEST_CASE("a csv column's unit comes from the last word of its name") {
  // MHz: ends in mhz. KB, MB, GB (binary): a separate last word kb/kib, mb/mib, gb/gib.
  // Anything else, "thumb" included (no separator before "mb"), is percent of the VM.
  const vdc::test::TempDir dir;
  TraceCache cache;
  const std::string file = dir.write(
      "units.csv", "t,CPU usage [MHz],mem_kb,Memory (MiB),used GB,mem-gib,thumb,cpu\n"
                   "0,1,1,1,1,1,1,1\n300,1,1,1,1,1,1,1\n");
  const std::pair<const char*, TraceUnit> expected[] = {
      {"CPU usage [MHz]", TraceUnit::mhz},  {"mem_kb", TraceUnit::kilobytes},
      {"Memory (MiB)", TraceUnit::megabytes}, {"used GB", TraceUnit::gigabytes},
      {"mem-gib", TraceUnit::gigabytes},    {"thumb", TraceUnit::percent},
      {"cpu", TraceUnit::percent}};
  for (const auto& entry : expected) {
    const std::string column = entry.first;
    CAPTURE(column);
    const TraceCpu t{TraceFormat::csv, file, column, "", {}, 1.0, {}, {}};
    CHECK(cache.get(t).unit() == entry.second);
  }
  // Memory in MiB for a 4096 MiB VM: KB / 1024, MB, GB x 1024, percent x 40.96.
  const TraceSeries& gb = cache.get(TraceCpu{TraceFormat::csv, file, "used GB", "", {}, 1.0, {}, {}});
  CHECK(memory_mib_factor(gb, 4096.0) == 1024.0);
  const TraceSeries& pct = cache.get(TraceCpu{TraceFormat::csv, file, "cpu", "", {}, 1.0, {}, {}});
  CHECK(memory_mib_factor(pct, 4096.0) == doctest::Approx(40.96));
}

TEST_CASE("a bitbrains file is parsed once for a VM's CPU and memory columns") {
  const vdc::test::TempDir dir;
  TraceCache cache;
  const std::string file = dir.write("1.csv", bitbrains_text);
  TraceCpu bb{TraceFormat::bitbrains, file, "cpu_mhz", "", {}, 1.0, {}, {}};
  bb.memory_column = "mem_kb";
  CHECK(cache.get(bb).value(0) == doctest::Approx(87.78));
  CHECK(cache.size() == 2);
  std::filesystem::remove(file);  // the memory column came with the first request
  CHECK(make_memory_cursor(cache, bb, 4096.0).value_at(0_s) == doctest::Approx(1034592.8 / 1024.0));
}

TEST_CASE("a bad value in one bitbrains column spoils that column only") {
  // Line 6's memory usage is text: the CPU column reads fine (87.78, 0 where the zero-core
  // row replaces its twin, 58.5, 90), the memory column names the field.
  const vdc::test::TempDir dir;
  const std::string text = std::string(bitbrains_text) +
                           "1372630530;\t2;\t5851.9989;\t90.0;\t1.5;\t8218624.0;\tabc;\t0;\t0;\t0;\t0\n";
  const std::string file = dir.write("1.csv", text);
  const std::string_view columns[] = {"cpu_mhz", "mem_kb", "nonsense"};
  auto results = parse_bitbrains_columns(text, file, columns);
  REQUIRE(results.size() == 3);
  CHECK(std::get<TraceSeries>(results[0]).size() == 4);
  CHECK(std::get<TraceSeries>(results[0]).value(3) == doctest::Approx(90.0));
  const auto& bad = std::get<TraceError>(results[1]);
  CHECK(bad.line() == 6);
  CHECK(bad.field() == 7);
  CHECK(bad.column() == "Memory usage [KB]");
  CHECK(std::string(std::get<TraceError>(results[2]).what()).find("unknown bitbrains column 'nonsense'") !=
        std::string::npos);
}
