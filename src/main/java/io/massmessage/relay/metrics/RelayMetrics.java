package io.massmessage.relay.metrics;

import io.massmessage.relay.outcome.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The relay's own meters (Prometheus at {@code /q/metrics}). Tags are bounded: provider, outcome,
 * category, status class, dead-letter kind; never account or message ids.
 */
public final class RelayMetrics {

    private final MeterRegistry registry;
    private final Counter consumed;
    private final Counter replaySkipped;
    /** Meters looked up once per tag set: building one is a registry look-up with fresh tags, on every command. */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();

    public RelayMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry);
        this.consumed = Counter.builder("relay.commands.consumed").description("Command records taken from Kafka")
                .register(registry);
        this.replaySkipped = Counter.builder("relay.replays.skipped")
                .description(
                        "Replayed command records acknowledged as they were: an earlier owner had published their outcome or dead letter")
                .register(registry);
    }

    public void consumed() {
        consumed.increment();
    }

    /** One replayed record acknowledged without processing: an earlier owner had answered it. */
    public void replaySkipped() {
        replaySkipped.increment();
    }

    /** One dead letter of the given kind ({@code malformed}, {@code too_large}, {@code invalid}, {@code unpublished}). */
    public void deadLettered(String kind) {
        registry.counter("relay.dead.letters", "kind", kind).increment();
    }

    /** One outcome event published. */
    public void outcome(Outcome outcome) {
        String category = outcome instanceof Outcome.Failed failed ? failed.category().name() : "none";
        String provider = outcome.command().provider();
        outcomes.computeIfAbsent(provider + '/' + outcome.name() + '/' + category,
                k -> registry.counter("relay.outcomes",
                        "provider", provider, "outcome", outcome.name(), "category", category))
                .increment();
    }

    /** One earlier outcome published again for a command whose id it had answered (idempotency). */
    public void duplicate(String provider, String outcome) {
        registry.counter("relay.duplicates", "provider", provider, "outcome", outcome).increment();
    }

    /** One command answered by the request of an earlier command of its message (coalescing). */
    public void coalesced(String provider) {
        registry.counter("relay.coalesced", "provider", provider).increment();
    }

    /** One provider request and how long it took; {@code status} 0 for a transport fault. */
    public void request(String provider, int status, Duration took) {
        String statusClass = statusClass(status);
        timers.computeIfAbsent("requests/" + provider + '/' + statusClass, k -> Timer.builder("relay.provider.requests")
                .description("Provider HTTP requests")
                .tags("provider", provider, "status", statusClass)
                .publishPercentileHistogram()
                .register(registry)).record(took);
    }

    /** How long a command waited for its key's rate budget before it was sent (0 when it did not wait). */
    public void budgetWait(String provider, Duration waited) {
        timers.computeIfAbsent("wait/" + provider, k -> Timer.builder("relay.budget.wait")
                .description("Time commands waited for their API key's rate budget and a free provider connection")
                .tags("provider", provider)
                .publishPercentileHistogram()
                .register(registry)).record(waited);
    }

    /** One retry of a transient fault. */
    public void retry(String provider) {
        registry.counter("relay.retries", "provider", provider).increment();
    }

    /** Registers a gauge read from {@code value}. */
    public void gauge(String name, String description, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).description(description).tags(tags).register(registry);
    }

    static String statusClass(int status) {
        if (status == 0) {
            return "fault";
        }
        return status == 429 ? "429" : (status / 100) + "xx";
    }
}
