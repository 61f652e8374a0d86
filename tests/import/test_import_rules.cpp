// Import rules on exports written here: errors with their exact messages, the placement
// rule worked out by hand, names the scenario format cannot hold, allocations that need
// adjusting, datastores, xlsx cell kinds and the command's exit codes.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include <doctest/doctest.h>

#include "fuzz_import_targets.hpp"
#include "import_test_util.hpp"
#include "vdc/import/rvtools.hpp"
#include "vdc/scenario/loader.hpp"

using vdc::import::ImportError;
using vdc::import::ImportResult;

namespace {

const std::string host_header =
    "Host,Cluster,Speed,# CPU,Cores per CPU,# Memory,HT Active,Vendor,Model\n";
const std::string vm_header = "VM,Powerstate,Template,CPUs,Memory,Cluster,Host\n";

std::string message_of(const auto& call) {
  try {
    call();
  } catch (const ImportError& e) {
    return e.what();
  }
  return "(no error)";
}

/// A CSV folder with the given vHost and vInfo bodies (headers added).
ImportResult import_csv(const vdc::test::ScratchDir& dir, const std::string& hosts,
                        const std::string& vms) {
  dir.write("x_tabvHost.csv", host_header + hosts);
  dir.write("x_tabvInfo.csv", vm_header + vms);
  return vdc::import::import_rvtools(dir.path());
}

}  // namespace

TEST_CASE("a malformed row names the file, sheet, row and column") {
  const vdc::test::ScratchDir dir;
  const std::string file = (dir.path() / "x_tabvInfo.csv").string();
  CHECK(message_of([&] {
          (void)import_csv(dir, "h1,C,2000,1,4,8192,False,,\n",
                           "a,poweredOn,False,2,1024,C,h1\nb,poweredOn,False,abc,1024,C,h1\n");
        }) == file +
                  ": sheet vInfo, row 3, column 'CPUs': 'abc' is out of range or not a number "
                  "(expected a vCPU count from 1 to 768)");
  CHECK(message_of([&] {
          (void)import_csv(dir, "h1,C,2000,1,4,8192,False,,\n", "a,running,False,2,1024,C,h1\n");
        }) == file +
                  ": sheet vInfo, row 2, column 'Powerstate': 'running' is not a power state "
                  "(expected poweredOn, poweredOff or suspended)");
  CHECK(message_of([&] {
          (void)import_csv(dir, "h1,C,2000,1,4,8192,False,,\n", "a,poweredOn,False,2,,C,h1\n");
        }) == file +
                  ": sheet vInfo, row 2, column 'Memory': the cell is empty (expected memory in "
                  "MiB from 4 to 25165824 (24 TiB), here or in the vMemory tab)");
  CHECK(
      message_of([&] {
        (void)import_csv(dir, "h1,C,2000,1,4,8192,False,,\n",
                         "a,poweredOn,False,2,1024,C,h1,extra\n");
      }) ==
      file +
          ": sheet vInfo, row 2: the row has 8 fields (expected at most 7 fields like the header)");
  const std::string hosts = (dir.path() / "x_tabvHost.csv").string();
  CHECK(message_of([&] {
          (void)import_csv(dir, "h1,C,2000,1,4,8192,False,,\nh1,C,2000,1,4,8192,False,,\n", "");
        }) == hosts +
                  ": sheet vHost, row 3, column 'Host': host 'h1' is listed twice (first at row 2) "
                  "(expected one row per host)");
}

TEST_CASE("a missing column or tab is an error naming it") {
  const vdc::test::ScratchDir dir;
  dir.write("x_tabvHost.csv", "Host,Cluster,Speed,# CPU,Cores per CPU\nh1,C,2000,1,4\n");
  dir.write("x_tabvInfo.csv", vm_header);
  CHECK(message_of([&] { (void)vdc::import::import_rvtools(dir.path()); }) ==
        (dir.path() / "x_tabvHost.csv").string() +
            ": sheet vHost: missing column '# Memory' (expected a header with '# Memory')");
  std::filesystem::remove(dir.path() / "x_tabvHost.csv");
  CHECK(message_of([&] { (void)vdc::import::import_rvtools(dir.path()); }) ==
        dir.path().string() +
            ": missing tab vHost (expected an RVTools export with the vInfo and vHost tabs)");
  dir.write("y_tabvInfo.csv", vm_header);
  CHECK(message_of([&] { (void)vdc::import::import_rvtools(dir.path()); }) ==
        dir.path().string() +
            ": two files hold tab vInfo: x_tabvInfo.csv and y_tabvInfo.csv (expected one CSV file "
            "per tab)");
  CHECK(message_of([&] { (void)vdc::import::import_rvtools(dir.path() / "none.xlsx"); }) ==
        (dir.path() / "none.xlsx").string() +
            ": no such file or folder (expected an RVTools .xlsx, or a folder of its per-tab CSV "
            "files)");
}

