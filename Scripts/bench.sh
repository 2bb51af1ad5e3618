#!/usr/bin/env bash
# Benchmarks debtflow on generated data (release build). Not a test: nothing here asserts a speed.
#
# Usage: Scripts/bench.sh [ROWS]          (default 1000000 rows per workload)
# Environment:
#   BENCH_REPEAT=3           runs per workload; the row shows the run with the median wall time
#   BENCH_MAGICLINE_ROWS=N   debtors for the Magicline preset workload (default ROWS/10)
#   BENCH_DHAT_ROWS=100000   rows of the W2 run whose heap allocations are counted (0: skip)
#   BENCH_PUSH=1             also push W2's valid debts to a local sandbox (slow: ~1 min per 700k)
#   BENCH_DATA=DIR           where generated inputs are kept between runs (default bench-data/)
#   BENCH_BIN=PATH           measure this debtflow binary instead of building one
#   BENCH_BASELINE_BIN=PATH  also run this binary, interleaved run by run with the measured one
#                            (same minutes, same load), and show its CPU per record and ratio as
#                            "before → after": on a shared machine only such pairs compare
#
# Prints, per workload: wall time of the whole `debtflow run` (process start to exit, outputs
# written), records/s, user+sys CPU per record (µs), peak RSS (the run's own summary, VmHWM),
# `gzip -dc` of the same file timed the same way, and the ratio wall / gzip -dc. Then a bare
# libxml2 SAX2 parse of W3's file as its floor, and heap allocations per record on W2 (valgrind's
# DHAT, or heaptrack where valgrind cannot run the binary).
# Markdown goes to stdout; progress to stderr. Paste it into BENCHMARKS.md with the machine and
# its load (printed too: a busy machine inflates every figure).
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
repeat="${BENCH_REPEAT:-3}"
magicline_rows="${BENCH_MAGICLINE_ROWS:-$((rows / 10))}"
dhat_rows="${BENCH_DHAT_ROWS:-100000}"
Scripts/ensure-system-packages.sh
if [ "$dhat_rows" -gt 0 ] && ! command -v valgrind >/dev/null; then
  echo "installing valgrind ..." >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq valgrind >/dev/null
fi
if [ -n "${BENCH_BIN:-}" ]; then
  bin="$BENCH_BIN"
else
  swift build -c release --product debtflow >&2
  bin="$PWD/.build/release/debtflow"
fi
base_bin="${BENCH_BASELINE_BIN:-}"
data="${BENCH_DATA:-$PWD/bench-data}"
mkdir -p "$data/out"
note() { printf '%s\n' "$*" >&2; }

# --- inputs (kept between runs; --seed 42 makes them the same every time) ----------------------
gen() { # file rows generate-args…
  local file="$1" count="$2"; shift 2
  [ -s "$data/$file" ] || { note "generating $file"; "$bin" generate --rows "$count" "$@" --seed 42 --out "$data/$file" 2>/dev/null; }
}
gen "debtors-$rows.csv.gz" "$rows" --format csv --gzip
gen "debtors-$rows.xml.gz" "$rows" --format xml --gzip
gen "debtors-$rows.json" "$rows" --format json
gen "magicline-$magicline_rows.json.gz" "$magicline_rows" --preset magicline --format json --gzip
if [ ! -s "$data/paged-$rows.json.gz" ]; then   # W4: the flat array wrapped as an API page, {"result":[…]}
  note "generating paged-$rows.json.gz"
  { printf '{"result":'; cat "$data/debtors-$rows.json"; printf '}\n'; } | gzip -6 > "$data/paged-$rows.json.gz"
fi
[ "$dhat_rows" -gt 0 ] && gen "debtors-$dhat_rows.csv.gz" "$dhat_rows" --format csv --gzip && gen "debtors-$((dhat_rows / 10)).csv.gz" "$((dhat_rows / 10))" --format csv --gzip

# --- measuring ---------------------------------------------------------------------------------
# `timed CMD…` runs CMD (stdout to /dev/null) and prints "status wall user sys" in seconds, from
# the wall clock and the children's rusage.
timed() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.monotonic()
status = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
print(status, f"{wall:.3f}", f"{after.ru_utime - before.ru_utime:.3f}", f"{after.ru_stime - before.ru_stime:.3f}")
PY
}
# `median_of N CMD…`: runs CMD N times; prints the "status wall user sys" line of the median wall.
median_of() {
  local n="$1"; shift
  for _ in $(seq "$n"); do timed "$@"; done | sort -n -k2 | sed -n "$(((n + 1) / 2))p"
}
summary_field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
calc() { python3 -c "print($1)"; }

