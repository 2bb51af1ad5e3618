#!/usr/bin/env bash
# Benchmarks debtflow on generated data (release build). Not a test: it prints rows/s and peak RSS
# per workload, beside `gzip -dc` of the same file. Usage: Scripts/bench.sh [ROWS] (default 1000000).
# Results go to stdout as a Markdown table; paste them into BENCHMARKS.md with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
Scripts/ensure-system-packages.sh
swift build -c release --product debtflow >&2
bin="$PWD/.build/release/debtflow"
data="${BENCH_DATA:-$PWD/bench-data}"
mkdir -p "$data/out"

gen() { # format extra-args file
  [ -s "$data/$3" ] || "$bin" generate --rows "$rows" --format "$1" $2 --seed 42 --out "$data/$3" 2>/dev/null
}
gen csv --gzip "debtors-$rows.csv.gz"
gen json "" "debtors-$rows.json"
gen xml --gzip "debtors-$rows.xml.gz"

seconds_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['seconds'])" "$1"; }
peak_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['peak_rss_mb'])" "$1"; }
records_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['records'])" "$1"; }

baseline() { # file
  local start end
  start=$(date +%s.%N); gzip -dc "$1" >/dev/null; end=$(date +%s.%N)
  python3 -c "print(f'{$end-$start:.2f}')"
}

run() { # name config-json
  local config="$data/$1.json" summary="$data/$1.summary.json"
  printf '%s\n' "$2" > "$config"
  local start end
  start=$(date +%s.%N)
  "$bin" run "$config" --summary "$summary" --progress never 2>/dev/null || [ $? -le 1 ]
  end=$(date +%s.%N)
  local wall; wall=$(python3 -c "print(f'{$end-$start:.2f}')")
  local records; records=$(records_of "$summary")
  printf '| %s | %s | %s s | %s | %s MB |\n' "$1" "$records" "$wall" \
    "$(python3 -c "print(f'{$records/$wall:,.0f}')")" "$(peak_of "$summary")"
}

echo "| workload | records | wall | records/s | peak RSS |"
echo "|---|---|---|---|---|"
echo "| gzip -dc debtors-$rows.csv.gz (baseline) | $rows | $(baseline "$data/debtors-$rows.csv.gz") s | | |"
run csv-gz-to-ndjson "{\"version\":1,\"name\":\"bench\",\"stages\":[{\"read\":{\"format\":\"csv\",\"path\":\"debtors-$rows.csv.gz\"}},{\"sink\":{\"format\":\"ndjson\",\"path\":\"out/conv.ndjson\"}}]}"
run csv-gz-debts-to-ndjson "{\"version\":1,\"name\":\"bench\",\"stages\":[{\"read\":{\"format\":\"csv\",\"path\":\"debtors-$rows.csv.gz\"}},{\"map\":{}},{\"normalize\":{\"currency\":\"EUR\"}},{\"classify\":{}},{\"validate\":{}},{\"sink\":{\"format\":\"ndjson\",\"path\":\"out/valid.ndjson\"}},{\"sink\":{\"format\":\"ndjson\",\"path\":\"out/rejects.ndjson\",\"accept\":[\"failed\",\"skipped\"]}}]}"
echo "| gzip -dc debtors-$rows.xml.gz (baseline) | $rows | $(baseline "$data/debtors-$rows.xml.gz") s | | |"
run xml-gz-to-ndjson "{\"version\":1,\"name\":\"bench\",\"stages\":[{\"read\":{\"format\":\"xml\",\"path\":\"debtors-$rows.xml.gz\",\"record\":\"debtor\"}},{\"sink\":{\"format\":\"ndjson\",\"path\":\"out/xml.ndjson\"}}]}"
run json-array-to-ndjson "{\"version\":1,\"name\":\"bench\",\"stages\":[{\"read\":{\"format\":\"json\",\"path\":\"debtors-$rows.json\"}},{\"sink\":{\"format\":\"ndjson\",\"path\":\"out/json.ndjson\"}}]}"

# Push: the valid debts of the CSV run, to a local sandbox (no faults), batches of 500, concurrency 2.
"$bin" sandbox --port 0 --ledger "$data/out/ledger.ndjson" > "$data/sandbox.out" 2>/dev/null &
sandbox_pid=$!
trap 'kill $sandbox_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$data/sandbox.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$data/sandbox.out" | head -1)
rm -f "$data/out/journal.ndjson" "$data/out/results.ndjson"
run push-valid-to-sandbox "{\"version\":1,\"name\":\"bench\",\"stages\":[{\"read\":{\"format\":\"json\",\"path\":\"out/valid.ndjson\"}},{\"map\":{\"fields\":{\"firstname\":\"debt.firstname\",\"lastname\":\"debt.lastname\",\"amount\":\"debt.amount\",\"currency\":\"debt.currency\",\"phone\":\"debt.phone\",\"email\":\"debt.email\",\"temp_id\":\"debt.temp_id\",\"internal_id\":\"debt.internal_id\",\"due_date\":\"debt.due_date\",\"iban\":\"debt.iban\"}}},{\"normalize\":{\"decimal\":\".\"}},{\"classify\":{}},{\"validate\":{}},{\"sink\":{\"format\":\"http\",\"url\":\"http://127.0.0.1:$port/external-api/v1/debts/batch\",\"token\":\"bench\",\"batch_size\":500,\"results\":\"out/results.ndjson\",\"journal\":\"out/journal.ndjson\"}}]}"
kill $sandbox_pid 2>/dev/null || true
echo "| (sandbox ledger) | $(wc -l < "$data/out/ledger.ndjson") debts created | | | |"
rm -f "$data"/out/*.ndjson
