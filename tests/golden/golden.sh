#!/usr/bin/env bash
# Golden reports of the bundled scenarios (tests/golden/cases.txt).
#   golden.sh check VDCSIM SCENARIO FIDELITY   run one case, compare with its golden files
#   golden.sh regen VDCSIM                     rewrite the golden files of every case
#   golden.sh coverage                         every scenario of scenarios/ has a case
# Run from the source folder (ctest does). A case runs
#   vdcsim run scenarios/SCENARIO.yaml --fidelity FIDELITY --format text,json --quiet
# and keeps report.json and the text summary (stdout) as summary.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
golden=tests/golden

run_case() {  # vdcsim scenario fidelity out_dir [args...]
  local bin=$1 scenario=$2 fidelity=$3 out=$4
  shift 4
  mkdir -p "$out"
  "$bin" run "scenarios/$scenario.yaml" --fidelity "$fidelity" --format text,json --quiet \
    --out "$out/reports" "$@" >"$out/summary.txt"
  mv "$out/reports/report.json" "$out/report.json"
  rmdir "$out/reports"
}

case_args() {  # scenario fidelity: the extra arguments of that case
  awk -v s="$1" -v f="$2" '$1 == s && $2 == f { for (i = 3; i <= NF; ++i) print $i }' \
    "$golden/cases.txt"
}

cases() { grep -v '^\s*#' "$golden/cases.txt" | grep -v '^\s*$'; }

case "${1:-}" in
  check)
    bin=$2 scenario=$3 fidelity=$4
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mapfile -t extra < <(case_args "$scenario" "$fidelity")
    run_case "$bin" "$scenario" "$fidelity" "$tmp" "${extra[@]}"
    status=0
    for f in report.json summary.txt; do
      want="$golden/$scenario/$fidelity/$f"
      if [ ! -f "$want" ]; then
        echo "missing golden file $want (make regen-golden writes it)"
        status=1
      elif ! cmp -s "$want" "$tmp/$f"; then
        echo "$scenario ($fidelity): $f differs from $want:"
        diff -u "$want" "$tmp/$f" | head -60 || true
        status=1
      fi
    done
    exit $status
    ;;
  regen)
    bin=$2
    while read -r scenario fidelity rest; do
      dir="$golden/$scenario/$fidelity"
      read -r -a extra <<<"${rest:-}"
      tmp=$(mktemp -d)
      run_case "$bin" "$scenario" "$fidelity" "$tmp" "${extra[@]}"
      mkdir -p "$dir"
      mv "$tmp/report.json" "$tmp/summary.txt" "$dir/"
      rm -rf "$tmp"
      echo "wrote $dir"
    done < <(cases)
    ;;
  coverage)
    status=0
    for f in scenarios/*.yaml; do
      s=$(basename "$f" .yaml)
      if ! cases | awk '{print $1}' | grep -qx "$s"; then
        echo "scenarios/$s.yaml has no golden case in $golden/cases.txt"
        status=1
      fi
    done
    exit $status
    ;;
  *)
    echo "usage: golden.sh check VDCSIM SCENARIO FIDELITY | regen VDCSIM | coverage" >&2
    exit 2
    ;;
esac
