#!/usr/bin/env bash
# Speed-up of `vdcsim sweep` on a 100-point sweep of the default lab (scenarios/overcommit-lab.yaml
# with a 10 x 10 grid of the web and db servers' CPU demand, one replication each): 1 job,
# 2 jobs, and 2 MPI ranks of 1 job each. Three runs of each, alternating; prints every wall
# time, the medians and the speed-ups, and checks that the three give the same bytes.
#   bench/sweep_speedup.sh [VDCSIM [fluid|detailed]]   (default: the release build, fluid)
# fluid runs the lab as it is (1 h, fluid: about 2 ms a run); detailed runs it at detailed
# fidelity for 2 simulated minutes (about 0.1 s a run on an idle core).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/apps/vdcsim/vdcsim}
mode=${2:-fluid}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case "$mode" in
  fluid) cp scenarios/overcommit-lab.yaml "$tmp/lab-sweep.yaml" ;;
  detailed)
    sed -e 's/^duration: .*/duration: 2m/' -e 's/^fidelity: .*/fidelity: detailed/' \
      scenarios/overcommit-lab.yaml >"$tmp/lab-sweep.yaml"
    grep -q '^fidelity: detailed' "$tmp/lab-sweep.yaml"
    ;;
  *) echo "mode: fluid or detailed" >&2; exit 2 ;;
esac
cat >>"$tmp/lab-sweep.yaml" <<'YAML'

sweep:
  parameters:
    vm_profiles.web.workload.cpu.demand: [15%, 20%, 25%, 30%, 35%, 40%, 45%, 50%, 55%, 60%]
    vm_profiles.db.workload.cpu.demand: [15%, 20%, 25%, 30%, 35%, 40%, 45%, 50%, 55%, 60%]
  metrics: [vms.cpu.ready_pct.p95, vms.cpu.costop_pct.max, hosts.cpu.util_pct_avg.max]
YAML

wall() {  # label, command...: "label wall-seconds cpu-seconds" of one run (cpu: user + system,
  # the MPI ranks included: they are mpirun's children)
  local label=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr"
  awk -v l="$label" '{ printf "%s %.3f %.3f\n", l, $1, $2 + $3 }' "$tmp/time"
}

echo "$mode; machine: $(nproc) cores; $(uptime)"
: >"$tmp/times"
for i in 1 2 3; do
  wall jobs1 "$bin" sweep "$tmp/lab-sweep.yaml" --jobs 1 --quiet --out "$tmp/j1" | tee -a "$tmp/times"
  wall jobs2 "$bin" sweep "$tmp/lab-sweep.yaml" --jobs 2 --quiet --out "$tmp/j2" | tee -a "$tmp/times"
  if command -v mpirun >/dev/null; then
    wall mpi2 mpirun --allow-run-as-root --oversubscribe -np 2 "$bin" sweep "$tmp/lab-sweep.yaml" --quiet \
      --out "$tmp/m2" | tee -a "$tmp/times"
  fi
done
echo "after: $(uptime)"
diff -r "$tmp/j1" "$tmp/j2"
if [ -d "$tmp/m2" ]; then diff -r "$tmp/j1" "$tmp/m2"; fi
grep -c '"point":' "$tmp/j1/sweep.json" | sed 's/^/points: /'
median() { grep "^$1 " "$tmp/times" | awk '{print $2}' | sort -n | sed -n 2p; }
cpu() { grep "^$1 " "$tmp/times" | awk '{ s += $3 } END { printf "%.2f", s / NR }'; }
j1=$(median jobs1)
j2=$(median jobs2)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf 'median wall: 1 job %.3f s, 2 jobs %.3f s (speed-up %sx)' "$j1" "$j2" "$(ratio "$j1" "$j2")"
printf '; mean CPU: 1 job %s s, 2 jobs %s s' "$(cpu jobs1)" "$(cpu jobs2)"
if grep -q '^mpi2 ' "$tmp/times"; then
  m2=$(median mpi2)
  printf '; mpirun -np 2 %.3f s (speed-up %sx, mean CPU %s s)' "$m2" "$(ratio "$j1" "$m2")" "$(cpu mpi2)"
fi
echo
