#!/usr/bin/env bash
# CPU of the packaged service per thread, on the side-by-side benchmark's broker, stub and corpus (one run of the
# relay alone, after the peers' warm-up), for profiling: ../shared/peers must have been built once by
# ../shared/peers/side-by-side (its scratch copy, PEERS_WORK). Prints the run's line and the CPU per thread group
# during the drain. Extra JVM options in RELAY_OPTS (e.g. a JFR recording), environment as for the service.
# Usage: deploy/profile/relay-cpu.sh [LABEL]   Env: N (30000), MESSAGES (10000), KEYS (message|account), PEERS (relay)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)
work=${PEERS_WORK:-/tmp/relay-peers-work}
label=${1:-run}
[ -x "$work/bench/side-by-side.sh" ] || { echo "build the peers first: ../shared/peers/side-by-side ."; exit 1; }
# the peers' script, with the relay's extra JVM options, per-thread CPU snapshots, and only the runs asked for
python3 - "$work/bench/side-by-side.sh" "$work/bench/profile.sh" <<'PY'
import sys
s = open(sys.argv[1]).read()
s = s.replace('java @"$checkout/deploy/jvm.options" -jar', 'java @"$checkout/deploy/jvm.options" ${RELAY_OPTS:-} -jar')
snap = 'for t in /proc/$pid/task/*; do echo "$(basename $t) $(awk \'{print $14+$15}\' $t/stat) $(cat $t/comm)"; done > "$out/threads%d-$1.txt"'
s = s.replace('  local t0; t0=$(ticks "$pid")', '  local t0; t0=$(ticks "$pid")\n  ' + snap % 0)
s = s.replace('  local t1; t1=$(ticks "$pid"); local rss; rss=$(hwm "$pid")',
              '  local t1; t1=$(ticks "$pid"); local rss; rss=$(hwm "$pid")\n  ' + snap % 1)
i = s.find('run pc 3000 1000 message warmup-stub')
s = s[:i] + 'run pc 3000 1000 message warmup-stub >/dev/null\nfor p in ${PEERS:-relay}; do run "$p" "$N" "$MESSAGES" ${KEYS:-message} "$LABEL"; done\n'
open(sys.argv[2], 'w').write(s)
PY
chmod +x "$work/bench/profile.sh"
out=${OUT:-/tmp/relay-cpu-$label}
(cd "$work" && OUT=$out LABEL=$label bench/profile.sh "$checkout" | grep "^$label")
for peer in ${PEERS:-relay}; do
  python3 "$here/threads.py" "$out/threads0-$peer.txt" "$out/threads1-$peer.txt"
done
