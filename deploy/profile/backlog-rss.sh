#!/usr/bin/env bash
# Peak RSS of the packaged service while it works through a backlog, for each backlog size in BACKLOGS: the commands
# are all in Kafka before the service starts, on the side-by-side benchmark's broker and stub (300 ms per request,
# the OnlyFansAPI budget unbounded). relay.max-pending bounds what is polled and not finished, so the peak should
# not grow with the backlog. ../shared/peers must have been built once by ../shared/peers/side-by-side (PEERS_WORK).
# Prints, per backlog: peak RSS (VmHWM), the most records held (polled and not finished) and outcomes so far.
# Usage: deploy/profile/backlog-rss.sh   Env: BACKLOGS ("30000 1000000"), SECONDS_EACH (90), MESSAGES (10000)
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
cp="target/classes:$(cat target/classpath.txt)"
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092 PROVIDERS_ONLYFANSAPI_BASE_URL=http://127.0.0.1:18081
export PROVIDERS_ONLYFANSAPI_API_KEY=bench-key
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
rm -rf /tmp/relay-peers-kraft
java -cp 'bench/target/kafka/*' kafka.tools.StorageTool format -c bench/server.properties \
  -t "$(java -cp 'bench/target/kafka/*' kafka.tools.StorageTool random-uuid 2>/dev/null)" >/dev/null
java -Xmx1g -cp 'bench/target/kafka/*' kafka.Kafka bench/server.properties >"$out/broker.log" 2>&1 & pids+=($!)
java -Xmx1g -jar bench/target/wiremock-standalone.jar --port 18081 --bind-address 127.0.0.1 \
  --root-dir bench/wiremock --async-response-enabled true --async-response-threads 16 \
  --container-threads 64 --jetty-accept-queue-size 2048 --no-request-journal \
  --disable-request-logging --disable-banner >"$out/wiremock.log" 2>&1 & pids+=($!)
sleep 12
gauge() { curl -s --max-time 1 http://127.0.0.1:18090/q/metrics | awk -v g="$1" '($1 == g || index($1, g "{") == 1) {s += $2} END {printf "%d", s}'; }
for n in $BACKLOGS; do
  java -cp "$cp" peers.Bench reset >/dev/null
  java -cp "$cp" peers.Bench produce "$n" "$MESSAGES" acct_A1 message >/dev/null
  PROVIDERS_ONLYFANSAPI_REQUESTS_PER_MINUTE=100000000 PROVIDERS_ONLYFANSAPI_REQUESTS_PER_DAY=0 QUARKUS_HTTP_PORT=18090 \
    java @"$checkout/deploy/jvm.options" -jar "$jar" >"$out/relay-$n.log" 2>&1 &
  pid=$!; pids+=("$pid")
  held=0; done_=0
  for _ in $(seq 1 "$SECONDS_EACH"); do
    sleep 1
    h=$(gauge relay_partition_pending || echo 0); [ -n "$h" ] && (( h > held )) && held=$h
  done
  done_=$(gauge relay_outcomes_total || echo 0)
  rss=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf 'backlog %s commands | %s s | peak RSS %s MB | most records held %s | outcomes %s\n' \
    "$n" "$SECONDS_EACH" "$(( rss / 1024 ))" "$held" "$done_" | tee -a "$out/results.txt"
done
