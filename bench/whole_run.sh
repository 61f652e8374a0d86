#!/usr/bin/env bash
# The whole run as a user times it: `vdcsim run` of bench/gen_scale_fluid.py's scenario
# (1,000 hosts of 16 cores, 20,000 VMs of 2-4 vCPUs running 10 tasks per vCPU, each VM
# naming a VM profile: 1.1 MB), the process from the YAML file to report.json and the text
# summary, for 2 h, 1 day and 30 days simulated; `vdcsim validate` of the same file against
# yaml-cpp's own tree parse of it (bench/yaml_parse); the 2 h run, the validate and the
# tree parse again on the same scenario with every VM written out in full (--inline,
# 2.3 MB: rows ending in -inline); and the same workload in SimGrid (bench/simgrid/simgrid_tasks), one
# actor per VM with multi-thread executions (its fastest configuration found) and one actor
# per vCPU, all in one run, alternating, so that every figure sees the same machine.
#   bench/whole_run.sh [BUILD_DIR [RUNS]]   (default: build/bench, 3 runs of each)
# Build first: cmake --preset bench && cmake --build --preset bench -j2 \
#   --target vdcsim yaml_parse simgrid_tasks
# Prints every run (wall and user seconds, peak RSS), then the median of each and the
# ratios the fluid-model issue asks for. SimGrid's times are its own (platform, actors and
# run, from its own clock); without SimGrid built its rows are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/bench}
runs=${2:-3}
vdcsim=$build/apps/vdcsim/vdcsim
yaml_parse=$build/bench/yaml_parse
simgrid=$build/bench/simgrid_tasks
for b in "$vdcsim" "$yaml_parse"; do
  [[ -x $b ]] || { echo "whole_run.sh: $b is not built" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 bench/gen_scale_fluid.py "$tmp/sf.yaml"
python3 bench/gen_scale_fluid.py --inline "$tmp/sf-inline.yaml"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load before: $(cut -d' ' -f1-3 /proc/loadavg)"

timed() {  # label, command...: prints "label wall user peak-MiB" of one run
  local label=$1
  shift
  /usr/bin/time -f "%e %U %M" -o "$tmp/time" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || {
    echo "whole_run.sh: $label failed:" >&2
    cat "$tmp/stderr" >&2
    exit 1
  }
  awk -v l="$label" '{ printf "%-18s %8.3f %8.3f %8.1f\n", l, $1, $2, $3 / 1024 }' "$tmp/time"
}

simgrid_own() {  # label, flags...: prints "label wall - peak" from SimGrid's own report
  local label=$1
  shift
  "$simgrid" "$@" >"$tmp/sg" 2>&1
  awk -v l="$label" '/wall time/ { w = $3 } /peak RSS/ { m = $3 } END { printf "%-18s %8.3f %8s %8.1f\n", l, w, "-", m }' "$tmp/sg"
}

printf '%-18s %8s %8s %8s\n' run wall user "peak MiB" | tee "$tmp/all"
for ((i = 1; i <= runs; ++i)); do
  for d in 2h 1d 30d; do
    timed "run-$d" "$vdcsim" run "$tmp/sf.yaml" --duration "$d" --quiet --out "$tmp/out-$d"
  done
  timed validate "$vdcsim" validate "$tmp/sf.yaml"
  timed yaml_parse "$yaml_parse" "$tmp/sf.yaml"
  timed run-2h-inline "$vdcsim" run "$tmp/sf-inline.yaml" --quiet --out "$tmp/out-inline"
  timed validate-inline "$vdcsim" validate "$tmp/sf-inline.yaml"
  timed yaml_parse-inline "$yaml_parse" "$tmp/sf-inline.yaml"
  if [[ -x $simgrid ]]; then
    simgrid_own simgrid-per-vm --per-vm
    simgrid_own simgrid-per-vcpu
  fi
done | tee -a "$tmp/all"

echo
echo "medians (wall, user):"
awk 'NR > 1 { w[$1] = w[$1] " " $2; u[$1] = u[$1] " " $3 }
  function median(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 1; i <= n; ++i) for (j = i + 1; j <= n; ++j) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    for (k in w) { mw[k] = median(w[k]); mu[k] = (u[k] ~ /-/) ? "-" : median(u[k]) }
    n = split("run-2h run-1d run-30d validate yaml_parse run-2h-inline validate-inline yaml_parse-inline simgrid-per-vm simgrid-per-vcpu", order, " ")
    for (i = 1; i <= n; ++i) if (order[i] in mw) printf "  %-18s %8.3f %8s\n", order[i], mw[order[i]], mu[order[i]]
    print "ratios:"
    printf "  1 day / 2 h (wall)        %.2f\n", mw["run-1d"] / mw["run-2h"]
    printf "  30 days / 2 h (wall)      %.2f\n", mw["run-30d"] / mw["run-2h"]
    printf "  validate / yaml_parse     %.2f\n", mw["validate"] / mw["yaml_parse"]
    printf "  the same, --inline        %.2f\n", mw["validate-inline"] / mw["yaml_parse-inline"]
    if ("simgrid-per-vm" in mw) {
      printf "  SimGrid per VM / vdcsim 2 h   %.2fx\n", mw["simgrid-per-vm"] / mw["run-2h"]
      printf "  SimGrid per vCPU / vdcsim 2 h %.2fx\n", mw["simgrid-per-vcpu"] / mw["run-2h"]
    }
  }' "$tmp/all"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