TEST_CASE("unmatched VMs of equal memory go to the less CPU-loaded host on a memory tie") {
  // h1 has 8 cores, h2 4, both 16 GiB. v6 names h2's FQDN: matched by short name and
  // assigned before any placement, so h2 starts at 1/4 vCPU per core and 15360 MiB free.
  // All placed VMs have 1 GiB: powered-on first, most vCPUs first (v1, v2, then v3 and v5
  // in vInfo order), then v4 (off). v1: h1 has more free memory -> h1 (15360 free, 4/8).
  // v2: free tie at 15360, h2 less loaded (1/4 < 4/8) -> h2 (14336, 3/4). v3: h1 has more
  // free -> h1 (14336, 5/8). v5: tie at 14336, h1 less loaded (5/8 < 3/4) -> h1 (13312).
  // v4 (off, no load): h2 has the most free memory.
  const vdc::test::ScratchDir dir;
  const ImportResult r = import_csv(
      dir,
      "h1,C,2000,2,4,16384,False,,\nh2,C,2000,1,4,16384,False,,\nother,D,2000,1,4,16384,False,,\n",
      "v1,poweredOn,False,4,1024,C,gone\nv2,poweredOn,False,2,1024,C,gone\n"
      "v3,poweredOn,False,1,1024,C,gone\nv4,poweredOff,False,8,1024,C,gone\n"
      "v5,poweredOn,False,1,1024,C,gone\nv6,poweredOn,False,1,1024,C,H2.example.com\n");
  std::vector<std::string> hosts;
  for (const auto& vm : r.config.vms) hosts.push_back(vm.host);
  CHECK(hosts == std::vector<std::string>{"h1", "h2", "h1", "h2", "h1", "h2"});
  CHECK(r.placements.size() == 5);
  CHECK(r.mappings[1].rule == vdc::import::MatchRule::short_name);
}

TEST_CASE("names the scenario format cannot hold are changed, noted, and survive the loader") {
  const vdc::test::ScratchDir dir;
  const ImportResult r =
      import_csv(dir, "\"esx/1\",\"Prod: A\",2000,1,4,16384,True,Dell Inc.,PowerEdge R640\n",
                 "a/b,poweredOn,False,1,1024,\"Prod: A\",esx/1\n"
                 "web{1..3},poweredOn,False,1,1024,\"Prod: A\",esx/1\n"
                 "dup,poweredOn,False,1,1024,\"Prod: A\",esx/1\n"
                 "dup,suspended,False,1,1024,\"Prod: A\",esx/1\n"
                 "true,poweredOff,False,1,1024,\"Prod: A\",esx/1\n"
                 "\"say \"\"hi\"\" # x\",poweredOn,False,1,1024,\"Prod: A\",esx/1\n");
  std::vector<std::string> names;
  for (const auto& vm : r.config.vms) names.push_back(vm.name);
  CHECK(names ==
        std::vector<std::string>{"a_b", "web(1..3)", "dup", "dup (2)", "true", "say \"hi\" # x"});
  CHECK(r.config.hosts[0].name == "esx_1");
  CHECK(r.config.hosts[0].cpu.threads_per_core == 2);
  CHECK(r.profiles[0].name == "dell-inc-poweredge-r640");
  CHECK(std::count(r.disagreements.begin(), r.disagreements.end(),
                   "VM 'dup' renamed 'dup (2)' (the name is taken)") == 1);
  CHECK(std::count(r.disagreements.begin(), r.disagreements.end(),
                   "1 suspended VMs imported powered off") == 1);
  const auto loaded = vdc::scenario::load_string(vdc::import::to_scenario_yaml(r), "names.yaml");
  REQUIRE(loaded.ok());
  for (std::size_t i = 0; i < names.size(); ++i) CHECK(loaded.config->vms[i].name == names[i]);
  CHECK(loaded.config->vms[3].powered_on == false);
  CHECK(loaded.config->clusters[0].name == "Prod: A");
}

