#!/usr/bin/env python3
"""Writes the network scale scenario as YAML, for timing `vdcsim run` on it.

A leaf-spine fabric: 40 leaves of 25 hosts (1,000 hosts), each host two 25 Gbps uplinks to
its leaf, each leaf 100 Gbps to each of 4 spines. 20,000 VMs (20 a host), each with two
flows to other VMs (chosen with a fixed seed) whose demand is the Bitbrains trace's
transmitted-throughput column (net_tx_kbps, a sample every 5 minutes), and CPU demand from
the same trace's cpu_mhz: CPU, memory and network all on.

Usage: gen_scale_network.py OUT.yaml [hosts] [vms] [duration] [bitbrains folder]
       (defaults 1000 20000 1d ../shared/data/bitbrains_rnd/2013-7)
"""
import os
import random
import sys


def main() -> None:
    out = sys.argv[1]
    hosts = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    vms = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    duration = sys.argv[4] if len(sys.argv) > 4 else "1d"
    folder = os.path.abspath(sys.argv[5] if len(sys.argv) > 5 else "../shared/data/bitbrains_rnd/2013-7")
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".gz"))
    per_leaf = 25
    leaves = (hosts + per_leaf - 1) // per_leaf
    rng = random.Random(7)
    lines = [
        "name: scale-network",
        "description: leaf-spine network with two trace-driven flows per VM, CPU and memory on",
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
        f'  - {{name: "esx{{0000..{hosts - 1:04}}}", profile: h32}}',
        "networks:",
        "  vswitches:",
        "    - {name: vSwitch0, kind: standard, uplinks: [vmnic0, vmnic1]}",
        "  port_groups:",
        "    - {name: vm, vswitch: vSwitch0, vlan: 100}",
        "  physical:",
        "    switches:",
    ]
    lines += [f"      - {{name: leaf{l:02}}}" for l in range(leaves)]
    lines += [f"      - {{name: spine{s}}}" for s in range(4)]
    lines.append("    links:")
    for h in range(hosts):
        leaf = h // per_leaf
        lines.append(f"      - {{from: esx{h:04}/vmnic0, to: leaf{leaf:02}}}")
        lines.append(f"      - {{from: esx{h:04}/vmnic1, to: leaf{leaf:02}}}")
    for l in range(leaves):
        for s in range(4):
            lines.append(f"      - {{from: leaf{l:02}, to: spine{s}, speed: 100 Gbps}}")
    lines.append("vms:")
    for i in range(vms):
        f = files[i % len(files)]
        a, b = rng.randrange(vms), rng.randrange(vms)
        a = a if a != i else (a + 1) % vms
        b = b if b != i else (b + 1) % vms
        trace = f'{{kind: trace, file: "{f}", column: net_tx_kbps, scale: 0.5}}'
        lines.append(
            f"  - {{name: vm{i:05}, host: esx{i % hosts:04}, vcpus: 4, memory: 8 GiB,"
            f" nics: [{{port_group: vm, ip: 10.{i >> 16}.{(i >> 8) & 255}.{i & 255}}}],"
            f" workload: {{cpu: {{kind: trace, format: bitbrains, file: \"{f}\", column: cpu_mhz}},"
            f" network: {{flows: [{{to: vm{a:05}, rate: {trace}}}, {{to: vm{b:05}, rate: {trace}}}]}}}}}}"
        )
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
