#!/usr/bin/env bash
# Regenerates the golden outputs that GoldenOutputTests compares byte for byte: every shipped
# pipeline that runs without a network (the http one with --dry-run), on the shipped samples and on
# generated inputs (3000 rows, seed 42: CSV, JSON, NDJSON, XML and Magicline debtors).
#
#   Scripts/make_goldens.sh                 # outputs only, from the stored inputs
#   Scripts/make_goldens.sh --inputs        # also regenerate the stored generated inputs
#
# Uses $DEBTFLOW_BIN, else .build/release/debtflow (built when missing). Only run it when an
# output is meant to change, and say why in the commit.
#
# Layout (Tests/Goldens):
#   cases.tsv                 one case per line: name, config, input, extra env, extra args
#   configs/                  configs for the inputs no shipped pipeline reads (generic JSON, XML debts)
#   inputs/                   the generated inputs (gzip: readers detect it from the magic bytes)
#   outputs/NAME/             each output file, gzip -n; `exit-code`; `summary.json` without
#                             `seconds` and `peak_rss_mb`. A sink's gzip output is stored (and
#                             compared) decompressed, as FILE.gz.ungz.gz.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
goldens="$root/Tests/Goldens"
bin="${DEBTFLOW_BIN:-$root/.build/release/debtflow}"
if [ ! -x "$bin" ]; then swift build -c release --product debtflow >&2; fi

rows=3000
if [ "${1:-}" = "--inputs" ] || [ ! -d "$goldens/inputs" ]; then
  mkdir -p "$goldens/inputs"
  gen() { # file args...
    local file="$1"; shift
    "$bin" generate --rows "$rows" --seed 42 "$@" --out "$goldens/inputs/${file%.gz}" 2>/dev/null
    gzip -9 -n -f "$goldens/inputs/${file%.gz}"
  }
  gen generated.csv.gz --format csv
  gen generated.json.gz --format json
  gen generated.ndjson.gz --format ndjson
  gen generated.xml.gz --format xml
  gen generated-magicline.json.gz --format json --shape magicline
fi

# name <TAB> config <TAB> input <TAB> env (space-separated K=V, or -) <TAB> args (or -)
cases="$goldens/cases.tsv"
{
  for input in samples/debtors.csv.gz samples/debtors-multimember.csv.gz samples/debtors-tab.csv \
               samples/debtors-windows1252.csv samples/debts.csv Tests/Goldens/inputs/generated.csv.gz; do
    base=$(basename "$input"); base=${base%.gz}
    printf 'csv-to-ndjson.%s\tpipelines/csv-to-ndjson.json\t%s\t-\t-\n' "$base" "$input"
    printf 'csv-debts-to-ndjson.%s\tpipelines/csv-debts-to-ndjson.json\t%s\t-\t-\n' "$base" "$input"
  done
  printf 'xml-to-ndjson.legacy-export.xml\tpipelines/xml-to-ndjson.json\tsamples/legacy-export.xml\t-\t-\n'
  printf 'xml-to-ndjson.generated.xml\tpipelines/xml-to-ndjson.json\tTests/Goldens/inputs/generated.xml.gz\tRECORD=debtor\t-\n'
  printf 'xml-debts-to-ndjson.generated.xml\tTests/Goldens/configs/xml-debts-to-ndjson.json\tTests/Goldens/inputs/generated.xml.gz\t-\t-\n'
  printf 'xml-debts-to-ndjson.legacy-export.xml\tTests/Goldens/configs/xml-debts-to-ndjson.json\tsamples/legacy-export.xml\tRECORD=client\t-\n'
  for input in samples/sportalliance-debtors.json Tests/Goldens/inputs/generated-magicline.json.gz; do
    base=$(basename "$input"); base=${base%.gz}
    printf 'magicline-json-to-ndjson.%s\tpipelines/magicline-json-to-ndjson.json\t%s\t-\t-\n' "$base" "$input"
  done
  for input in samples/debts.json samples/debts.ndjson Tests/Goldens/inputs/generated.json.gz Tests/Goldens/inputs/generated.ndjson.gz; do
    base=$(basename "$input"); base=${base%.gz}
    printf 'json-to-ndjson.%s\tTests/Goldens/configs/json-to-ndjson.json\t%s\t-\t-\n' "$base" "$input"
    printf 'json-debts-to-ndjson.%s\tTests/Goldens/configs/json-debts-to-ndjson.json\t%s\t-\t-\n' "$base" "$input"
  done
  # The push pipeline, without a network: --dry-run writes what would be sent beside `results`.
  printf 'ndjson-to-getbill.dry-run\tpipelines/ndjson-to-getbill.json\tTests/Goldens/outputs/csv-debts-to-ndjson.generated.csv/valid.ndjson.gz\tGETBILL_TOKEN=golden-token\t--dry-run\n'
} > "$cases"

# Runs one case into $2 (an empty folder); prints the exit code.
run_case() { # config input env args out
  local config="$1" input="$2" env="$3" args="$4" out="$5"
  local -a envs=(INPUT="$root/$input" OUT="$out")
  if [ "$env" != "-" ]; then
    local -a extra=()
    read -r -a extra <<<"$env"
    envs+=("${extra[@]}")
  fi
  local -a flags=()
  [ "$args" = "-" ] || read -r -a flags <<<"$args"
  local status=0
  env "${envs[@]}" "$bin" run "$root/$config" "${flags[@]}" --progress never --summary "$out/.summary.json" \
    >"$out/.stdout" 2>"$out/.stderr" || status=$?
  echo "$status"
}

rm -rf "$goldens/outputs"
mkdir -p "$goldens/outputs"
while IFS=$'\t' read -r name config input env args; do
  work=$(mktemp -d)
  status=$(run_case "$config" "$input" "$env" "$args" "$work")
  dest="$goldens/outputs/$name"
  mkdir -p "$dest"
  echo "$status" > "$dest/exit-code"
  python3 - "$work/.summary.json" "$dest/summary.json" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
for key in ("seconds", "peak_rss_mb"):
    summary.pop(key, None)
with open(sys.argv[2], "w") as out:
    json.dump(summary, out, sort_keys=True, indent=1)
    out.write("\n")
PY
  for file in "$work"/*; do
    [ -e "$file" ] || continue
    base=$(basename "$file")
    if [ "${base%.gz}" != "$base" ]; then
      gzip -dc "$file" | gzip -9 -n > "$dest/$base.ungz.gz"
    else
      gzip -9 -n -c "$file" > "$dest/$base.gz"
    fi
  done
  echo "$name: exit $status, $(ls "$work" | wc -l) output file(s)" >&2
  rm -rf "$work"
done < "$cases"
du -sh "$goldens" >&2