TEST_CASE("allocations outside the scenario's bounds are adjusted and noted") {
  const vdc::test::ScratchDir dir;
  dir.write("x_tabvCPU.csv",
            "VM,CPUs,Level,Shares,Reservation,Limit\na,2,custom,5000000,500,300\nb,1,high,2000,0,-"
            "1\nghost,1,normal,1000,0,-1\n");
  dir.write("x_tabvMemory.csv",
            "VM,Size MB,Level,Shares,Reservation,Limit\na,1024,normal,10240,2048,-1\n");
  const ImportResult r =
      import_csv(dir, "h1,C,2000,1,4,16384,False,,\n",
                 "a,poweredOn,False,2,1024,C,h1\nb,poweredOn,False,1,1024,C,h1\n");
  const auto& a = r.config.vms[0];
  CHECK(a.cpu.level == vdc::models::ShareLevel::custom);
  CHECK(a.cpu.custom_shares == 1'000'000);
  CHECK(a.cpu.limit == 500.0);
  CHECK(a.mem.reservation == 1024.0);
  CHECK(r.config.vms[1].cpu.level == vdc::models::ShareLevel::high);
  for (const char* note :
       {"VM 'a': custom CPU shares 5000000 set to 1000000 (the scenario takes 1 to 1000000)",
        "VM 'a': CPU limit 300 MHz below its reservation, raised to 500 MHz",
        "VM 'a': memory reservation 2048 MiB above its memory, set to 1024 MiB",
        "vCPU row 4: VM 'ghost' is not in vInfo",
        "1 VMs of vInfo have no vMemory row (default allocation): b"}) {
    CAPTURE(note);
    CHECK(std::count(r.disagreements.begin(), r.disagreements.end(), note) == 1);
  }
  const std::string yaml = vdc::import::to_scenario_yaml(r);
  CHECK(
      yaml.find(
          "  - {name: a, vcpus: 2, memory: 1024 MiB, host: h1, cluster: C, cpu: {shares: 1000000, "
          "reservation: 500 MHz, limit: 500 MHz}, mem: {reservation: 1024 MiB}}\n") !=
      std::string::npos);
  const auto loaded = vdc::scenario::load_string(yaml, "alloc.yaml");
  REQUIRE(loaded.ok());
  CHECK(loaded.config->vms[0].cpu.custom_shares == 1'000'000);
}

