#!/usr/bin/env bash
# Compares two debtflow binaries on a machine whose speed drifts: both run AT THE SAME TIME, each
# pinned to a core of its own (swapped every pair), so both see the same load; a pair's ratio
# new/old of user+sys CPU is then far steadier than runs taken one after the other.
# Not a test: nothing here asserts a speed. Needs `taskset` (util-linux) and 2 cores.
#
# Usage: Scripts/bench-pair.sh OLD_BIN NEW_BIN OLD_CONFIG NEW_CONFIG [PAIRS]   (default 10 pairs)
# The two configs must read the same input and write to different outputs.
# Prints each binary's CPU (min, median) and the median, min and max of the per-pair ratio new/old.
set -euo pipefail
old="$1"; new="$2"; old_config="$3"; new_config="$4"; pairs="${5:-10}"
for i in $(seq "$pairs"); do
  if [ $((i % 2)) = 0 ]; then old_core=0; new_core=1; else old_core=1; new_core=0; fi
  /usr/bin/time -f "%U %S" -o /tmp/bench-pair.old.$$ taskset -c "$old_core" "$old" run "$old_config" >/dev/null 2>&1 &
  /usr/bin/time -f "%U %S" -o /tmp/bench-pair.new.$$ taskset -c "$new_core" "$new" run "$new_config" >/dev/null 2>&1 &
  wait
  echo "$(tail -1 /tmp/bench-pair.old.$$) $(tail -1 /tmp/bench-pair.new.$$)"
done | python3 -c '
import statistics as st, sys
old, new = [], []
for line in sys.stdin:
    a, b, c, d = map(float, line.split())
    old.append(a + b); new.append(c + d)
ratios = [n / o for o, n in zip(old, new)]
print(f"old CPU min {min(old):.3f} s, median {st.median(old):.3f} s | new CPU min {min(new):.3f} s, median {st.median(new):.3f} s")
print(f"new/old per pair: median {st.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f}, {len(ratios)} pairs)")
'
rm -f /tmp/bench-pair.old.$$ /tmp/bench-pair.new.$$
