package io.massmessage.relay.flow;

import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.limits.Delays;
import io.massmessage.relay.limits.ProviderBreakers;
import io.massmessage.relay.limits.RateBudgets;
import io.massmessage.relay.logging.CommandLog;
import io.massmessage.relay.metrics.RelayMetrics;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.ProviderClient;
import io.massmessage.relay.provider.ProviderRegistry;
import io.massmessage.relay.provider.ProviderRequest;
import io.massmessage.relay.provider.ProviderResponse;
import io.massmessage.relay.provider.RateLimitInfo;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.jboss.logging.Logger;

/**
 * Applies one valid command at its provider and decides its outcome: retries transient faults with
 * exponential backoff and full jitter inside an attempt and time budget, sends only in a slot of
 * its API key's rate budget ({@link RateBudgets}, which a 429 closes for as long as the provider
 * asks), ends {@code rate_limited} or {@code expired} when no slot comes in time, and fails
 * permanent refusals at once.
 */
@Singleton
public final class CommandProcessor {

    private static final Logger LOG = Logger.getLogger(CommandProcessor.class);

    private final ProviderRegistry registry;
    private final ProviderClient client;
    private final RelayConfig config;
    private final Delays delays;
    private final Clock clock;
    private final DoubleSupplier random;
    private final RateBudgets budgets;
    private final ProviderBreakers breakers;
    private final RelayMetrics metrics;
    private final Redactor redactor;
    /** Each provider's budget, read from its settings once rather than per command. */
    private final Map<String, RateBudgets.Limits> limits = new HashMap<>();

    public CommandProcessor(ProviderRegistry registry, ProviderClient client, RelayConfig config, Delays delays,
            Clock clock, DoubleSupplier random, RateBudgets budgets, ProviderBreakers breakers, RelayMetrics metrics) {
        this.metrics = metrics;
        this.registry = registry;
        this.client = client;
        this.config = config;
        this.delays = delays;
        this.clock = clock;
        this.random = random;
        this.budgets = budgets;
        this.breakers = breakers;
        this.redactor = new Redactor(config.providerBodyMaxChars());
        for (ProviderAdapter adapter : registry.all()) {
            var endpoint = registry.endpoint(adapter);
            limits.put(adapter.name(), new RateBudgets.Limits(endpoint.requestsPerMinute(), endpoint.requestsPerDay()));
        }
    }

    /** Processes the command outside any trace; the Uni never fails for a provider's sake. */
    public Uni<Outcome> process(UpdateCommand command) {
        return process(command, Context.root());
    }

    /**
     * Processes the command; each provider call becomes a span under {@code trace} (the command's
     * Kafka record's span). The Uni never fails for a provider's sake.
     */
    public Uni<Outcome> process(UpdateCommand command, Context trace) {
        return process(command, trace, Progress.NONE);
    }

    /**
     * Processes the command as {@link #process(UpdateCommand, Context)} does, telling {@code progress} when it
     * waits by design (an open breaker, its key's budget, a retry's backoff) and when it works.
     */
    public Uni<Outcome> process(UpdateCommand command, Context trace, Progress progress) {
        return process(command, trace, progress, Coalescing.NONE);
    }

    /**
     * Processes the command as {@link #process(UpdateCommand, Context, Progress)} does; each time a slot is granted,
     * {@code coalescing} may merge into the request the commands of its message waiting behind it. The outcome is
     * {@code command}'s (its id, its {@code issuedAt}); what was sent is the merge.
     */
    public Uni<Outcome> process(UpdateCommand command, Context trace, Progress progress, Coalescing coalescing) {
        long start = clock.millis();
        ProviderAdapter adapter = registry.adapter(command.provider()).orElseThrow(
                () -> new IllegalStateException("no adapter for validated provider " + command.provider()));
        var apiKey = registry.apiKey(adapter, command.account());
        if (apiKey.isEmpty()) {
            String variable = "PROVIDERS_" + adapter.name().toUpperCase(Locale.ROOT) + "_API_KEY";
            return Uni.createFrom().item(Outcome.Failed.of(command, 0, 0, ErrorCategory.unconfigured_account,
                    "no API key configured for " + adapter.name() + " account " + command.account() + " (set "
                            + variable
                            + " or providers." + adapter.name() + ".accounts.\"" + command.account() + "\".api-key)"));
        }
        ProviderRequest request = adapter.request(command, apiKey.get());
        return attempt(new Attempt(command, command, coalescing, adapter, request, apiKey.get(),
                limits.get(adapter.name()), trace,
                progress, start, 1, 0, 0, null));
    }

    /**
     * Waits while the provider's breaker is open (not counted against the retry budget), then for a
     * slot in the key's budget, then calls the provider; or ends the command if its time runs out.
     */
    private Uni<Outcome> attempt(Attempt attempt) {
        long before = clock.millis();
        attempt.progress.waiting();
        return breakers.permit(attempt.adapter.name())
                .chain(probe -> probe == 0 ? afterPermit(attempt, before)
                        : afterPermit(attempt, before).onTermination()
                                .invoke(() -> breakers.release(attempt.adapter.name(), probe)));
    }