config() { # name input stages-after-read (JSON, starting with a comma) read-options
  printf '{"version":1,"name":"bench-%s","stages":[{"read":{"path":"%s",%s}}%s]}\n' "$1" "$2" "$4" "$3" > "$data/$1.json"
}
debt_stages=',{"map":{}},{"normalize":{"currency":"EUR"}},{"classify":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"out/valid.ndjson"}},{"sink":{"format":"ndjson","path":"out/rejects.ndjson","accept":["failed","skipped"]}}'
config w1 "debtors-$rows.csv.gz" ',{"sink":{"format":"ndjson","path":"out/w1.ndjson"}}' '"format":"csv"'
config w2 "debtors-$rows.csv.gz" "$debt_stages" '"format":"csv"'
config w3 "debtors-$rows.xml.gz" ',{"sink":{"format":"ndjson","path":"out/w3.ndjson"}}' '"format":"xml","record":"debtor"'
config w4 "paged-$rows.json.gz" "$debt_stages" '"format":"json","records":"result"'
config magicline "magicline-$magicline_rows.json.gz" \
  ',{"map":{"preset":"magicline-debtor"}},{"normalize":{"region":"FR"}},{"classify":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"out/valid.ndjson"}},{"sink":{"format":"ndjson","path":"out/rejects.ndjson","accept":["failed","skipped"]}}' \
  '"format":"json","records":"result"'

declare -A gzip_seconds=()
row() { # label config input-file
  local label="$1" name="$2" input="$data/$3"
  note "running $name ($repeat×) …"
  local status wall user sys runs base_runs
  runs=$(mktemp); base_runs=$(mktemp)
  for _ in $(seq "$repeat"); do   # the baseline and the measured binary take turns
    [ -z "$base_bin" ] || timed "$base_bin" run "$data/$name.json" --progress never >> "$base_runs"
    timed "$bin" run "$data/$name.json" --summary "$data/$name.summary.json" --progress never >> "$runs"
  done
  read -r status wall user sys < <(sort -n -k2 "$runs" | sed -n "$(((repeat + 1) / 2))p")
  [ "$status" -le 1 ] || { note "$name exited $status"; exit 1; }
  if [ -z "${gzip_seconds[$input]:-}" ]; then
    local g; read -r _ g _ _ < <(median_of "$repeat" gzip -dc "$input"); gzip_seconds[$input]="$g"
  fi
  local baseline="${gzip_seconds[$input]}"
  # Records the reader yielded: rows, or debtors with the Magicline preset.
  local records; records=$(summary_field "$data/$name.summary.json" source_records)
  if [ -n "$base_bin" ]; then
    local b_wall b_user b_sys
    read -r _ b_wall b_user b_sys < <(sort -n -k2 "$base_runs" | sed -n "$(((repeat + 1) / 2))p")
    printf '| %s | %s | %.2f → %.2f s | %.2f → **%.2f µs** | %s MB | %.2f s | %.1f× → **%.1f×** |\n' "$label" "$records" \
      "$b_wall" "$wall" "$(calc "($b_user+$b_sys)*1e6/$records")" "$(calc "($user+$sys)*1e6/$records")" \
      "$(summary_field "$data/$name.summary.json" peak_rss_mb)" "$baseline" "$(calc "$b_wall/$baseline")" "$(calc "$wall/$baseline")"
  else
    printf '| %s | %s | %.2f s | %s | %.2f µs | %s MB | %.2f s | **%.1f×** |\n' "$label" "$records" "$wall" \
      "$(calc "f'{$records/$wall:,.0f}'")" "$(calc "($user+$sys)*1e6/$records")" \
      "$(summary_field "$data/$name.summary.json" peak_rss_mb)" "$baseline" "$(calc "$wall/$baseline")"
  fi
  rm -f "$runs" "$base_runs"
}

echo "Machine: $(nproc) cores, $(uname -sr), $(swift --version 2>/dev/null | head -1 | sed 's/^.*Swift version \([0-9.]*\).*$/Swift \1/'); load average before: $(cut -d' ' -f1-3 /proc/loadavg); $repeat run(s) per workload, median wall shown."
echo
if [ -n "$base_bin" ]; then
  echo "Before: $base_bin; after: $bin (run by run in turn)."
  echo
  echo "| workload | records | wall before → after | CPU (user+sys) per record before → after | peak RSS after | \`gzip -dc\` | ratio before → after |"
  echo "|---|---|---|---|---|---|---|"
else
  echo "| workload | records | wall | records/s | CPU (user+sys) per record | peak RSS | \`gzip -dc\` | ratio |"
  echo "|---|---|---|---|---|---|---|---|"
fi
row "W1: gzip CSV → NDJSON" w1 "debtors-$rows.csv.gz"
row "W2: gzip CSV → map → normalize → classify → validate → 2 NDJSON sinks" w2 "debtors-$rows.csv.gz"
row "W3: gzip XML → NDJSON" w3 "debtors-$rows.xml.gz"
row "W4: gzip paged JSON → debts → 2 NDJSON sinks" w4 "paged-$rows.json.gz"
row "Magicline preset (gzip JSON debtors → debts), per debtor" magicline "magicline-$magicline_rows.json.gz"

