// What the network area contributes to the reports: include/vdc/models/network/network_area.hpp,
// docs/network.md "Reports" for each field's meaning.
#include <algorithm>
#include <array>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "network_model.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/network/network_area.hpp"
#include "vdc/models/report_text.hpp"

namespace vdc::models::network {
namespace {

namespace text = report_text;

constexpr std::array<ReportColumn, 3> host_columns{{
    {"tx_mbps_avg", "net_tx_mbps_avg", "Mbps"},
    {"rx_mbps_avg", "net_rx_mbps_avg", "Mbps"},
    {"uplink_util_pct_max", "net_uplink_util_pct_max", "%"},
}};
constexpr std::size_t h_tx = column_index(host_columns, "tx_mbps_avg");
constexpr std::size_t h_rx = column_index(host_columns, "rx_mbps_avg");
constexpr std::size_t h_util = column_index(host_columns, "uplink_util_pct_max");

constexpr std::array<ReportColumn, 3> vm_columns{{
    {"tx_mbps_avg", "net_tx_mbps_avg", "Mbps"},
    {"rx_mbps_avg", "net_rx_mbps_avg", "Mbps"},
    {"dropped_pct", "net_dropped_pct", "%"},
}};
constexpr std::size_t v_tx = column_index(vm_columns, "tx_mbps_avg");
constexpr std::size_t v_rx = column_index(vm_columns, "rx_mbps_avg");
constexpr std::size_t v_dropped = column_index(vm_columns, "dropped_pct");

using K = CellKind;
constexpr std::array<TableColumn, 9> uplink_columns{{
    {"host", "host", "", K::text},
    {"nic", "nic", "", K::text},
    {"vswitch", "vswitch", "", K::text},
    {"speed_mbps", "speed_mbps", "Mbps", K::number},
    {"tx_mbps_avg", "tx_mbps_avg", "Mbps", K::number},
    {"rx_mbps_avg", "rx_mbps_avg", "Mbps", K::number},
    {"util_pct_avg", "util_pct_avg", "%", K::number},
    {"util_pct_max", "util_pct_max", "%", K::number},
    {"up_pct", "up_pct", "%", K::number},
}};
constexpr std::array<TableColumn, 10> flow_columns{{
    {"vm", "vm", "", K::text},
    {"to", "to", "", K::text},
    {"demand_mbps_avg", "demand_mbps_avg", "Mbps", K::number},
    {"throughput_mbps_avg", "throughput_mbps_avg", "Mbps", K::number},
    {"delivered", "delivered", "", K::flag},
    {"delivered_pct", "delivered_pct", "%", K::number},
    {"drop_cause", "drop_cause", "", K::text},
    {"uplink", "uplink", "", K::text},
    {"uplink_time_s", "uplink_time_s", "s", K::numbers},
    {"delivered_to", "delivered_to", "", K::texts},
}};
constexpr std::array<TableColumn, 6> event_columns{{
    {"at_s", "at_s", "s", K::number},
    {"host", "host", "", K::text},
    {"vswitch", "vswitch", "", K::text},
    {"port_group", "port_group", "", K::text},
    {"event", "event", "", K::text},
    {"in_use", "in_use", "", K::texts},
}};
constexpr std::array<TableColumn, 10> transfer_columns{{
    {"kind", "kind", "", K::text},
    {"label", "label", "", K::text},
    {"from", "from", "", K::text},
    {"to", "to", "", K::text},
    {"mib", "mib", "MiB", K::number},
    {"started_s", "started_s", "s", K::number},
    {"finished_s", "finished_s", "s", K::number},
    {"duration_s", "duration_s", "s", K::number},
    {"throughput_mbps_avg", "throughput_mbps_avg", "Mbps", K::number},
    {"stalled_by", "stalled_by", "", K::text},
}};
constexpr std::array<TableSpec, 4> tables{{
    {"network.uplinks", "network_uplinks.csv", uplink_columns},
    {"network.flows", "network_flows.csv", flow_columns},
    {"network.events", "network_events.csv", event_columns},
    {"network.transfers", "network_transfers.csv", transfer_columns},
}};

constexpr std::array<SeriesColumn, 5> series{{
    {gauge::tx_mbps, "MbTX/s"},
    {gauge::rx_mbps, "MbRX/s"},
    {gauge::uplink_util_max, "%UPLINK_MAX", SeriesScale::percent},
    {gauge::dropped, "%DRPTX", SeriesScale::percent},
    {gauge::rx_dropped, "%DRPRX", SeriesScale::percent},
}};

constexpr std::array<EsxtopCounter, 6> esxtop{{
    {EntityKind::host, gauge::tx_mbps, "Network Port(_Total)", "MBits Transmitted/sec"},
    {EntityKind::host, gauge::rx_mbps, "Network Port(_Total)", "MBits Received/sec"},
    {EntityKind::vm, gauge::tx_mbps, "Network Port", "MBits Transmitted/sec"},
    {EntityKind::vm, gauge::rx_mbps, "Network Port", "MBits Received/sec"},
    {EntityKind::vm, gauge::dropped, "Network Port", "% Outbound Packets Dropped",
     [](const ScaleInput&) { return 100.0; }},
    {EntityKind::vm, gauge::rx_dropped, "Network Port", "% Received Packets Dropped",
     [](const ScaleInput&) { return 100.0; }},
}};

// An uplink above 80% (its host's busiest), and any VM whose flows were dropped.
constexpr std::array<ContentionCheck, 2> contention{{
    {EntityKind::host, gauge::uplink_util_max, "uplink_util_pct", "uplink_util_pct", 80.0, 100.0},
    {EntityKind::vm, gauge::dropped, "net_dropped_pct", "net_dropped_pct", 0.0, 100.0},
}};

constexpr std::array<TextColumn, 1> host_text{{
    {"uplink%", 8, 0, "", [](std::span<const double> r) { return r[h_util]; }},
}};

constexpr std::array<ChartSpec, 1> charts{{
    {.kind = ChartKind::lines,
     .entity = EntityKind::host,
     .id = "host-uplinks",
     .name = "Uplink utilisation",
     .title = "Busiest uplink of each host (% of its speed, transmit or receive)",
     .note = "Dashed red rules mark the teams' failovers, failbacks and load-based moves (hover for what happened; "
             "all of them in network.events and network_events.csv).",
     .modelled = "the network",
     .series_of = "network",
     .gauges = 11,
     .where = "each uplink's averages are in report.json network.uplinks and network_uplinks.csv",
     .gauge = gauge::uplink_util_max,
     .rank = [](const ChartInput& in) { return in.row[h_util]; },
     .rank2 = [](const ChartInput& in) { return in.row[h_tx] + in.row[h_rx]; },
     .rank_text = "peak uplink utilisation",
     .scale = [](const ChartInput&) { return 100.0; },
     .axis = "uplink utilisation %",
     .marks = "network.events",
     .marks_time = "at_s",
     .marks_label = "event"},
}};

void fill(const RunResult& run, AreaSection& out) {
  MetricReader m(run.metrics);
  const auto tx = m.name(gauge::tx_mbps), rx = m.name(gauge::rx_mbps), util = m.name(gauge::uplink_util_max);
  for (std::size_t i = 0; i < run.hosts.size(); ++i) {
    m.select(metric::host_entity(run.hosts[i].name));
    double* row = out.hosts.data() + i * host_columns.size();
    row[h_tx] = m.average(tx);
    row[h_rx] = m.average(rx);
    row[h_util] = 100.0 * m.max(util);
  }
  const auto demand = m.name(gauge::demand_mbps), dropped = m.name(gauge::dropped_mbps);
  out.vm_has.assign(run.vms.size(), false);
  std::size_t dropping = 0;
  for (std::size_t i = 0; i < run.vms.size(); ++i) {
    m.select(metric::vm_entity(run.vms[i].name));
    if (!m.find(tx)) continue;  // no NIC
    out.vm_has[i] = true;
    double* row = out.vms.data() + i * vm_columns.size();
    row[v_tx] = m.average(tx);
    row[v_rx] = m.average(rx);
    const double d = m.average(demand);
    row[v_dropped] = d > 0.0 ? 100.0 * m.average(dropped) / d : 0.0;
    if (row[v_dropped] > 0.0) ++dropping;
  }
  // The uplinks' figures from their gauges (the area deposited their names).
  ReportTable& uplinks = out.tables.at(static_cast<std::size_t>(Table::uplinks));
  const auto util_name = m.name(gauge::util), up = m.name(gauge::up);
  std::size_t busy = 0;
  for (std::size_t r = 0; r < uplinks.rows(); ++r) {
    TableCell* row = uplinks.cells.data() + r * uplink_columns.size();
    m.select(uplink_entity(cell_text(row[0]), cell_text(row[1])));
    row[4] = m.average(tx);
    row[5] = m.average(rx);
    row[6] = 100.0 * m.average(util_name);
    row[7] = 100.0 * m.max(util_name);
    row[8] = 100.0 * m.average(up);
    if (std::get<double>(row[7]) > 80.0) ++busy;
  }
  const ReportTable& flows = out.tables.at(static_cast<std::size_t>(Table::flows));
  std::size_t lost = 0;
  for (std::size_t r = 0; r < flows.rows(); ++r) {
    const auto row = flows.row(r);
    if (std::holds_alternative<bool>(row[4]) && !std::get<bool>(row[4]) && std::get<double>(row[2]) >= 0.0 &&
        !std::holds_alternative<std::monostate>(row[6])) {
      ++lost;
    }
  }
  const std::string uplinks_text = busy == 0 ? std::string("no uplink above 80%")
                                             : fmt::format("{} above 80% at peak", text::count(busy, "uplink", "uplinks"));
  if (lost == 0) {
    out.verdict.push_back(fmt::format("Network: {}; all {} delivered.", uplinks_text, text::count(flows.rows(), "flow", "flows")));
  } else {
    out.verdict.push_back(fmt::format("Network: {}; {} of {} flows not always delivered ({} dropped traffic).",
                                      uplinks_text, lost, flows.rows(), text::count(dropping, "VM", "VMs")));
  }
}

/// Dropped demand, in percent.
double vm_score(std::span<const double> row, const VmFacts&) { return row[v_dropped]; }

/// The uplinks, the flows that were not always delivered, and the team changes.
void write_text(const ReportView& view, std::string& out) {
  const AreaSection& net = *view.section(report_spec.section);
  const ReportTable& uplinks = net.tables.at(static_cast<std::size_t>(Table::uplinks));
  std::vector<std::size_t> order(uplinks.rows());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto peak = [&](std::size_t r) { return std::get<double>(uplinks.row(r)[7]); };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return peak(a) > peak(b); });
  const std::size_t shown = text::kRowsShown;
  fmt::format_to(std::back_inserter(out), "\nUplinks (busiest {} of {}; Mbps averages, utilisation of the faster direction)\n",
                 std::min(shown, order.size()), order.size());
  fmt::format_to(std::back_inserter(out), "  {:<12} {:<8} {:<12} {:>8} {:>9} {:>9} {:>7} {:>7} {:>6}\n", "host", "nic",
                 "vswitch", "speed", "tx", "rx", "util%", "peak%", "up%");
  for (std::size_t k = 0; k < order.size() && k < shown; ++k) {
    const auto r = uplinks.row(order[k]);
    fmt::format_to(std::back_inserter(out), "  {:<12} {:<8} {:<12} {:>8.0f} {:>9.1f} {:>9.1f} {:>7.1f} {:>7.1f} {:>6.1f}\n",
                   cell_text(r[0]), cell_text(r[1]), cell_text(r[2]), std::get<double>(r[3]), std::get<double>(r[4]),
                   std::get<double>(r[5]), std::get<double>(r[6]), std::get<double>(r[7]), std::get<double>(r[8]));
  }
  const ReportTable& flows = net.tables.at(static_cast<std::size_t>(Table::flows));
  std::vector<std::size_t> dropped;
  for (std::size_t r = 0; r < flows.rows(); ++r) {
    if (!std::holds_alternative<std::monostate>(flows.row(r)[6])) dropped.push_back(r);
  }
  if (dropped.empty()) {
    fmt::format_to(std::back_inserter(out), "\nFlows: all {} delivered all the time\n", flows.rows());
  } else {
    fmt::format_to(std::back_inserter(out), "\nFlows not always delivered ({} of {})\n", dropped.size(), flows.rows());
    for (std::size_t k = 0; k < dropped.size() && k < shown; ++k) {
      const auto r = flows.row(dropped[k]);
      fmt::format_to(std::back_inserter(out), "  {} -> {}: delivered {:.1f}% of the time; {}\n", cell_text(r[0]),
                     cell_text(r[1]), std::get<double>(r[5]), cell_text(r[6]));
    }
  }
  const ReportTable& events = net.tables.at(static_cast<std::size_t>(Table::events));
  if (events.rows() > 0) {
    fmt::format_to(std::back_inserter(out), "\nTeam changes ({})\n", events.rows());
    for (std::size_t k = 0; k < events.rows() && k < 2 * shown; ++k) {
      const auto r = events.row(k);
      const auto& in_use = std::get<std::vector<std::string>>(r[5]);
      fmt::format_to(std::back_inserter(out), "  {:>8.1f} s  {}/{} {}: {}; in use: {}\n", std::get<double>(r[0]),
                     cell_text(r[1]), cell_text(r[2]), cell_text(r[3]), cell_text(r[4]),
                     in_use.empty() ? std::string("none") : fmt::format("{}", fmt::join(in_use, ", ")));
    }
  }
}

}  // namespace

const TableSpec& table_spec(Table t) { return tables[static_cast<std::size_t>(t)]; }

constexpr AreaReportSpec report_spec{
    .section = "network",
    .host_columns = host_columns,
    .vm_columns = vm_columns,
    .series = series,
    .esxtop = esxtop,
    .contention = contention,
    .host_text = host_text,
    .charts = charts,
    .rank_hosts_by = "",
    .fill = &fill,
    .vm_score = &vm_score,
    .text = &write_text,
    .tables = tables,
};

}  // namespace vdc::models::network