    private Uni<Outcome> afterPermit(Attempt attempt, long before) {
        return Uni.createFrom().deferred(() -> {
            attempt.progress.working();
            Instant sendAt = attempt.sending.update().scheduledAt();
            long held = clock.millis() - before;
            Attempt after = attempt.paused(held);
            if (held > 0 && sendAt != null && !clock.instant().isBefore(sendAt)) {
                return Uni.createFrom().item(Outcome.Failed.of(attempt.command, attempt.number - 1,
                        clock.millis() - attempt.start, ErrorCategory.expired,
                        "the provider was unavailable until after the message's send time " + sendAt));
            }
            return budgeted(after);
        });
    }

    private Uni<Outcome> budgeted(Attempt attempt) {
        String provider = attempt.adapter.name();
        Instant deadline = clock.instant().plus(config.rateLimit().maxWait()).minusMillis(attempt.waitedMs);
        Instant sendAt = attempt.sending.update().scheduledAt();
        Instant until = sendAt != null && sendAt.isBefore(deadline) ? sendAt : deadline;
        // the connection taken with the slot is held for the exchange only, not for the decision or a backoff
        attempt.progress.waiting();
        return budgets.send(provider, attempt.apiKey, attempt.limits, until, slot -> {
            attempt.progress.working();
            return slot.granted() ? exchange(attempt.coalesced(), slot)
                    : Uni.createFrom().item(new Sent(attempt, slot, null));
        })
                .chain(sent -> {
                    RateBudgets.Reservation slot = sent.slot;
                    if (sent.response == null) {
                        boolean late = sendAt != null && !slot.at().isBefore(sendAt);
                        return Uni.createFrom().item(late ? expired(attempt, slot) : noSlot(attempt, slot));
                    }
                    return decide(sent.attempt.waited(slot.waitMs()), sent.response);
                });
    }

    /** Sends the attempt's request in the slot just granted, and takes in what the provider said about its budget. */
    private Uni<Sent> exchange(Attempt attempt, RateBudgets.Reservation slot) {
        String provider = attempt.adapter.name();
        metrics.budgetWait(provider, Duration.ofMillis(slot.waitMs()));
        long sent = System.nanoTime();
        return client.call(attempt.adapter, attempt.request, attempt.trace)
                .map(response -> {
                    metrics.request(provider, response.httpStatus(), Duration.ofNanos(System.nanoTime() - sent));
                    budgets.observe(provider, attempt.apiKey, response.rateLimit(),
                            response instanceof ProviderResponse.Throttled);
                    breakers.record(provider, response instanceof ProviderResponse.Transient);
                    return new Sent(attempt, slot, response);
                });
    }

    /** A slot refused ({@code response} null), or granted and the provider's answer to what {@code attempt} sent. */
    private record Sent(Attempt attempt, RateBudgets.Reservation slot, ProviderResponse response) {}

    private Outcome expired(Attempt attempt, RateBudgets.Reservation slot) {
        ProviderResponse.Throttled last = attempt.lastThrottle;
        return Outcome.Failed
                .of(attempt.command, attempt.number - 1, clock.millis() - attempt.start, ErrorCategory.expired,
                        "rate budget of the key opens at " + slot.at() + ", not before the message's send time "
                                + attempt.sending.update().scheduledAt())
                .answered(last == null ? null : last.httpStatus(), null, limitInfo(attempt, slot),
                        last == null ? null : last.credits());
    }

    private Outcome noSlot(Attempt attempt, RateBudgets.Reservation slot) {
        ProviderResponse.Throttled last = attempt.lastThrottle;
        return new Outcome.RateLimited(attempt.command, attempt.number - 1, clock.millis() - attempt.start,
                last == null ? null : last.httpStatus(), limitInfo(attempt, slot),
                last == null ? null : last.credits());
    }

    private RateLimitInfo limitInfo(Attempt attempt, RateBudgets.Reservation slot) {
        RateLimitInfo said = attempt.lastThrottle == null ? RateLimitInfo.EMPTY : attempt.lastThrottle.rateLimit();
        return said.withRetryAfter(slot.waitMs(), slot.at());
    }

