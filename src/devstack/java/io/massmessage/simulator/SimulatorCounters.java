package io.massmessage.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulator saw, for tests and benchmarks to assert on: requests by provider, status
 * and account, the order in which each message received its updates, and the most requests it
 * ever had open at once.
 */
public final class SimulatorCounters {

    private final Map<String, LongAdder> byProviderStatus = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byAccount = new ConcurrentHashMap<>();
    private final Map<String, List<String>> updatesByMessage = new ConcurrentHashMap<>();
    /** When each message first took each update marker (epoch ms), keyed {@code messageKey + '\u0000' + marker}. */
    private final Map<String, Long> firstAppliedAt = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger maxOpen = new AtomicInteger();
    private final LongAdder total = new LongAdder();
    private final List<String> unrouted = new CopyOnWriteArrayList<>();
    private final LongAdder unroutedCount = new LongAdder();

    /** A request for {@code account} arrived; it is counted for its account now, as a provider's rate limit counts it. */
    void opened(String provider, String account) {
        int now = open.incrementAndGet();
        maxOpen.accumulateAndGet(now, Math::max);
        byAccount.computeIfAbsent(provider + ":" + account, k -> new LongAdder()).increment();
    }

    void closed(String provider, String account, int status) {
        open.decrementAndGet();
        total.increment();
        byProviderStatus.computeIfAbsent(provider + " " + status, k -> new LongAdder()).increment();
    }

    void applied(String messageKey, String marker, long atMs) {
        firstAppliedAt.putIfAbsent(messageKey + '\u0000' + marker, atMs);
        List<String> list = updatesByMessage.computeIfAbsent(messageKey, k -> new ArrayList<>());
        synchronized (list) {
            list.add(marker);
        }
    }

    void unrouted(String hostAndPath) {
        unroutedCount.increment();
        if (unrouted.size() < 100) {
            unrouted.add(hostAndPath.length() <= 300 ? hostAndPath : hostAndPath.substring(0, 300));
        }
    }

    /** Requests to a path that is none of the providers' update routes, or for another host (the first 100 kept). */
    public List<String> unrouted() {
        return List.copyOf(unrouted);
    }

    /** How many requests {@link #unrouted} saw in all. */
    public long unroutedCount() {
        return unroutedCount.sum();
    }

    /** Requests answered in all. */
    public long total() {
        return total.sum();
    }

    /** The most requests open at the same moment. */
    public int maxConcurrent() {
        return maxOpen.get();
    }

    /** Requests open now. */
    public int concurrent() {
        return open.get();
    }

    /** Requests by {@code "provider status"}, e.g. {@code "fansly 200"}. */
    public Map<String, Long> byProviderStatus() {
        return snapshot(byProviderStatus);
    }

    /** Requests by {@code "provider:account"}, counted when they arrive (before any injected latency). */
    public Map<String, Long> byAccount() {
        return snapshot(byAccount);
    }

    /**
     * For each message ({@code provider:account:id}), the markers of the updates it accepted, in
     * the order they were applied. The marker is the update's text (or its send time when it has no text).
     */
    public Map<String, List<String>> updatesByMessage() {
        Map<String, List<String>> copy = new TreeMap<>();
        updatesByMessage.forEach((key, list) -> {
            synchronized (list) {
                copy.put(key, List.copyOf(list));
            }
        });
        return copy;
    }

    /** When {@code messageKey} first took the update whose marker is {@code marker} (epoch ms), or null. */
    public Long appliedAt(String messageKey, String marker) {
        return firstAppliedAt.get(messageKey + '\u0000' + marker);
    }

    /** Forgets everything counted. */
    public void reset() {
        firstAppliedAt.clear();
        byProviderStatus.clear();
        byAccount.clear();
        updatesByMessage.clear();
        maxOpen.set(open.get());
        total.reset();
        unrouted.clear();
        unroutedCount.reset();
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> map) {
        Map<String, Long> copy = new TreeMap<>();
        map.forEach((k, v) -> copy.put(k, v.sum()));
        return copy;
    }
}