TEST_CASE("vDatastore becomes datastores and vDisk each VM's disks; the summary says what was left out") {
  const vdc::test::ScratchDir dir;
  dir.write("x_tabvDatastore.csv",
            "Name,Type,Capacity MiB,Provisioned MiB,Free MiB,Hosts,Cluster name,Major Version\n"
            "ds1,VMFS,1048576,524288,262144,\"h1, h2\",,6\n"
            "ds5,VMFS,2097152,0,0,,,5\n"
            "nfs1,NFS41,512000,0,0,h1,,\n"
            "vsan1,vsan,4194304,0,0,\"h1, h2\",C,\n"
            "vsan2,vsan,1048576,0,0,,,\n"
            "pmem,PMEM,1024,0,0,,,\n");
  dir.write("x_tabvDisk.csv",
            "VM,Template,Disk Path,Capacity MiB,Thin,Eagerly Scrub,Raw\n"
            "a,False,[ds1] a/a.vmdk,102400,True,False,False\n"
            "a,False,[nfs1] a/a_1.vmdk,20480,False,False,False\n"
            "a,False,[vsan1] a/a_2.vmdk,10240,True,False,False\n"
            "b,False,[ds5] b/b.vmdk,51200,False,True,False\n"
            "b,False,[vsan2] b/b_1.vmdk,1024,True,False,False\n"
            "b,False,[ghost] b/b.vmdk,1024,True,False,False\n"
            "b,False,/vmfs/volumes/x.vmdk,1024,True,False,False\n"
            "b,False,[ds1] b/rdm.vmdk,1024,False,False,True\n"
            "t,True,[ds1] t/t.vmdk,1024,True,False,False\n"
            "zz,False,[ds1] zz.vmdk,1024,True,False,False\n"
            "b,False,[ds5] b/huge.vmdk,66060288,True,False,False\n");
  const ImportResult r = import_csv(dir,
                                    "h1,C,2000,1,4,16384,False,,\n"
                                    "h2,C,2000,1,4,16384,False,,\n"
                                    "h3,,2000,1,4,16384,False,,\n",
                                    "a,poweredOn,False,1,1024,C,h1\n"
                                    "b,poweredOn,False,1,1024,C,h2\n"
                                    "t,poweredOff,True,1,1024,C,h1\n");
  // Six rows: PMEM is no kind of the scenario, vsan2 names no cluster.
  REQUIRE(r.datastores.size() == 6);
  CHECK(r.datastores[4].left_out == "a vSAN datastore needs its cluster, and vDatastore names none");
  CHECK(r.datastores[5].left_out == "type 'PMEM' is not modelled");
  const auto& st = r.config.storage.datastores;
  REQUIRE(st.size() == 4);
  // vsan1: 4194304 MiB = 4096 GiB raw over the 2 hosts of cluster C.
  CHECK(st[3].capacity_per_host_gib == doctest::Approx(2048.0));
  // 11 rows: 1 of a template, 4 imported (3 on a, 1 on b), 6 left out for 6 reasons.
  CHECK(r.disks.rows == 11);
  CHECK(r.disks.templates == 1);
  CHECK(r.disks.imported == 4);
  CHECK(r.disks.vms == 2);
  CHECK(r.disks.left_out ==
        std::vector<std::string>{
            "1 disk: its datastore 'vsan2' was left out (a vSAN datastore needs its cluster, and "
            "vDatastore names none)",
            "1 disk: its datastore 'ghost' is not in vDatastore",
            "1 disk: its Disk Path is not \"[datastore] folder/file.vmdk\"",
            "1 disk: a raw device mapping, not a virtual disk on a datastore",
            "1 disk: the VM is not in vInfo (or is a template)",
            "1 disk: larger than the largest VMFS disk (62 TiB) on 'ds5'"});

  const std::string yaml = vdc::import::to_scenario_yaml(r);
  for (const std::string line :
       {"datastores:\n"
        "  - {name: ds1, kind: vmfs, version: 6, capacity: 1048576 MiB, hosts: [h1, h2]}\n"
        "  - {name: ds5, kind: vmfs, version: 5, capacity: 2097152 MiB}\n"
        "  - {name: nfs1, kind: nfs, version: 4.1, capacity: 512000 MiB, hosts: [h1], vaai_nas: true}\n"
        "  - {name: vsan1, kind: vsan, cluster: C, capacity_per_host: 2097152 MiB}\n"
        "vms:\n",
        ", disks: [{size: 102400 MiB, datastore: ds1}, {size: 20480 MiB, datastore: nfs1, "
        "provisioning: lazy_zeroed}, {size: 10240 MiB, datastore: vsan1}]}\n",
        ", disks: [{size: 51200 MiB, datastore: ds5, provisioning: eager_zeroed}]}\n",
        "# Storage: 4 of 6 datastores of vDatastore, 4 of 11 disks of vDisk; the summary says why\n"}) {
    CAPTURE(line);
    CHECK(yaml.find(line) != std::string::npos);
  }
  const auto loaded = vdc::scenario::load_string(yaml, "storage.yaml");
  INFO(yaml);
  REQUIRE(loaded.ok());
  CHECK(loaded.diagnostics.empty());
  const auto& vsan = loaded.config->storage.datastores.at(3);
  CHECK(vsan.hosts == std::vector<std::string>{"h1", "h2"});
  CHECK(loaded.config->vms.at(0).disks.size() == 3);
  CHECK(loaded.config->vms.at(0).disks.at(1).provisioning == vdc::models::Provisioning::lazy_zeroed);

  const std::string summary = vdc::import::import_summary(r);
  for (const std::string line :
       {"Datastores (vDatastore): 6, 4 imported\n",
        "  ds1                      VMFS             1024.0        256.0            512.0  as 'ds1'\n",
        "  vsan2                    vsan             1024.0          0.0              0.0  left out: a "
        "vSAN datastore needs its cluster, and vDatastore names none\n",
        "Disks (vDisk): 11 rows, 4 imported on 2 VMs, 1 of templates not imported\n",
        "  left out: 1 disk: its datastore 'ghost' is not in vDatastore\n",
        "  note: NFS datastore 'nfs1' holds thick disks: imported with vaai_nas: true (without "
        "VAAI-NAS only thin disks can be created on NFS)\n",
        "  vDatastore (6 rows): datastores: name, type, capacity, version, hosts, vSAN cluster; 4 of "
        "6 imported, listed below\n",
        "  vDisk (11 rows): virtual disks: size, datastore (from the path), provisioning; 4 of 11 "
        "imported, listed below\n"}) {
    CAPTURE(line);
    CHECK(summary.find(line) != std::string::npos);
  }
}

