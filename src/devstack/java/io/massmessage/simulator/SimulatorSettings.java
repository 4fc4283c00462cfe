package io.massmessage.simulator;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** The simulator's knobs; all may change while it runs (admin API {@code PUT /_sim/settings}). */
public final class SimulatorSettings {

    /** The API key each provider accepts, by provider name. */
    public final Map<String, String> apiKeys = new ConcurrentHashMap<>(Map.of(
            "onlyfansapi", "sim-key-onlyfansapi", "fansmetric", "sim-key-fansmetric", "fansly", "sim-key-fansly"));
    /** Further keys every provider accepts; each has a budget of its own. */
    public final Set<String> extraKeys = ConcurrentHashMap.newKeySet();
    /** Per-minute budget per API key, by provider name (Fansly: sliding window). */
    public final Map<String, Long> perMinute = new ConcurrentHashMap<>(Map.of(
            "onlyfansapi", 1000L, "fansmetric", 1000L, "fansly", 1000L));
    /** Per-day budget per API key, by provider name. */
    public final Map<String, Long> perDay = new ConcurrentHashMap<>(Map.of(
            "onlyfansapi", 50_000L, "fansmetric", 50_000L, "fansly", 10_000_000L));
    /** How long answers take. */
    public volatile Latency latency = new Latency.Fixed(0);
    /** Share of requests answered 500. */
    public volatile double serverErrorRate;
    /** Share of requests whose connection is closed without an answer. */
    public volatile double resetRate;
    /** Share of requests never answered. */
    public volatile double hangRate;
    /** Providers answering every request 503 (an outage), by name. */
    public final Set<String> unavailable = ConcurrentHashMap.newKeySet();
    /** Fansly plan reported in {@code X-RateLimit-Plan}. */
    public volatile String fanslyPlan = "pro";

    /** The settings as a map, for the admin API. */
    public Map<String, Object> describe() {
        return Map.of("apiKeys", Map.copyOf(apiKeys.keySet().stream().collect(
                Collectors.toMap(k -> k, k -> "***"))),
                "perMinute", Map.copyOf(perMinute), "perDay", Map.copyOf(perDay),
                "latency", latency.toString(), "serverErrorRate", serverErrorRate, "resetRate", resetRate,
                "hangRate", hangRate, "fanslyPlan", fanslyPlan, "unavailable", Set.copyOf(unavailable));
    }
}
