#!/usr/bin/env bash
# Ctrl-C during `mpirun -np 2 vdcsim sweep`: rank 0 writes sweep.json and sweep.csv with the
# points finished by both ranks, marked partial, and the job ends within a few seconds.
#   mpi_interrupt.sh VDCSIM MPIEXEC        (from the source tree)
# mpirun answers SIGINT by sending the ranks SIGTERM (after odls_base_sigkill_timeout, 1 s)
# and SIGKILL a second later, and exits with its own status 1.
set -euo pipefail
bin=$1
mpiexec=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# 4 sizes x 20 counts = 80 points of 100 replications of 4 simulated days: far longer than
# the test waits, on any machine. Run i goes to rank i mod 2, so every point has runs of both.
cat >"$tmp/s.yaml" <<'YAML'
name: mpi-interrupt
seed: 1
duration: 4d
sample_interval: 1m
host_profiles:
  h: {cpu: {sockets: 1, cores_per_socket: 4, threads_per_core: 1, frequency: 2 GHz}, memory: 64 GiB}
vm_profiles:
  web: {vcpus: 1, memory: 2 GiB, workload: {cpu: {kind: diurnal, mean: 50%, noise: 20%, step: 1m}}}
hosts:
  - {name: esx01, profile: h}
vms:
  - {name: "web{01..04}", profile: web, host: esx01}
sweep:
  parameters:
    vm_profiles.web.vcpus: [1, 2, 3, 4]
    vms.web.count: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]
  replications: 100
  metrics: [hosts.cpu.util_pct_avg.max]
YAML
# The signal must come after the first points: the runs' speed depends on the machine and
# the build, so a sweep interrupted before any point finished is tried again, waiting longer.
for wait_s in 3 6 12 24; do
  rm -rf "$tmp/out"
  "$mpiexec" --allow-run-as-root --oversubscribe -np 2 --mca btl self,vader,tcp --mca btl_tcp_if_include lo \
    "$bin" sweep "$tmp/s.yaml" --quiet --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr" &
  job=$!
  sleep "$wait_s"
  kill -INT "$job"
  start=$(date +%s)
  status=0
  wait "$job" || status=$?
  took=$(($(date +%s) - start))
  test "$status" -ne 0 || { echo "mpirun ended with status 0 after the interrupt"; exit 1; }
  test "$took" -le 5 || { echo "the job took $took s to end after the interrupt"; exit 1; }
  grep -q 'interrupted; the files hold the points finished so far and are marked partial' "$tmp/stderr" ||
    { cat "$tmp/stderr"; exit 1; }
  points=$(grep -c '"point":' "$tmp/out/sweep.json" || true)
  if [ "$points" -ge 1 ]; then break; fi
done
grep -q '"partial": true' "$tmp/out/sweep.json"
test "$points" -ge 1 && test "$points" -lt 80 || { echo "$points points"; exit 1; }
# sweep.csv: its header and one row per finished point.
test "$(wc -l <"$tmp/out/sweep.csv")" -eq $((points + 1))
# The points are the first ones, in order: both ranks' runs of each are in.
for p in $(seq 1 "$points"); do grep -q "\"point\": $p," "$tmp/out/sweep.json"; done
# Point 1 (one VM of 1 vCPU asking 50% of a core, on 4 cores: 12.5% of the host, with
# noise) holds its 100 replications, the same values as the same point swept on threads.
sed -e 's/vcpus: \[1, 2, 3, 4\]/vcpus: [1]/' -e 's/count: \[1, 2, .*\]/count: [1]/' "$tmp/s.yaml" >"$tmp/one.yaml"
"$bin" sweep "$tmp/one.yaml" --jobs 2 --quiet --out "$tmp/one" >/dev/null
python3 - "$tmp/out/sweep.json" "$tmp/one/sweep.json" <<'PY'
import json, sys
mpi, threads = (json.load(open(f)) for f in sys.argv[1:3])
assert mpi["partial"] is True and threads["partial"] is False
first = mpi["points"][0]["metrics"]["hosts.cpu.util_pct_avg.max"]
assert len(first["values"]) == 100, len(first["values"])
assert abs(first["mean"] - 12.5) < 0.5, first["mean"]
assert first == threads["points"][0]["metrics"]["hosts.cpu.util_pct_avg.max"]
for p in mpi["points"]:
    assert len(p["metrics"]["hosts.cpu.util_pct_avg.max"]["values"]) == 100, p["point"]
PY
echo "interrupted under mpirun: $points points written, partial"
