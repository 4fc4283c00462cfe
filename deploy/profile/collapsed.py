#!/usr/bin/env python3
"""Each thread's share of an async-profiler collapsed profile recorded with `threads`, and its hottest frames.

Usage: deploy/profile/collapsed.py PROFILE.collapsed [TOP]
Thread names lose their numbers (vert.x-eventloop-thread-1 and -2 are one line); frames are self time.
"""
import collections
import re
import sys


def thread(frame):
    name = re.sub(r" tid=\d+", "", frame.strip("[]"))
    return re.sub(r"-\d+$", "", name)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    threads = collections.Counter()
    frames = collections.defaultdict(collections.Counter)
    for line in open(sys.argv[1]):
        stack, count = line.rsplit(" ", 1)
        parts = stack.split(";")
        name = thread(parts[0])
        threads[name] += int(count)
        if len(parts) > 1:
            frames[name][parts[-1]] += int(count)
    total = sum(threads.values())
    print(f"{total} samples")
    for name, count in threads.most_common(10):
        print(f"{count:7d} {100 * count / total:5.1f} %  {name}")
    for name, count in threads.most_common(4):
        print(f"-- {name}: hottest frames (self)")
        for frame, n in frames[name].most_common(top):
            print(f"  {n:6d} {100 * n / count:5.1f} %  {frame[:140]}")


if __name__ == "__main__":
    main()
