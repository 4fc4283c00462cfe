#!/usr/bin/env bash
# async-profiler on the packaged service during the drain of relay-cpu.sh's run (the side-by-side benchmark's
# broker, stub and corpus; ../shared/peers built once by ../shared/peers/side-by-side). JFR's execution sampler
# drops most samples in C2's code; async-profiler does not. It comes from Maven Central (the jar
# tools.profiler:async-profiler holds the native library), is attached with jcmd once the drain begins, and
# writes collapsed stacks per thread; the summary prints each thread's share and its hottest frames.
# Usage: deploy/profile/async-profile.sh [LABEL]   Env: as relay-cpu.sh, plus SECONDS_PROFILED (17), EVENT (cpu)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
checkout=$(cd "$here/../.." && pwd)
label=${1:-profiled}
out=${OUT:-/tmp/relay-cpu-$label}
version=4.1
jar=$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar
[ -f "$jar" ] || "$checkout/mvnw" -q -B dependency:get -Dartifact=tools.profiler:async-profiler:$version
# beside the run's output folder, which the run recreates
lib=$out.async-profiler/linux-x64/libasyncProfiler.so
mkdir -p "$out.async-profiler"
(cd "$out.async-profiler" && unzip -o -q "$jar" 'linux-x64/*')
OUT=$out "$here/relay-cpu.sh" "$label" > "$out.log" 2>&1 &
run=$!
# the service's drain: once the service runs (the peers' warm-up drains first, without it)
relay= drainer=
for _ in $(seq 1 300); do
  relay=$(pgrep -f "$checkout/target/quarkus-app/quarkus-run.jar" | head -1 || true)
  [ -n "$relay" ] && drainer=$(pgrep -f "peers.Bench drain ${N:-30000} " | head -1 || true)
  [ -n "$drainer" ] && break
  sleep 1
done
[ -n "$drainer" ] || { echo "the service's drain did not begin; see $out.log"; kill "$run"; exit 1; }
# the inner quotes keep jcmd from reading the options' '=' as its own key=value syntax
jcmd "$relay" JVMTI.agent_load "$lib" \
  "\"start,event=${EVENT:-cpu},interval=1ms,timeout=${SECONDS_PROFILED:-17},threads,file=$out.collapsed,collapsed\"" >/dev/null
wait "$run"
grep "^$label" "$out.log"
python3 "$here/collapsed.py" "$out.collapsed"
