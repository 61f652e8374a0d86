#pragma once
/// The storage part of a scenario (docs/scenario.md "Storage"), as plain data: the vSAN
/// storage policies, the datastores with their devices and SIOC, each VM's virtual disks,
/// snapshots and disk workload. The loader fills it and checks every name and every rule a
/// file can break on its own; the storage area applies the rules of a run (space, policy
/// against hosts, failures) as docs/storage.md describes them, from reference section B.

#include <optional>
#include <string>
#include <vector>

#include "vdc/sim/time.hpp"

namespace vdc::models {

enum class DatastoreKind { vmfs, nfs, vsan, vvols };

/// vSAN's original (disk groups) or express (storage pool) architecture (reference B.3).
enum class VsanArchitecture { osa, esa };

/// How an object's data is protected: mirroring, or erasure coding (reference B.3).
enum class RaidLevel { raid1 = 1, raid5 = 5, raid6 = 6 };

/// What a disk takes at creation and as the guest writes (reference B.5).
enum class Provisioning { thin, lazy_zeroed, eager_zeroed };

/// How a VMFS datastore locks its metadata (reference B.1): ATS only (a new VMFS 5 or 6 on
/// an ATS-capable device), or ATS falling back to SCSI reservations (upgraded from VMFS 3,
/// or a device without ATS), where a reservation holds the whole device for a metadata update.
enum class VmfsLocking { ats_only, ats_scsi };

/// A vSAN storage policy (reference B.3). `ftt` 0-3; RAID-5/6 are erasure coding.
struct StoragePolicyConfig {
  std::string name;
  int ftt = 1;
  RaidLevel raid = RaidLevel::raid1;
  /// Fraction (0-1) of each object's size reserved at creation (thick on vSAN).
  double object_space_reservation = 0.0;
  /// Number of disk stripes per object: each replica is split into this many components.
  int stripe_width = 1;
};

/// The device or array behind a datastore (for vSAN: the devices of each host, summed over
/// the cluster for I/O).
struct StorageDeviceConfig {
  double iops = 20000.0;                  ///< the most commands per second it completes
  double bandwidth_bytes_s = 2.0e9;       ///< the most bytes per second it moves
  sim::Time latency = sim::Time::from_ns(500'000);  ///< service time of one command, unloaded
  int queue_depth = 64;                   ///< Device Max Queue Depth, per host
  int dsnro = 32;                         ///< Disk.SchedNumReqOutstanding, per host
  int sector_bytes = 512;                 ///< 512 (512n/512e) or 4096 (4Kn)
};

/// Storage I/O Control on a datastore (reference B.6).
struct SiocConfig {
  bool enabled = false;
  bool automatic = false;  ///< threshold at 90% of the device's peak throughput
  sim::Time threshold = sim::Time::from_ns(30'000'000);  ///< manual: 10-100 ms
};

struct DatastoreConfig {
  std::string name;
  DatastoreKind kind = DatastoreKind::vmfs;
  /// vmfs: 5 or 6; nfs: 3 or 41 (4.1); 0 for vsan and vvols.
  int version = 6;
  double capacity_gib = 0.0;          ///< vmfs, nfs, vvols (vsan: from its hosts)
  std::vector<std::string> hosts;     ///< the hosts that mount it (vsan: its cluster's)
  std::vector<int> host_ids;          ///< resolved, one per entry of `hosts`
  StorageDeviceConfig device;
  SiocConfig sioc;
  VmfsLocking locking = VmfsLocking::ats_only;   ///< vmfs
  std::string export_path;            ///< nfs: "server:/path", to find one export mounted twice
  bool vaai_nas = false;              ///< nfs: the array offloads thick disks (else thin only)
  std::string cluster;                ///< vsan: the cluster whose hosts hold it
  int cluster_id = -1;                ///< resolved
  VsanArchitecture architecture = VsanArchitecture::osa;  ///< vsan
  /// vsan OSA: all-flash disk groups (erasure coding needs them) or hybrid (flash cache in
  /// front of magnetic capacity devices: RAID-1 only). ESA is all-flash.
  bool all_flash = true;
  double capacity_per_host_gib = 0.0; ///< vsan: raw capacity devices per host
  StoragePolicyConfig default_policy; ///< vsan: for disks that name no policy
};

/// A VM's virtual disk.
struct DiskConfig {
  double size_gib = 0.0;
  std::string datastore;
  int datastore_id = -1;              ///< resolved
  std::string policy;                 ///< vsan: a storage policy's name; empty: the datastore's default
  int policy_id = -1;                 ///< resolved; -1: the datastore's default policy
  Provisioning provisioning = Provisioning::thin;
  double written = 0.0;               ///< fraction (0-1) of the disk the guest has filled
  /// mClock tags of the disk's requests (reference B.7): shares (Normal 1000, High 2000,
  /// Low 500), a reservation and a limit in IOPS (0: none).
  double shares = 1000.0;
  double reservation_iops = 0.0;
  double limit_iops = 0.0;
};

/// A snapshot taken at `at` whose delta grows by `growth_gib_per_h` until it reaches the
/// size of the base disks (reference B.5).
struct SnapshotConfig {
  sim::Time at;
  double growth_gib_per_h = 0.0;
};

enum class DiskWorkloadKind { constant, trace };

/// A VM's I/O, spread over its disks in proportion to their sizes.
struct DiskWorkload {
  DiskWorkloadKind kind = DiskWorkloadKind::constant;
  double iops = 0.0;           ///< constant
  double read = 0.7;           ///< constant: the read share (0-1)
  double block_bytes = 8192.0; ///< bytes per command
  int outstanding = 8;         ///< the most commands the guest keeps in flight
  std::string file;            ///< trace: a Bitbrains file ({i} substituted)
  double scale = 1.0;          ///< trace: multiplies both disk columns
};

struct StorageConfig {
  bool present = false;  ///< the scenario has `datastores:`
  std::vector<StoragePolicyConfig> policies;
  std::vector<DatastoreConfig> datastores;
};

}  // namespace vdc::models
