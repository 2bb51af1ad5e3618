#!/usr/bin/env bash
# Counts what one record costs, exactly, on a machine whose speed drifts too much for timings to
# separate a 1% step: instructions (valgrind's callgrind) and reference-count calls (perf uprobes
# on libswiftCore's swift_retain / swift_release / swift_bridgeObject{Retain,Release}, and libc's
# malloc). Each figure is a run over ROWS generated records minus a run over one record (the
# start-up: reading the config, decoding the phone metadata), divided by ROWS - 1. Not a test:
# nothing here asserts a count. Compare two binaries by running it on each.
#
# Usage: Scripts/count-per-record.sh BIN [w1|w2|w4] [instructions|refcounts|both|callers]   (default w2 both)
#   w1: the same CSV converted (read → one NDJSON sink, no map); w2: the CSV through the debt
#   pipeline; w4: paged JSON ({"result":[…]}) through the debt pipeline.
#   callers: swift_retain / swift_release on real objects only (not null, not a tagged pointer),
#   per record, by the nearest debtflow function on the stack (value witnesses and runtime frames
#   skipped): where the reference counting that costs atomics happens. Needs `perf record -g`.
# Environment:
#   COUNT_ROWS=10000     records per counted run
#   VALGRIND=valgrind    a valgrind that runs Swift 6 binaries. Debian 12's 3.19 (and a plain 3.24)
#                        stop at libdispatch's sigsuspend, whose signal mask is in read-only memory:
#                        build 3.24 with Scripts/bench/valgrind-rt_sigsuspend.patch (see BENCHMARKS.md).
#   COUNT_DATA=DIR       where the inputs are generated (default bench-data/count)
# The uprobes need root (perf probe); they are added once and kept.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$(realpath "$1")"; workload="${2:-w2}"; what="${3:-both}"
rows="${COUNT_ROWS:-10000}"
valgrind="${VALGRIND:-valgrind}"
data="${COUNT_DATA:-$PWD/bench-data/count}"
mkdir -p "$data/out"
[ -s "$data/debtors-$rows.csv.gz" ] || "$bin" generate --rows "$rows" --format csv --gzip --seed 42 --out "$data/debtors-$rows.csv.gz" 2>/dev/null
[ -s "$data/debtors-1.csv.gz" ] || "$bin" generate --rows 1 --format csv --gzip --seed 42 --out "$data/debtors-1.csv.gz" 2>/dev/null
if [ "$workload" = w4 ]; then
  if [ ! -s "$data/paged-$rows.json.gz" ]; then
    "$bin" generate --rows "$rows" --format json --seed 42 --out "$data/debtors-$rows.json" 2>/dev/null
    { printf '{"result":'; cat "$data/debtors-$rows.json"; printf '}\n'; } | gzip -6 > "$data/paged-$rows.json.gz"
    { printf '{"result":'; "$bin" generate --rows 1 --format json --seed 42 2>/dev/null; printf '}\n'; } | gzip -6 > "$data/paged-1.json.gz"
  fi
  read_many="\"path\":\"paged-$rows.json.gz\",\"format\":\"json\",\"records\":\"result\""
  read_one='"path":"paged-1.json.gz","format":"json","records":"result"'
else
  read_many="\"path\":\"debtors-$rows.csv.gz\",\"format\":\"csv\""
  read_one='"path":"debtors-1.csv.gz","format":"csv"'
