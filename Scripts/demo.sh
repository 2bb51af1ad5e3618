#!/usr/bin/env bash
# Builds debtflow (release) and runs the main job on a shipped sample:
# samples/debts.csv → pipelines/csv-debts-to-ndjson.json → out/valid.ndjson + out/rejects.ndjson.
# The sample holds every kind of outcome on purpose, so debtflow exits 1 (some records failed);
# this script reports that and exits 0. Any other exit code is a real failure.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/ensure-system-packages.sh
swift build -c release --product debtflow
mkdir -p out
status=0
OUT="$PWD/out" .build/release/debtflow run pipelines/csv-debts-to-ndjson.json --summary out/summary.json || status=$?
case "$status" in
  0) echo "demo: every record valid; see out/valid.ndjson" >&2 ;;
  1) echo "demo: finished; valid debts in out/valid.ndjson, rejected and skipped rows (with reasons) in out/rejects.ndjson, summary in out/summary.json" >&2 ;;
  *) echo "demo: debtflow exited $status" >&2; exit "$status" ;;
esac
