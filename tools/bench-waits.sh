#!/usr/bin/env bash
# Benchmark (issue 8 item 4): do the waits of the device-grant and CIBA suites overlap?
#
# Runs the rfc8628 and ciba suites against the bundled reference server (one layout, a fresh
# in-process server each run) and records, per run, the suite's wall time and its longest
# single case's wall time, from results.json. Waits (polling intervals, expiries) must not add
# up: the wall time should stay within 1.5x the longest case. A benchmark, not a test: it
# prints the figures and says whether the bound held; run it on a quiet machine.
#
# usage: tools/bench-waits.sh [runs=3] [layout=generic] [concurrency=default]
# (a low concurrency shows that a waiting case gives up its slot)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
layout="${2:-generic}"
conc=(); [ -n "${3:-}" ] && conc=(--concurrency "$3")
cargo build --release --quiet
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
printf 'layout %s, %s runs, %s cores\n' "$layout" "$runs" "$(nproc)"
for i in $(seq 1 "$runs"); do
  target/release/oauth2spec run --layout "$layout" --only 'rfc8628/*' --only 'ciba/*' "${conc[@]}" \
    --report-dir "$out/$i" >/dev/null 2>&1 || true
  python3 - "$out/$i/reference-$layout/results.json" "$i" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
cases = r["cases"]
longest = max(cases, key=lambda c: c["duration_ms"])
ran = [c for c in cases if c["status"] != "skip"]
total = sum(c["duration_ms"] for c in ran)
wall = r["duration_ms"]
ratio = wall / max(longest["duration_ms"], 1)
print(f"run {sys.argv[2]}: {len(ran)} cases, wall {wall} ms, longest case {longest['duration_ms']} ms "
      f"({longest['id']}), sum of cases {total} ms, wall/longest {ratio:.2f} "
      f"[{'ok' if ratio <= 1.5 else 'OVER 1.5'}]")
PY
done