TEST_CASE("a malformed vDisk row is an error naming its tab, row and column") {
  const vdc::test::ScratchDir dir;
  dir.write("x_tabvDisk.csv", "VM,Disk Path,Capacity MiB,Thin\na,[ds1] a.vmdk,100,maybe\n");
  CHECK(message_of([&] { (void)import_csv(dir, "h1,C,2000,1,4,16384,False,,\n", ""); }) ==
        (dir.path() / "x_tabvDisk.csv").string() +
            ": sheet vDisk, row 2, column 'Thin': 'maybe' is not a boolean (expected True or False)");
}

TEST_CASE(
    "xlsx cells: shared and inline strings, numbers, booleans, and errors naming the sheet row") {
  const vdc::test::ScratchDir dir;
  const auto inline_str = [](const std::string& ref, const std::string& text) {
    return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><r><t>" + text + "</t></r></is></c>";
  };
  std::string hosts = "<row r=\"1\">";
  const char* host_cols[] = {"Host",          "Cluster",  "Speed",    "# CPU",
                             "Cores per CPU", "# Memory", "HT Active"};
  for (int i = 0; i < 7; ++i)
    hosts += inline_str(std::string(1, static_cast<char>('A' + i)) + "1", host_cols[i]);
  hosts +=
      "</row><row r=\"3\"><c r=\"A3\" t=\"s\"><v>0</v></c><c r=\"B3\" t=\"s\"><v>1</v></c><c "
      "r=\"C3\"><v>2600</v></c>"
      "<c r=\"D3\"><v>2</v></c><c r=\"E3\"><v>8</v></c><c r=\"F3\"><v>65536</v></c><c r=\"G3\" "
      "t=\"b\"><v>1</v></c></row>";
  const std::string vm_row_ok =
      "<row r=\"2\">" + inline_str("A2", "vm1") + inline_str("B2", "poweredOn") +
      "<c r=\"C2\"><v>4</v></c><c r=\"D2\"><v>8192</v></c><c r=\"E2\" t=\"s\"><v>1</v></c>" +
      "<c r=\"F2\" t=\"s\"><v>0</v></c></row>";
  std::string vms_head = "<row r=\"1\">";
  const char* vm_cols[] = {"VM", "Powerstate", "CPUs", "Memory", "Cluster", "Host"};
  for (int i = 0; i < 6; ++i)
    vms_head += inline_str(std::string(1, static_cast<char>('A' + i)) + "1", vm_cols[i]);
  vms_head += "</row>";
  const auto book = dir.path() / "book.xlsx";
  vdc::test::write_xlsx(book, {{"vInfo", vms_head + vm_row_ok}, {"vHost", hosts}},
                        {"esx-a", "Gold"});
  const ImportResult r = vdc::import::import_rvtools(book);
  REQUIRE(r.config.vms.size() == 1);
  CHECK(r.config.vms[0].host == "esx-a");
  CHECK(r.config.vms[0].vcpus == 4);
  CHECK(r.config.hosts[0].cpu.threads_per_core == 2);
  CHECK(r.tabs == std::vector<std::string>{"vInfo", "vHost"});

  const std::string bad_row = "<row r=\"7\">" + inline_str("A7", "vm2") +
                              inline_str("B7", "poweredOn") +
                              "<c r=\"C7\"><v>0</v></c><c r=\"D7\"><v>8192</v></c></row>";
  vdc::test::write_xlsx(book, {{"vInfo", vms_head + vm_row_ok + bad_row}, {"vHost", hosts}},
                        {"esx-a", "Gold"});
  CHECK(message_of([&] { (void)vdc::import::import_rvtools(book); }) ==
        book.string() +
            ": sheet vInfo, row 7, column 'CPUs': '0' is out of range or not a number (expected a "
            "vCPU count from 1 to 768)");
  const auto not_zip = dir.write("plain.xlsx", "hello");
  CHECK(message_of([&] {
          (void)vdc::import::import_rvtools(not_zip);
        }).starts_with(not_zip.string() + ": cannot open the workbook: "));
}

