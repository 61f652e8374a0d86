#!/usr/bin/env python3
"""Writes the storage scale scenario as YAML, for timing `vdcsim run` on it.

1,000 hosts: 10 vSAN clusters of 16 hosts (each its own vSAN datastore, OSA, FTT=1 RAID-1
by default and a quarter of the disks on an FTT=1 RAID-5 policy) and 840 hosts in 40
clusters of 21, each cluster mounting its own VMFS 6 datastore (an array of 40,000 commands
per second, SIOC at 30 ms). 20,000 VMs of 4 vCPUs and 8 GiB, 20 a host, each with two disks
(a 100 GiB thin system disk 40% written and a 200 GiB data disk, lazy-zeroed on VMFS) on
its cluster's datastore, and I/O, CPU demand from the Bitbrains trace's disk_read_kbps +
disk_write_kbps and cpu_mhz columns (a sample every 5 minutes): CPU, memory and storage on.

Usage: gen_scale_storage.py OUT.yaml [vms] [duration] [bitbrains folder]
       (defaults 20000 1d ../shared/data/bitbrains_rnd/2013-7)
"""
import os
import sys


def main() -> None:
    out = sys.argv[1]
    vms = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    duration = sys.argv[3] if len(sys.argv) > 3 else "1d"
    folder = os.path.abspath(sys.argv[4] if len(sys.argv) > 4 else "../shared/data/bitbrains_rnd/2013-7")
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".gz"))
    vsan_clusters, vsan_hosts = 10, 16
    vmfs_clusters, vmfs_hosts = 40, 21
    hosts = vsan_clusters * vsan_hosts + vmfs_clusters * vmfs_hosts
    lines = [
        "name: scale-storage",
        "description: 50 datastores (40 VMFS, 10 vSAN clusters of 16 hosts), two disks a VM, trace-driven I/O",
        "seed: 1",
        f"duration: {duration}",
        "fidelity: fluid",
        "sample_interval: 5m",
        "host_profiles:",
        "  h32:",
        "    cpu: {sockets: 2, cores_per_socket: 16, threads_per_core: 2, frequency: 2.4 GHz}",
        "    memory: 512 GiB",
        "    nics: [{name: vmnic0, speed: 25 Gbps}, {name: vmnic1, speed: 25 Gbps}]",
        "hosts:",
    ]
    cluster_of = []
    ranges = []
    h = 0
    for c in range(vsan_clusters):
        lines.append(f'  - {{name: "esx{{{h:04}..{h + vsan_hosts - 1:04}}}", profile: h32}}')
        ranges.append(f'  - {{name: vsan{c:02}, hosts: ["esx{{{h:04}..{h + vsan_hosts - 1:04}}}"]}}')
        cluster_of += [("vsan", c)] * vsan_hosts
        h += vsan_hosts
    for c in range(vmfs_clusters):
        lines.append(f'  - {{name: "esx{{{h:04}..{h + vmfs_hosts - 1:04}}}", profile: h32}}')
        ranges.append(f'  - {{name: vmfs{c:02}, hosts: ["esx{{{h:04}..{h + vmfs_hosts - 1:04}}}"]}}')
        cluster_of += [("vmfs", c)] * vmfs_hosts
        h += vmfs_hosts
    lines.append("clusters:")
    lines += ranges
    lines += [
        "storage_policies:",
        "  - {name: parity, ftt: 1, raid: 5}",
        "datastores:",
    ]
    for c in range(vsan_clusters):
        lines.append(
            f"  - {{name: vsands{c:02}, kind: vsan, cluster: vsan{c:02}, architecture: osa, capacity_per_host: 30 TiB,"
            " default_policy: {ftt: 1, raid: 1},"
            " device: {iops: 100000, bandwidth: 4 GBps, latency: 0.3ms, queue_depth: 64, dsnro: 32}}"
        )
    first = vsan_clusters * vsan_hosts
    for c in range(vmfs_clusters):
        a, b = first + c * vmfs_hosts, first + (c + 1) * vmfs_hosts - 1
        lines.append(
            f'  - {{name: vmfsds{c:02}, kind: vmfs, version: 6, capacity: 300 TiB, hosts: ["esx{{{a:04}..{b:04}}}"],'
            " device: {iops: 40000, bandwidth: 2 GBps, latency: 0.5ms, queue_depth: 64, dsnro: 32},"
            " sioc: {enabled: true, threshold: 30ms}}"
        )
    lines.append("vms:")
    for i in range(vms):
        host = i % hosts
        kind, c = cluster_of[host]
        f = files[i % len(files)]
        if kind == "vsan":
            ds = f"vsands{c:02}"
            policy = ", policy: parity" if i % 4 == 0 else ""
            disks = (f"[{{size: 100 GiB, datastore: {ds}, written: 40%}},"
                     f" {{size: 200 GiB, datastore: {ds}{policy}, written: 50%}}]")
        else:
            ds = f"vmfsds{c:02}"
            disks = (f"[{{size: 100 GiB, datastore: {ds}, written: 40%}},"
                     f" {{size: 200 GiB, datastore: {ds}, provisioning: lazy_zeroed}}]")
        lines.append(
            f"  - {{name: vm{i:05}, host: esx{host:04}, vcpus: 4, memory: 8 GiB, disks: {disks},"
            f" workload: {{cpu: {{kind: trace, format: bitbrains, file: \"{f}\", column: cpu_mhz}},"
            f" disk: {{kind: trace, file: \"{f}\", block: 16 KiB, outstanding: 16}}}}}}"
        )
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
