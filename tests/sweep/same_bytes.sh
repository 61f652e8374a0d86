#!/usr/bin/env bash
# `vdcsim sweep` of the bundled sweep scenario (shortened) gives the same bytes on 1 job, 2
# jobs and, given MPIEXEC, 2 MPI ranks on the loopback.
#   same_bytes.sh VDCSIM [MPIEXEC]
set -euo pipefail
bin=$1
mpiexec=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Two points x two replications of 5 simulated minutes keep it fast.
sed -e 's/^duration: .*/duration: 5m/' -e 's/replications: 3 /replications: 2 /' \
  -e 's/vm_profiles.web.vcpus: \[1, 2, 4\]/vm_profiles.web.vcpus: [1, 4]/' \
  -e 's/vms.web.count: \[4, 8\]/vms.web.count: [8]/' scenarios/overcommit-sweep.yaml >"$tmp/s.yaml"
grep -q 'vm_profiles.web.vcpus: \[1, 4\]' "$tmp/s.yaml"
"$bin" sweep "$tmp/s.yaml" --jobs 1 --runs --quiet --out "$tmp/one" >"$tmp/one.txt"
if [ -z "$mpiexec" ]; then
  "$bin" sweep "$tmp/s.yaml" --jobs 2 --runs --quiet --out "$tmp/other" >"$tmp/other.txt"
else
  "$mpiexec" --allow-run-as-root --oversubscribe -np 2 --mca btl self,vader,tcp --mca btl_tcp_if_include lo \
    "$bin" sweep "$tmp/s.yaml" --runs --quiet --out "$tmp/other" >"$tmp/other.txt"
fi
test "$(grep -c '"point":' "$tmp/one/sweep.json")" -eq 2
test "$(ls "$tmp/one/runs" | wc -l)" -eq 4
diff -r "$tmp/one" "$tmp/other"
cmp "$tmp/one.txt" "$tmp/other.txt"
echo "same bytes"
