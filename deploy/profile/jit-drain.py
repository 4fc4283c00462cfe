#!/usr/bin/env python3
"""What the C2 compiler compiled during a drain, from a JFR recording with jdk.Compilation at threshold 0.

Usage: deploy/profile/jit-drain.py RECORDING.jfr DRAIN_START [TOP]
  DRAIN_START: the first instant of the drain, as JFR prints it (UTC, e.g. 2026-12-03T11:59:57.6); compilations
  that start earlier count as "before". TOP (20): how many methods to list.
Record with, for example, a copy of $JAVA_HOME/lib/jfr/default.jfc whose jdk.Compilation threshold is 0 ms
(/tmp/jit.jfc) and relay-cpu.sh, which passes RELAY_OPTS to the service:
  RELAY_OPTS="-XX:StartFlightRecording=settings=/tmp/jit.jfc,filename=/tmp/run.jfr,dumponexit=true" \\
    deploy/profile/relay-cpu.sh jit
The drain's start is in the service's log (the connector's first "Initialize record store" line).
Prints C2's compile time before and during the drain, the drain's C2 compilations by what happened to the method
before it (compiled by C2 already, by C1 only, or never), and the costliest methods.
"""
import collections
import json
import os
import shutil
import subprocess
import sys


def jfr_tool():
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "jfr")):
        return os.path.join(home, "bin", "jfr")
    found = shutil.which("jfr")
    if not found:
        sys.exit("no jfr tool: set JAVA_HOME or put the JDK's bin on PATH")
    return found


def seconds(duration):
    # JFR prints durations as ISO-8601, e.g. PT0.000137667S
    return float(duration[2:-1]) if duration.startswith("PT") and duration.endswith("S") else 0.0


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    recording, drain = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    printed = subprocess.run([jfr_tool(), "print", "--json", "--events", "jdk.Compilation", recording],
                             check=True, capture_output=True, text=True).stdout
    events = json.loads(printed)["recording"]["events"]
    before = collections.defaultdict(set)  # method -> compilers that compiled it before the drain
    during = collections.defaultdict(float)  # method -> C2 seconds in the drain
    c2_before = 0.0
    for event in events:
        v = event["values"]
        m = v["method"]
        name = m["type"]["name"].replace("/", ".") + "::" + m["name"] + m["descriptor"]
        if v["startTime"] < drain:
            before[name].add(v["compiler"])
            if v["compiler"] == "c2":
                c2_before += seconds(v["duration"])
        elif v["compiler"] == "c2":
            during[name] += seconds(v["duration"])
    print(f"C2 compile time (wall): {c2_before:.1f} s before the drain, {sum(during.values()):.1f} s during it")
    kinds = collections.Counter()
    counts = collections.Counter()
    for name, spent in during.items():
        kind = ("recompiled (C2 before)" if "c2" in before[name]
                else "C1 before, not C2" if before[name] else "never compiled before")
        kinds[kind] += spent
        counts[kind] += 1
    for kind, spent in kinds.most_common():
        print(f"  {counts[kind]:5d} methods, {spent:6.2f} s: {kind}")
    print(f"costliest C2 compilations in the drain (top {top}):")
    for name, spent in sorted(during.items(), key=lambda item: -item[1])[:top]:
        print(f"  {spent:6.2f} s  {name[:140]}")


if __name__ == "__main__":
    main()
