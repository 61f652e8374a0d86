#!/usr/bin/env python3
"""Writes bench/scale_fluid.cpp's scenario as YAML, for timing `vdcsim run` on it.

1,000 hosts of 16 cores at 1 GHz and 256 GiB; 20,000 VMs of 4 GiB with 2, 3 and 4 vCPUs
(round robin), VM i on host i mod 1000, each vCPU running 10 tasks of
0.75 s + 0.05 s x ((i / 1000) mod 21) of work; memory workload left at its defaults.

Usage: gen_scale_fluid.py OUT.yaml [hosts] [vms] [duration]   (default 1000 20000 2h)
Then:  vdcsim run OUT.yaml --duration 1d ...
"""
import sys


def main() -> None:
    out = sys.argv[1]
    hosts = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    vms = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
    duration = sys.argv[4] if len(sys.argv) > 4 else "2h"
    lines = [
        "name: scale-fluid",
        "description: bench/scale_fluid.cpp's tasks on 1,000 hosts as a scenario",
        "seed: 1",
        f"duration: {duration}",
        "fidelity: fluid",
        "host_profiles:",
        "  h16:",
        "    cpu: {sockets: 1, cores_per_socket: 16, threads_per_core: 1, frequency: 1 GHz}",
        "    memory: 256 GiB",
        "hosts:",
        f'  - {{name: "esx{{0000..{hosts - 1:04}}}", profile: h16}}',
        "vms:",
    ]
    for i in range(vms):
        size_ms = 750 + 50 * ((i // hosts) % 21)
        lines.append(
            f"  - {{name: vm{i:05}, host: esx{i % hosts:04}, vcpus: {2 + i % 3}, memory: 4 GiB,"
            f" workload: {{cpu: {{kind: tasks, count: 10, size: {size_ms}ms}}}}}}"
        )
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
