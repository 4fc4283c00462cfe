#!/usr/bin/env bash
# Peak RSS of the packaged service while it works through a backlog, for each backlog size in BACKLOGS: the commands
# are all in Kafka before the service starts, on the side-by-side benchmark's broker and stub (300 ms per request,
# the OnlyFansAPI budget unbounded). relay.max-pending bounds what is polled and not finished, so the peak should
# not grow with the backlog. ../shared/peers must have been built once by ../shared/peers/side-by-side (PEERS_WORK).
# Prints, per backlog: peak RSS (VmHWM), the most records held (polled and not finished) and outcomes so far.
# Usage: deploy/profile/backlog-rss.sh   Env: BACKLOGS ("30000 1000000"), SECONDS_EACH (90), MESSAGES (10000), C (512)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)
work=${PEERS_WORK:-/tmp/relay-peers-work}
jar=$checkout/target/quarkus-app/quarkus-run.jar
[ -f "$work/bench/server.properties" ] || { echo "build the peers first: ../shared/peers/side-by-side ."; exit 1; }
[ -f "$jar" ] || { echo "no $jar: ./mvnw -B -DskipTests package first"; exit 1; }
BACKLOGS=${BACKLOGS:-30000 1000000} SECONDS_EACH=${SECONDS_EACH:-90} MESSAGES=${MESSAGES:-10000}
out=${OUT:-/tmp/backlog-rss}; rm -rf "$out"; mkdir -p "$out"
cd "$work"
# the peers' own set-up (broker, stub, environment, clean-up) and their way of starting the service, so these runs
# are on exactly the side-by-side benchmark's stack
C=${C:-512}
eval "$(sed -n '/^cp="target\/classes/,/^run() {/p' bench/side-by-side.sh | sed '$d')"
declare -F start_peer hwm >/dev/null || { echo "bench/side-by-side.sh no longer has the set-up this script reuses"; exit 1; }
gauge() { curl -s --max-time 1 http://127.0.0.1:18090/q/metrics | awk -v g="$1" '($1 == g || index($1, g "{") == 1) {s += $2} END {printf "%d", s}'; }
for n in $BACKLOGS; do
  java -cp "$cp" peers.Bench reset >/dev/null
  java -cp "$cp" peers.Bench produce "$n" "$MESSAGES" acct_A1 message >/dev/null
  pid=$(start_peer relay); pids+=("$pid")
  held=0
  for _ in $(seq 1 "$SECONDS_EACH"); do
    sleep 1
    h=$(gauge relay_partition_pending || echo 0); [ -n "$h" ] && (( h > held )) && held=$h
  done
  done_=$(gauge relay_outcomes_total || echo 0)
  rss=$(hwm "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf 'backlog %s commands | %s s | peak RSS %s MB | most records held %s | outcomes %s\n' \
    "$n" "$SECONDS_EACH" "$(( rss / 1024 ))" "$held" "$done_" | tee -a "$out/results.txt"
done
