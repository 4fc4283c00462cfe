#!/usr/bin/env bash
# The relay side by side with a Parallel Consumer peer, in one run: one broker, one WireMock stub answering each PUT
# after 300 ms, the same commands for both, the order of the two alternating per round. For each peer it prints the
# CPU (utime + stime) of the drain alone and since launch (JVM start, joining the group, the drain: what a freshly
# started replica spends on its first N commands), per command, the peak RSS (VmHWM) and the drain's figures.
#
# Usage: bench/side-by-side/run.sh     (after ./mvnw -B -DskipTests package; about 4 minutes at the defaults)
# Env:   ROUNDS (2), N (30000), MESSAGES (10000), C (512, the peer's concurrency and the relay's max-in-flight),
#        PARTITIONS (3), ACCOUNT_N (30000) for a last relay run with the contract's account keys (0: none),
#        RELAY_OPTS (JVM options after deploy/jvm.options), PEERS ("pc relay"), OUT (target/side-by-side).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
jar=$root/target/quarkus-app/quarkus-run.jar
[ -f "$jar" ] || { echo "no $jar: run ./mvnw -B -DskipTests package first" >&2; exit 2; }
ROUNDS=${ROUNDS:-2} N=${N:-30000} MESSAGES=${MESSAGES:-10000} C=${C:-512} PARTITIONS=${PARTITIONS:-3}
ACCOUNT_N=${ACCOUNT_N:-30000} PEERS=${PEERS:-pc relay} RELAY_OPTS=${RELAY_OPTS:-}
out=${OUT:-$root/target/side-by-side}; rm -rf "$out"; mkdir -p "$out"

"$root/mvnw" -q -B -f "$here/pom.xml" package -DskipTests
"$root/mvnw" -q -B -f "$here/broker/pom.xml" package
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:29092 PROVIDERS_ONLYFANSAPI_BASE_URL=http://127.0.0.1:18081
export PROVIDERS_ONLYFANSAPI_API_KEY=bench-key PEER_CONCURRENCY=$C

pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_all EXIT
kafka="$here/broker/target/kafka/*"
rm -rf /tmp/side-by-side-kraft
java -cp "$kafka" kafka.tools.StorageTool format -c "$here/broker/server.properties" \
  -t "$(java -cp "$kafka" kafka.tools.StorageTool random-uuid 2>/dev/null)" >/dev/null
java -Xmx1g -cp "$kafka" kafka.Kafka "$here/broker/server.properties" >"$out/broker.log" 2>&1 & pids+=($!)
java -Xmx1g -jar "$here/broker/target/wiremock-standalone.jar" --port 18081 --bind-address 127.0.0.1 \
  --root-dir "$here/stub" --async-response-enabled true --async-response-threads 16 --container-threads 64 \
  --jetty-accept-queue-size 2048 --no-request-journal --disable-request-logging --disable-banner \
  >"$out/stub.log" 2>&1 & pids+=($!)
for _ in $(seq 60); do java -cp "$cp" io.massmessage.bench.Load reset "$PARTITIONS" 2>/dev/null && break; sleep 1; done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
per() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
launch() { # $1 pc | relay; prints the pid
  case $1 in
    pc) java -cp "$cp" io.massmessage.bench.ParallelConsumerPeer >"$out/$1.log" 2>&1 & ;;
    # an unbounded budget: the stub sends no rate-limit headers and the peer keeps none
    relay) PROVIDERS_ONLYFANSAPI_REQUESTS_PER_MINUTE=100000000 PROVIDERS_ONLYFANSAPI_REQUESTS_PER_DAY=0 \
           RELAY_MAX_IN_FLIGHT=$C QUARKUS_HTTP_PORT=18090 \
           java @"$root/deploy/jvm.options" $RELAY_OPTS -jar "$jar" >"$out/$1.log" 2>&1 & ;;
  esac
  echo $!
}
measure() { # $1 peer, $2 N, $3 messages, $4 keys, $5 label
  java -cp "$cp" io.massmessage.bench.Load reset "$PARTITIONS"
  local pid; pid=$(launch "$1"); pids+=("$pid")
  sleep 10 # JVM start and joining the group: counted since launch, not in the drain
  local t0; t0=$(ticks "$pid")
  java -cp "$cp" io.massmessage.bench.Load produce "$2" "$3" acct_A1 "$4" "run$RANDOM"
  local drained; drained=$(java -cp "$cp" io.massmessage.bench.Load drain "$2" 900)
  local t1; t1=$(ticks "$pid"); local rss; rss=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  local hz; hz=$(getconf CLK_TCK)
  local drain_ms=$(( (t1 - t0) * 1000 / hz )) launch_ms=$(( t1 * 1000 / hz ))
  printf '%s | %s | N=%s keys=%s | drain cpu %s ms = %s ms/cmd | since launch %s ms = %s ms/cmd | rss peak %s MB | %s\n' \
    "$5" "$1" "$2" "$4" "$drain_ms" "$(per "$drain_ms" "$2")" "$launch_ms" "$(per "$launch_ms" "$2")" \
    "$(( rss / 1024 ))" "$drained" | tee -a "$out/results.txt"
}

measure pc 3000 1000 message "stub warm-up" >/dev/null
for r in $(seq 1 "$ROUNDS"); do
  order=$PEERS; (( r % 2 )) || order=$(echo "$PEERS" | awk '{for (i = NF; i > 0; i--) printf "%s ", $i}')
  for p in $order; do measure "$p" "$N" "$MESSAGES" message "round $r"; done
done
if (( ACCOUNT_N > 0 )) && [[ " $PEERS " == *" relay "* ]]; then
  measure relay "$ACCOUNT_N" "$MESSAGES" account "account keys"
fi
echo "results: $out/results.txt"
