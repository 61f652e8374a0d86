#!/usr/bin/env python3
"""Writes bench/scale_fluid.cpp's scenario as YAML, for timing `vdcsim run` on it.

1,000 hosts of 16 cores at 1 GHz and 256 GiB; 20,000 VMs of 4 GiB with 2, 3 and 4 vCPUs
(round robin), VM i on host i mod 1000, each vCPU running 10 tasks of
0.75 s + 0.05 s x ((i / 1000) mod 21) of work; memory workload left at its defaults.

By default each VM names one of the 63 VM profiles (vCPUs x task size) and its host, as an
inventory of 20,000 VMs is written (SCENARIO.md "vm_profiles"): about 1.1 MB, the size of
the file the fluid-model issue timed (960 KB). --inline writes every VM's whole
configuration on its line instead (2.3 MB): the same scenario, for timing the loader on
more text.

Usage: gen_scale_fluid.py [--inline] OUT.yaml [hosts] [vms] [duration]   (default 1000 20000 2h)
Then:  vdcsim run OUT.yaml --duration 1d ...
"""
import sys


def main() -> None:
    args = sys.argv[1:]
    inline = "--inline" in args
    args = [a for a in args if a != "--inline"]
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    out = args[0]
    hosts = int(args[1]) if len(args) > 1 else 1000
    vms = int(args[2]) if len(args) > 2 else 20000
    duration = args[3] if len(args) > 3 else "2h"
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
    ]

    def workload(size_ms: int) -> str:
        return f"workload: {{cpu: {{kind: tasks, count: 10, size: {size_ms}ms}}}}"

    if not inline:
        lines.append("vm_profiles:")
        for vcpus in (2, 3, 4):
            for step in range(21):
                size_ms = 750 + 50 * step
                lines.append(f"  v{vcpus}t{size_ms}: {{vcpus: {vcpus}, memory: 4 GiB, {workload(size_ms)}}}")
    lines.append("vms:")
    for i in range(vms):
        vcpus = 2 + i % 3
        size_ms = 750 + 50 * ((i // hosts) % 21)
        if inline:
            lines.append(
                f"  - {{name: vm{i:05}, host: esx{i % hosts:04}, vcpus: {vcpus}, memory: 4 GiB, {workload(size_ms)}}}"
            )
        else:
            lines.append(f"  - {{name: vm{i:05}, host: esx{i % hosts:04}, profile: v{vcpus}t{size_ms}}}")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