TEST_CASE("the import command writes the scenario atomically and exits 0, 2 or 1") {
  const vdc::test::ScratchDir dir;
  dir.write("x_tabvHost.csv", host_header + "h1,C,2000,1,4,8192,False,,\n");
  dir.write("x_tabvInfo.csv", vm_header + "a,poweredOn,False,2,1024,C,h1\n");
  const auto out = dir.path() / "scenario.yaml";
  const vdc::import::ImportCommandOptions options;
  std::ostringstream summary;
  std::ostringstream err;
  CHECK(vdc::import::import_rvtools_command(dir.path(), out, options, summary, err) == 0);
  CHECK(err.str().empty());
  CHECK(summary.str().find("Wrote " + out.string()) != std::string::npos);
  CHECK(vdc::import::import_rvtools_command(dir.path() / "missing", dir.path() / "other.yaml",
                                            options, summary, err) == 2);
  CHECK(err.str().starts_with("error: " + (dir.path() / "missing").string() +
                              ": no such file or folder"));
  std::ostringstream err2;
  CHECK(vdc::import::import_rvtools_command(dir.path(), dir.path() / "no/such/dir/s.yaml", options,
                                            summary, err2) == 1);
  CHECK(err2.str().starts_with("error: cannot create "));
}

TEST_CASE("import -o refuses to overwrite an existing file unless forced") {
  const vdc::test::ScratchDir dir;
  dir.write("x_tabvHost.csv", host_header + "h1,C,2000,1,4,8192,False,,\n");
  dir.write("x_tabvInfo.csv", vm_header + "a,poweredOn,False,2,1024,C,h1\n");
  const auto out = dir.write("scenario.yaml", "precious\n");
  vdc::import::ImportCommandOptions options;
  std::ostringstream summary;
  std::ostringstream err;
  CHECK(vdc::import::import_rvtools_command(dir.path(), out, options, summary, err) == 2);
  CHECK(err.str() == "error: " + out.string() +
                         " exists (nothing written; pass --force to overwrite it, or choose "
                         "another -o file)\n");
  CHECK(summary.str().empty());
  std::ifstream kept(out);
  std::string text((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
  CHECK(text == "precious\n");
  // Nothing else appeared beside it (no temporary file left behind).
  CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                      std::filesystem::directory_iterator{}) == 3);
  // A missing export is still refused first for the existing file: nothing is read.
  std::ostringstream err2;
  CHECK(vdc::import::import_rvtools_command(dir.path() / "missing", out, options, summary, err2) ==
        2);
  CHECK(err2.str().find("exists") != std::string::npos);
  options.force = true;
  std::ostringstream err3;
  CHECK(vdc::import::import_rvtools_command(dir.path(), out, options, summary, err3) == 0);
  CHECK(err3.str().empty());
  std::ifstream replaced(out);
  std::string yaml((std::istreambuf_iterator<char>(replaced)), std::istreambuf_iterator<char>());
  CHECK(yaml.starts_with("# Generated by `vdcsim import rvtools`"));
}

TEST_CASE("the fuzz corpus of the RVTools CSV import replays without a crash") {
  const auto corpus =
      std::filesystem::path(VDC_SOURCE_DIR) / "tests/fuzz/corpus/import_rvtools_csv";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::string data(static_cast<std::size_t>(std::filesystem::file_size(entry.path())), '\0');
    std::ifstream(entry.path(), std::ios::binary)
        .read(data.data(), static_cast<std::streamsize>(data.size()));
    vdc::fuzz::fuzz_import_rvtools_csv(data);
    ++count;
  }
  CHECK(count > 0);
}
