#pragma once
/// The rules of the storage area that need no run: a vSAN policy's scheme (how many hosts,
/// how much raw space, how many components), an object's availability when hosts are
/// missing, what a disk takes at creation, and the queueing model that turns the VMs' I/O
/// demand into throughput and latency (docs/storage.md, reference section B).

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vdc/models/storage_config.hpp"

namespace vdc::models::storage {

/// Largest vSAN component; a larger replica or column is split into RAID-0 components
/// (reference B.3, S8).
inline constexpr double component_max_gib = 255.0;

/// How a vSAN policy lays an object out on a cluster of `hosts` hosts.
struct Scheme {
  RaidLevel raid = RaidLevel::raid1;
  int ftt = 1;
  int data = 1;       ///< RAID-1: 1 (each replica holds everything); erasure coding: data columns
  int parity = 0;     ///< erasure coding: parity columns
  int replicas = 2;   ///< RAID-1: ftt + 1; erasure coding: 1
  int witnesses = 1;  ///< RAID-1: ftt; erasure coding: 0
  int min_hosts = 3;  ///< hosts (fault domains) the policy needs
  /// Raw bytes per logical byte: ftt + 1 for mirroring, (data + parity) / data for erasure coding.
  double multiplier = 2.0;
  /// Backend commands per guest write: every replica (RAID-1), or read-modify-write of the
  /// data and parity columns (2 reads and 2 writes for RAID-5, 3 and 3 for RAID-6).
  double write_amplification = 2.0;
  /// Hosts holding a piece of the object: replicas and witnesses, or the columns.
  [[nodiscard]] int width() const { return raid == RaidLevel::raid1 ? replicas + witnesses : data + parity; }
};

/// The scheme of `policy` on `architecture` with `hosts` hosts: OSA RAID-5 is 3+1 on 4 or
/// more hosts and RAID-6 4+2 on 6; ESA RAID-5 is 2+1 on 3 to 5 hosts and 4+1 on 6 or more;
/// RAID-1 needs 2 FTT + 1 hosts (reference B.3). Nothing, and `why` in words, when the
/// cluster has too few hosts or the policy is not one the architecture has.
[[nodiscard]] std::optional<Scheme> scheme(const StoragePolicyConfig& policy, VsanArchitecture architecture,
                                           bool all_flash, int hosts, std::string* why);

/// The components of one host's piece of an object of `size_gib` (a replica, or a column):
/// `stripes` stripes, each split into pieces of at most component_max_gib.
[[nodiscard]] int components_per_piece(const Scheme& s, double size_gib, int stripes);

/// The components of a whole object, witnesses included (a RAID-1 witness per FTT, on a
/// host of its own).
[[nodiscard]] int object_components(const Scheme& s, double size_gib, int stripes);

/// Whether an object is readable with `alive[i]` telling whether its i-th piece is present
/// (pieces in Scheme order: RAID-1 replicas then witnesses; erasure coding columns). RAID-1:
/// more than half the votes (each data component 1 vote, each witness as many as a replica
/// has components, so that any FTT hosts hold less than half) and one whole replica;
/// erasure coding: at most `parity` columns missing.
[[nodiscard]] bool accessible(const Scheme& s, std::span<const bool> alive);

/// What a disk takes on its datastore at creation, GiB of the datastore (for vSAN, logical
/// GiB before the scheme's multiplier): a thin disk what the guest has written, a thick one
/// its whole size; on vSAN at least the policy's object space reservation.
[[nodiscard]] double consumed_gib(const DiskConfig& disk, DatastoreKind kind, double object_space_reservation);

/// One VM's I/O on one datastore from one host, as the queueing model sees it.
struct World {
  int host = 0;              ///< index into the hosts of the solve (0-based, dense)
  double demand = 0.0;       ///< guest commands per second it asks for
  double outstanding = 1.0;  ///< the most commands the guest keeps in flight
  double backend = 1.0;      ///< device commands per guest command (vSAN write amplification)
  double block_bytes = 8192.0;
  double shares = 1000.0;    ///< mClock weight
  double reservation = 0.0;  ///< mClock reservation, commands per second (0: none)
  double limit = 0.0;        ///< mClock limit, commands per second (0: none)
};

/// The device and what caps each host's share of it.
struct DeviceModel {
  double iops = 20000.0;          ///< backend commands per second at most
  double bandwidth_bytes_s = 2e9; ///< backend bytes per second at most
  double latency_s = 0.0005;      ///< one command's latency on an idle device
  std::vector<double> host_slots; ///< per host: the device queue slots it may fill
  std::vector<double> host_bytes_s; ///< per host: a path limit in bytes/s (NFS), 0: none
};

struct WorldResult {
  double iops = 0.0;       ///< guest commands per second served
  double latency_s = 0.0;  ///< GAVG: what the guest sees per command
};

struct Solution {
  std::vector<WorldResult> worlds;
  double davg_s = 0.0;          ///< device latency
  double utilisation = 0.0;     ///< of the device's bottleneck (commands or bytes)
  std::vector<double> host_iops;    ///< guest commands per second, per host
  std::vector<double> host_queued;  ///< commands waiting in the kernel (KAVG x rate), per host
};

/// The steady state of `worlds` sharing `device` (docs/storage.md "Latency"). The device is
/// an M/M/1 queue behind a fixed latency: DAVG = L0 + s·ρ/(1-ρ), s the mean service time of
/// a command at the bottleneck (commands or bytes) and ρ its utilisation. Each host fills
/// at most its slots (Little: slots / DAVG commands per second) and its path; inside a host
/// the slots go to its worlds as mClock's tags converge (reservations first, the rest by
/// shares, limits as caps); a guest keeps at most `outstanding` commands in flight, so
/// what it does not get waits in the kernel: GAVG = outstanding / served, KAVG = GAVG - DAVG.
/// DAVG is the fixed point of "more latency, less throughput" (found by bisection).
[[nodiscard]] Solution solve(std::span<const World> worlds, const DeviceModel& device);

/// The host slots that hold a datastore's device latency at `threshold_s`, SIOC's cut
/// (reference B.6): each host's window in proportion to its worlds' shares, never above
/// its own slots. Returns `device` unchanged when its latency is already at or below.
[[nodiscard]] DeviceModel sioc_throttle(std::span<const World> worlds, const DeviceModel& device, double threshold_s,
                                        bool* throttled);

/// SIOC's automatic threshold: the device latency at 90% of its peak throughput for this
/// mix of commands, L0 + 9 s.
[[nodiscard]] double sioc_auto_threshold(std::span<const World> worlds, const DeviceModel& device);

}  // namespace vdc::models::storage
