#!/usr/bin/env bash
# Builds debtflow (release) and runs the main job on a shipped sample:
# samples/debts.csv → pipelines/csv-debts-to-ndjson.json → out/valid.ndjson + out/rejects.ndjson.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/ensure-system-packages.sh
swift build -c release --product debtflow
mkdir -p out
OUT="$PWD/out" .build/release/debtflow run pipelines/csv-debts-to-ndjson.json --summary out/summary.json || status=$?
echo "outputs: $(ls out)" >&2
exit "${status:-0}"