    private Uni<Outcome> decide(Attempt attempt, ProviderResponse response) {
        UpdateCommand command = attempt.command;
        long elapsed = clock.millis() - attempt.start;
        if (response instanceof ProviderResponse.Accepted a) {
            return Uni.createFrom().item(new Outcome.Succeeded(command, attempt.number, elapsed, a.httpStatus(),
                    a.message(), a.rateLimit(), a.credits()));
        }
        if (response instanceof ProviderResponse.Rejected r) {
            return Uni.createFrom().item(Outcome.Failed.of(command, attempt.number, elapsed, r.category(),
                    redactor.redact(r.detail(), attempt))
                    .answered(r.httpStatus(), redactor.redact(r.providerBody(), attempt), r.rateLimit(), r.credits()));
        }
        if (response instanceof ProviderResponse.Throttled t) {
            return throttled(attempt, t);
        }
        ProviderResponse.Transient fault = (ProviderResponse.Transient) response;
        RelayConfig.Retry retry = config.retry();
        if (attempt.number < retry.maxAttempts() && elapsed - attempt.pausedMs < retry.budget().toMillis()) {
            Duration backoff = backoff(attempt.number);
            metrics.retry(attempt.adapter.name());
            CommandLog.with(command, attempt.trace, () -> LOG.debugf("command %s attempt %d: %s; retrying in %d ms",
                    command.commandId(), attempt.number, redactor.redact(fault.detail(), attempt), backoff.toMillis()));
            attempt.progress.waiting();
            return delays.after(backoff).chain(() -> attempt(attempt.next()));
        }
        return Uni.createFrom().item(Outcome.Failed.of(command, attempt.number, elapsed, ErrorCategory.unavailable,
                redactor.redact(fault.detail(), attempt) + " after " + attempt.number + " attempt(s)")
                .answered(fault.httpStatus() == 0 ? null : fault.httpStatus(),
                        redactor.redact(fault.providerBody(), attempt),
                        fault.rateLimit(), fault.credits()));
    }

    /** A 429: the budget has been closed by {@link RateBudgets#observe}; the next reservation waits as the provider asked. */
    private Uni<Outcome> throttled(Attempt attempt, ProviderResponse.Throttled response) {
        return attempt(attempt.next().throttledBy(response));
    }

    /** Full jitter: uniform in [0, min(maxBackoff, initialBackoff * 2^(n-1))]. */
    Duration backoff(int failedAttempts) {
        RelayConfig.Retry retry = config.retry();
        double cap = Math.min(retry.maxBackoff().toMillis(),
                retry.initialBackoff().toMillis() * Math.pow(2, failedAttempts - 1));
        return Duration.ofMillis(Math.round(random.getAsDouble() * cap));
    }

    /**
     * One try of a command. {@code sending}: what its request applies ({@code command}, or its merge with commands
     * waiting behind it, {@link Coalescing}). {@code waitedMs}: time spent waiting for rate budget (bounded by
     * {@code relay.rate-limit.max-wait}); {@code pausedMs}: time held by an open breaker (not counted
     * against the retry budget).
     */
    private record Attempt(UpdateCommand command, UpdateCommand sending, Coalescing coalescing,
            ProviderAdapter adapter, ProviderRequest request, String apiKey, RateBudgets.Limits limits, Context trace,
            Progress progress, long start, int number, long waitedMs, long pausedMs,
            ProviderResponse.Throttled lastThrottle) {
        Attempt next() {
            return new Attempt(command, sending, coalescing, adapter, request, apiKey, limits, trace, progress, start,
                    number + 1, waitedMs, pausedMs, lastThrottle);
        }

        Attempt waited(long ms) {
            return new Attempt(command, sending, coalescing, adapter, request, apiKey, limits, trace, progress, start,
                    number, waitedMs + ms, pausedMs, lastThrottle);
        }

        Attempt paused(long ms) {
            return new Attempt(command, sending, coalescing, adapter, request, apiKey, limits, trace, progress, start,
                    number, waitedMs, pausedMs + ms, lastThrottle);
        }

        Attempt throttledBy(ProviderResponse.Throttled response) {
            return new Attempt(command, sending, coalescing, adapter, request, apiKey, limits, trace, progress, start,
                    number, waitedMs, pausedMs, response);
        }

        /** This attempt, sending what it sends merged with the commands that wait behind it now. */
        Attempt coalesced() {
            UpdateCommand merged = coalescing.absorb(sending);
            if (merged == sending) {
                return this;
            }
            return new Attempt(command, merged, coalescing, adapter, adapter.request(merged, apiKey), apiKey, limits,
                    trace, progress, start, number, waitedMs, pausedMs, lastThrottle);
        }

        @Override
        public String toString() {
            return "Attempt[" + command.commandId() + " #" + number + "]"; // never the key
        }
    }

    /** Removes secrets and message text from provider answers and bounds their length. */
    private static final class Redactor {
        private final int maxChars;

        Redactor(int maxChars) {
            this.maxChars = maxChars;
        }

        String redact(String text, Attempt attempt) {
            if (text == null || text.isEmpty()) {
                return null;
            }
            String clean = text.replace(attempt.apiKey, "[redacted]");
            String messageText = attempt.sending.update().text();
            if (messageText != null && messageText.length() >= 4) {
                clean = clean.replace(messageText, "[message text]");
            }
            return clean.length() <= maxChars ? clean : clean.substring(0, maxChars) + "… (truncated)";
        }
    }
}
