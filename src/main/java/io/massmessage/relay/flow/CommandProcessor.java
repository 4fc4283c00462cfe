package io.massmessage.relay.flow;

import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.ProviderClient;
import io.massmessage.relay.provider.ProviderRegistry;
import io.massmessage.relay.provider.ProviderRequest;
import io.massmessage.relay.provider.ProviderResponse;
import io.massmessage.relay.provider.RateLimitInfo;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;
import org.jboss.logging.Logger;

/**
 * Applies one valid command at its provider and decides its outcome: retries transient faults with
 * exponential backoff and full jitter inside an attempt and time budget, waits out 429s as the
 * provider asks up to a maximum, and fails permanent refusals at once.
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
    private final Redactor redactor;

    public CommandProcessor(ProviderRegistry registry, ProviderClient client, RelayConfig config, Delays delays,
            Clock clock, DoubleSupplier random) {
        this.registry = registry;
        this.client = client;
        this.config = config;
        this.delays = delays;
        this.clock = clock;
        this.random = random;
        this.redactor = new Redactor(config.providerBodyMaxChars());
    }

    /** Processes the command; the Uni never fails for a provider's sake. */
    public Uni<Outcome> process(UpdateCommand command) {
        long start = clock.millis();
        ProviderAdapter adapter = registry.adapter(command.provider()).orElseThrow(
                () -> new IllegalStateException("no adapter for validated provider " + command.provider()));
        var apiKey = registry.apiKey(adapter, command.account());
        if (apiKey.isEmpty()) {
            String variable = "PROVIDERS_" + adapter.name().toUpperCase(java.util.Locale.ROOT) + "_API_KEY";
            return Uni.createFrom().item(new Outcome.Failed(command, 0, 0, null, ErrorCategory.unconfigured_account,
                    "no API key configured for " + adapter.name() + " account " + command.account() + " (set " + variable
                            + " or providers." + adapter.name() + ".accounts.\"" + command.account() + "\".api-key)",
                    null, null, null));
        }
        ProviderRequest request = adapter.request(command, apiKey.get());
        return attempt(new Attempt(command, adapter, request, apiKey.get(), start, 1, 0));
    }

    private Uni<Outcome> attempt(Attempt attempt) {
        return client.call(attempt.adapter, attempt.request).chain(response -> decide(attempt, response));
    }

    private Uni<Outcome> decide(Attempt attempt, ProviderResponse response) {
        UpdateCommand command = attempt.command;
        long elapsed = clock.millis() - attempt.start;
        if (response instanceof ProviderResponse.Accepted a) {
            return Uni.createFrom().item(new Outcome.Succeeded(command, attempt.number, elapsed, a.httpStatus(),
                    a.message(), a.rateLimit(), a.credits()));
        }
        if (response instanceof ProviderResponse.Rejected r) {
            return Uni.createFrom().item(new Outcome.Failed(command, attempt.number, elapsed, r.httpStatus(),
                    r.category(), redactor.redact(r.detail(), attempt), redactor.redact(r.providerBody(), attempt),
                    r.rateLimit(), r.credits()));
        }
        if (response instanceof ProviderResponse.Throttled t) {
            return throttled(attempt, t, elapsed);
        }
        ProviderResponse.Transient fault = (ProviderResponse.Transient) response;
        RelayConfig.Retry retry = config.retry();
        if (attempt.number < retry.maxAttempts() && elapsed < retry.budget().toMillis()) {
            Duration backoff = backoff(attempt.number);
            LOG.debugf("command %s attempt %d: %s; retrying in %d ms", command.commandId(), attempt.number,
                    fault.detail(), backoff.toMillis());
            return delays.after(backoff).chain(() -> attempt(attempt.next(0)));
        }
        return Uni.createFrom().item(new Outcome.Failed(command, attempt.number, elapsed,
                fault.httpStatus() == 0 ? null : fault.httpStatus(), ErrorCategory.unavailable,
                redactor.redact(fault.detail(), attempt) + " after " + attempt.number + " attempt(s)",
                redactor.redact(fault.providerBody(), attempt), fault.rateLimit(), fault.credits()));
    }

    private Uni<Outcome> throttled(Attempt attempt, ProviderResponse.Throttled response, long elapsed) {
        Instant now = clock.instant();
        Long said = response.rateLimit().retryAfterMs();
        long waitMs = said != null ? said : untilNextMinute(now);
        RateLimitInfo rateLimit = response.rateLimit().withRetryAfter(waitMs, now.plusMillis(waitMs));
        Instant sendAt = attempt.command.update().scheduledAt();
        if (sendAt != null && !now.plusMillis(waitMs).isBefore(sendAt)) {
            return Uni.createFrom().item(new Outcome.Failed(attempt.command, attempt.number, elapsed,
                    response.httpStatus(), ErrorCategory.expired, "rate limited until " + rateLimit.retryAt()
                            + ", which is not before the message's send time " + sendAt,
                    null, rateLimit, response.credits()));
        }
        if (attempt.waitedMs + waitMs <= config.rateLimit().maxWait().toMillis()) {
            return delays.after(Duration.ofMillis(waitMs)).chain(() -> attempt(attempt.next(waitMs)));
        }
        return Uni.createFrom().item(new Outcome.RateLimited(attempt.command, attempt.number, elapsed,
                response.httpStatus(), rateLimit, response.credits()));
    }

    /** Full jitter: uniform in [0, min(maxBackoff, initialBackoff * 2^(n-1))]. */
    Duration backoff(int failedAttempts) {
        RelayConfig.Retry retry = config.retry();
        double cap = Math.min(retry.maxBackoff().toMillis(),
                retry.initialBackoff().toMillis() * Math.pow(2, failedAttempts - 1));
        return Duration.ofMillis(Math.round(random.getAsDouble() * cap));
    }

    /** A 429 that names no wait: wait until the provider's minute window (aligned to the UTC minute) resets. */
    static long untilNextMinute(Instant now) {
        long ms = now.toEpochMilli();
        return 60_000 - ms % 60_000;
    }

    private record Attempt(UpdateCommand command, ProviderAdapter adapter, ProviderRequest request, String apiKey,
            long start, int number, long waitedMs) {
        Attempt next(long waited) {
            return new Attempt(command, adapter, request, apiKey, start, number + 1, waitedMs + waited);
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
            String messageText = attempt.command.update().text();
            if (messageText != null && messageText.length() >= 4) {
                clean = clean.replace(messageText, "[message text]");
            }
            return clean.length() <= maxChars ? clean : clean.substring(0, maxChars) + "… (truncated)";
        }
    }
}
