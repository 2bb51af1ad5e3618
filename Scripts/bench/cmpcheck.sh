#!/usr/bin/env bash
# Checks that two debtflow binaries write the same bytes: runs both on the benchmark workloads
# (W1–W4 on ROWS generated rows, the Magicline preset on ROWS/10 debtors; the same configs as
# Scripts/bench.sh) and compares every output file with cmp. The guard for a refactor that must not
# change an output: run it after each step against the binary the refactor started from.
# Not a test: it needs gigabytes of generated input and minutes; the suite's golden files are the
# test (Tests/DebtflowCLITests, Scripts/make_goldens.sh).
#
# Usage: Scripts/bench/cmpcheck.sh NEW_BIN OLD_BIN [ROWS]     (default 1000000)
# Environment: BENCH_DATA=DIR where inputs are generated and kept (default bench-data/).
# Prints one line per output and "all identical", or the outputs that differ (exit 1).
set -euo pipefail
cd "$(dirname "$0")/../.."
new="$(realpath "$1")"; old="$(realpath "$2")"; rows="${3:-1000000}"
magicline_rows=$((rows / 10))
data="${BENCH_DATA:-$PWD/bench-data}"
mkdir -p "$data/cmp-new/out" "$data/cmp-old/out"
gen() { # file rows generate-args…
  local file="$1" count="$2"; shift 2
  [ -s "$data/$file" ] || { echo "generating $file" >&2; "$old" generate --rows "$count" "$@" --seed 42 --out "$data/$file" 2>/dev/null; }
}
gen "debtors-$rows.csv.gz" "$rows" --format csv --gzip
gen "debtors-$rows.xml.gz" "$rows" --format xml --gzip
gen "debtors-$rows.json" "$rows" --format json
gen "magicline-$magicline_rows.json.gz" "$magicline_rows" --preset magicline --format json --gzip
if [ ! -s "$data/paged-$rows.json.gz" ]; then
  { printf '{"result":'; cat "$data/debtors-$rows.json"; printf '}\n'; } | gzip -6 > "$data/paged-$rows.json.gz"
fi
debt_stages=',{"map":{}},{"normalize":{"currency":"EUR"}},{"classify":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"out/valid.ndjson"}},{"sink":{"format":"ndjson","path":"out/rejects.ndjson","accept":["failed","skipped"]}}'
magicline_stages=',{"map":{"preset":"magicline-debtor"}},{"normalize":{"region":"FR"}},{"classify":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"out/valid.ndjson"}},{"sink":{"format":"ndjson","path":"out/rejects.ndjson","accept":["failed","skipped"]}}'
config() { # directory name input stages-after-read read-options
  printf '{"version":1,"name":"cmp-%s","stages":[{"read":{"path":"%s",%s}}%s]}\n' "$2" "$data/$3" "$5" "$4" > "$1/$2.json"
}
status=0
for workload in w1 w2 w3 w4 magicline; do
  for side in new old; do
    dir="$data/cmp-$side"
    case "$workload" in
      w1) config "$dir" w1 "debtors-$rows.csv.gz" ',{"sink":{"format":"ndjson","path":"out/w1.ndjson"}}' '"format":"csv"' ;;
      w2) config "$dir" w2 "debtors-$rows.csv.gz" "$debt_stages" '"format":"csv"' ;;
      w3) config "$dir" w3 "debtors-$rows.xml.gz" ',{"sink":{"format":"ndjson","path":"out/w3.ndjson"}}' '"format":"xml","record":"debtor"' ;;
      w4) config "$dir" w4 "paged-$rows.json.gz" "$debt_stages" '"format":"json","records":"result"' ;;
      magicline) config "$dir" magicline "magicline-$magicline_rows.json.gz" "$magicline_stages" '"format":"json","records":"result"' ;;
    esac
    rm -f "$dir"/out/*
    bin="$new"; [ "$side" = old ] && bin="$old"
    (cd "$dir" && "$bin" run "$workload.json" --progress never >/dev/null 2>&1) || [ $? -eq 1 ] \
      || { echo "$workload: $side binary exited with an error" >&2; status=1; }
  done
  if [ "$(ls "$data/cmp-old/out")" != "$(ls "$data/cmp-new/out")" ]; then
    echo "$workload: the binaries wrote different files: $(ls "$data/cmp-old/out" | tr '\n' ' ')against $(ls "$data/cmp-new/out" | tr '\n' ' ')"
    status=1
  fi
  for file in "$data/cmp-old/out"/*; do
    name="$(basename "$file")"
    if cmp -s "$file" "$data/cmp-new/out/$name"; then
      echo "$workload $name: identical ($(wc -c < "$file") bytes)"
    else
      echo "$workload $name: DIFFERS"; status=1
    fi
  done
done
[ "$status" -eq 0 ] && echo "all identical"
exit "$status"