fi
config() { # file read-stage
  if [ "$workload" = w1 ]; then
    printf '{"version":1,"name":"count","stages":[{"read":{%s}},{"sink":{"format":"ndjson","path":"out/w1.ndjson"}}]}\n' "$2" > "$data/$1"
  else
    printf '{"version":1,"name":"count","stages":[{"read":{%s}},{"map":{}},{"normalize":{"currency":"EUR"}},{"classify":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"out/valid.ndjson"}},{"sink":{"format":"ndjson","path":"out/rejects.ndjson","accept":["failed","skipped"]}}]}\n' "$2" > "$data/$1"
  fi
}
config many.json "$read_many"
config one.json "$read_one"
run() { rm -f "$data"/out/*; "$@" >/dev/null 2>&1 || true; }  # exit 1: some records failed, as generated

if [ "$what" = callers ]; then
  core="$(dirname "$(realpath "$(command -v swift)")")/../lib/swift/linux/libswiftCore.so"
  for symbol in swift_retain swift_release; do
    # The probe must record the object (its first argument, in rdi).
    if ! perf probe -l 2>/dev/null | grep -q "probe_libswiftCore:$symbol .*with obj"; then
      perf probe -q -d "probe_libswiftCore:$symbol" >/dev/null 2>&1 || true
      perf probe -q -x "$core" "$symbol obj=%di" >/dev/null 2>&1
    fi
  done
  events=probe_libswiftCore:swift_retain,probe_libswiftCore:swift_release
  run perf record -e "$events" -g -o "$data/many.perf" "$bin" run "$data/many.json"
  run perf record -e "$events" -g -o "$data/one.perf" "$bin" run "$data/one.json"
  for name in many one; do
    perf script -i "$data/$name.perf" -F event,trace,ip,sym 2>/dev/null | swift demangle --simplified > "$data/$name.calls"
  done
  python3 - "$data/many.calls" "$data/one.calls" "$rows" <<'PY'
import collections, re, sys
many, one, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
skipped = ('outlined', 'destroy', 'initializeWithCopy', 'assignWith', 'ValueWitnesses', 'swift::', 'swift_',
           '__deallocating', '_ContiguousArray')
def count(path):
    found = collections.Counter()
    for sample in open(path).read().split('\n\n'):
        lines = [line.strip() for line in sample.strip().split('\n') if line.strip()]
        if len(lines) < 2: continue
        match = re.search(r'obj=(0x[0-9a-f]+|\d+)', lines[0])
        if not match: continue
        address = int(match.group(1), 0)
        if address == 0 or address >= 1 << 63: continue  # null, or a tagged pointer: no atomic
        event = 'retain' if 'retain' in lines[0] else 'release'
        frames = [line.split(None, 1)[1] if len(line.split(None, 1)) > 1 else '' for line in lines[1:]]
        caller = next((frame for frame in frames[1:] if not any(word in frame for word in skipped)), '?')
        found[(caller[:100], event)] += 1
    return found
a, z = count(many), count(one)
by_caller = collections.defaultdict(lambda: [0.0, 0.0])
for (caller, event), n in a.items():
    by_caller[caller][0 if event == 'retain' else 1] += (n - z.get((caller, event), 0)) / (rows - 1)
print(f"real-object retains {sum(v[0] for v in by_caller.values()):.1f}, releases {sum(v[1] for v in by_caller.values()):.1f} per record")
for caller, (retains, releases) in sorted(by_caller.items(), key=lambda item: -sum(item[1]))[:25]:
    if retains + releases >= 0.05: print(f"{retains:6.1f} {releases:6.1f}  {caller}")
PY
  exit 0
fi
if [ "$what" != refcounts ]; then
  count_ir() {
    rm -f "$data"/out/*
    "$valgrind" --tool=callgrind --callgrind-out-file=/dev/null "$bin" run "$data/$1" 2>&1 | awk '/Collected/ {print $4}' || true
  }
  many=$(count_ir many.json); one=$(count_ir one.json)
  if [ -z "$many" ] || [ -z "$one" ]; then
    echo "$valgrind could not run $bin (Debian 12's valgrind cannot: see VALGRIND above)" >&2
    exit 1
  fi
  printf '%-28s %8.0f per record\n' "instructions" "$(echo "($many - $one) / ($rows - 1)" | bc -l)"
fi
if [ "$what" != instructions ]; then
  core="$(dirname "$(realpath "$(command -v swift)")")/../lib/swift/linux/libswiftCore.so"
  libc="$(ldconfig -p | awk '/libc.so.6 .*x86-64/ {print $NF; exit}')"
  for symbol in swift_retain swift_release swift_bridgeObjectRetain swift_bridgeObjectRelease; do
    perf probe -l 2>/dev/null | grep -q "probe_libswiftCore:$symbol " || perf probe -q -x "$core" "$symbol" >/dev/null 2>&1
  done
  perf probe -l 2>/dev/null | grep -q "probe_libc:malloc " || perf probe -q -x "$libc" malloc >/dev/null 2>&1
  events=probe_libswiftCore:swift_retain,probe_libswiftCore:swift_release,probe_libswiftCore:swift_bridgeObjectRetain,probe_libswiftCore:swift_bridgeObjectRelease,probe_libc:malloc
  run perf stat -e "$events" -x, -o "$data/many.stat" "$bin" run "$data/many.json"
  run perf stat -e "$events" -x, -o "$data/one.stat" "$bin" run "$data/one.json"
  paste -d, <(grep probe "$data/many.stat") <(grep probe "$data/one.stat") \
    | awk -F, -v rows="$rows" '{ n = ($1 - $8) / (rows - 1); name = $3; sub(/^probe_lib[a-zA-Z]*:/, "", name); printf "%-28s %8.1f per record\n", name, n; if (name != "malloc") total += n }
        END { printf "%-28s %8.1f per record\n", "reference-count calls", total }'
fi
