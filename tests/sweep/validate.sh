#!/usr/bin/env bash
# `vdcsim validate` checks a scenario's `sweep:` section as `vdcsim sweep` does before it
# runs: every problem at once, at its line and column, status 2; a good sweep is valid.
#   validate.sh VDCSIM        (from the source tree)
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bad=tests/sweep/bad-sweep.yaml
for cmd in validate sweep; do
  status=0
  if [ "$cmd" = sweep ]; then
    "$bin" sweep "$bad" --quiet --out "$tmp/out" >"$tmp/$cmd.out" 2>"$tmp/$cmd.err" || status=$?
  else
    "$bin" validate "$bad" >"$tmp/$cmd.out" 2>"$tmp/$cmd.err" || status=$?
  fi
  test "$status" -eq 2 || { echo "$cmd: status $status, expected 2"; exit 1; }
  test ! -s "$tmp/$cmd.out" || { echo "$cmd: wrote to stdout"; cat "$tmp/$cmd.out"; exit 1; }
  diff tests/sweep/bad-sweep.expected "$tmp/$cmd.err"
done
test ! -e "$tmp/out"
# The bundled sweep: 3 sizes x 2 counts = 6 points, 3 replications, 3 metrics.
"$bin" validate scenarios/overcommit-sweep.yaml >"$tmp/good.out"
grep -qx 'scenarios/overcommit-sweep.yaml: valid (1 hosts, 5 VMs, 0 events, a sweep of 6 points x 3 replications, 3 metrics)' \
  "$tmp/good.out" || { cat "$tmp/good.out"; exit 1; }
echo "validate checks sweep:"