# --- W3's floor: libxml2 SAX2 with empty callbacks, fed by zlib --------------------------------
cc -O2 -o "$data/xml_sax_floor" Scripts/bench/xml_sax_floor.c $(pkg-config --cflags --libs libxml-2.0) -lz
read -r _ floor _ _ < <(median_of "$repeat" "$data/xml_sax_floor" "$data/debtors-$rows.xml.gz")
read -r _ w3 _ _ < <(median_of 1 "$bin" run "$data/w3.json" --progress never)
echo
echo "W3's floor: a bare libxml2 SAX2 push parse of debtors-$rows.xml.gz (empty callbacks, zlib 256 KiB reads,"
echo "Scripts/bench/xml_sax_floor.c): **$(printf '%.2f' "$floor") s**; W3 (one more run) $(printf '%.2f' "$w3") s = **$(calc "f'{$w3/$floor:.1f}'")×** the floor."

# --- heap allocations per record on W2 ----------------------------------------------------------
# valgrind --tool=dhat where it can run the binary; valgrind 3.19 (Debian 12) dies on Swift 6.3
# binaries ("VALGRIND INTERNAL ERROR: Valgrind received a signal 11", even on --version), so then
# heaptrack (an LD_PRELOAD malloc tracer) counts the calls to allocation functions instead.
if [ "$dhat_rows" -gt 0 ]; then
  small=$((dhat_rows / 10))
  heap_tool=""
  allocations_of() { # rows: sets `count` to the heap allocations of a W2 run over that many rows
    config "dhat-$1" "debtors-$1.csv.gz" "$debt_stages" '"format":"csv"'
    count=""
    if [ "$heap_tool" != heaptrack ]; then
      note "running W2 on $1 rows under valgrind --tool=dhat …"
      count=$(valgrind --tool=dhat --dhat-out-file=/dev/null "$bin" run "$data/dhat-$1.json" --progress never 2>&1 >/dev/null \
        | sed -n 's/.*Total:.* bytes in \([0-9,]*\) blocks.*/\1/p' | tr -d ,) || true
      [ -n "$count" ] && heap_tool="valgrind --tool=dhat"
    fi
    if [ -z "$count" ]; then
      command -v heaptrack >/dev/null || { sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
        DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq heaptrack >/dev/null; }
      note "running W2 on $1 rows under heaptrack …"
      rm -f "$data"/heaptrack-w2.*
      count=$(cd "$data" && heaptrack -o "$data/heaptrack-w2" "$bin" run "$data/dhat-$1.json" --progress never 2>&1 \
        | sed -n 's/^[[:space:]]*allocations:[[:space:]]*\([0-9]*\).*/\1/p') || true
      rm -f "$data"/heaptrack-w2.*
      heap_tool=heaptrack
    fi
  }
  allocations_of "$dhat_rows"; big_allocations="$count"
  allocations_of "$small"; small_allocations="$count"
  echo
  echo "Heap allocations on W2 ($heap_tool, release build): $big_allocations for $dhat_rows rows ="
  echo "**$(calc "f'{$big_allocations/$dhat_rows:.1f}'") per record** all told; $small_allocations for $small rows, so"
  echo "**$(calc "f'{($big_allocations-$small_allocations)/($dhat_rows-$small):.1f}'") per record** at the margin (start-up allocations left out)."
fi

# --- push (optional): W2's valid debts to a local sandbox ---------------------------------------
if [ "${BENCH_PUSH:-0}" = 1 ]; then
  "$bin" run "$data/w2.json" --progress never 2>/dev/null || [ $? -le 1 ]
  "$bin" sandbox --port 0 --ledger "$data/out/ledger.ndjson" > "$data/sandbox.out" 2>/dev/null &
  sandbox_pid=$!
  trap 'kill $sandbox_pid 2>/dev/null || true' EXIT
  for _ in $(seq 50); do grep -q listening "$data/sandbox.out" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$data/sandbox.out" | head -1)
  rm -f "$data/out/journal.ndjson" "$data/out/results.ndjson"
  config push "out/valid.ndjson" ',{"map":{"fields":{"firstname":"debt.firstname","lastname":"debt.lastname","amount":"debt.amount","currency":"debt.currency","phone":"debt.phone","email":"debt.email","temp_id":"debt.temp_id","internal_id":"debt.internal_id","due_date":"debt.due_date","iban":"debt.iban"}}},{"normalize":{"decimal":"."}},{"validate":{}},{"sink":{"format":"http","url":"http://127.0.0.1:'"$port"'/external-api/v1/debts/batch","token":"bench","batch_size":500,"results":"out/results.ndjson","journal":"out/journal.ndjson"}}' '"format":"json"'
  read -r status wall _ _ < <(timed "$bin" run "$data/push.json" --summary "$data/push.summary.json" --progress never)
  kill $sandbox_pid 2>/dev/null || true
  echo
  echo "Push of W2's valid debts to a local sandbox (batches of 500, concurrency 2, same 2 cores): $(summary_field "$data/push.summary.json" records) debts in $(printf '%.2f' "$wall") s (exit $status); ledger $(wc -l < "$data/out/ledger.ndjson") debts."
fi
echo
echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
rm -f "$data"/out/*.ndjson
