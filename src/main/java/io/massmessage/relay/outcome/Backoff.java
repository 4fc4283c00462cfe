package io.massmessage.relay.outcome;

import io.massmessage.relay.config.RelayConfig;
import java.time.Duration;

/** Waits between tries of a record that did not land: doubling from the first wait up to the longest. */
public record Backoff(Duration initial, Duration max) {

    public Backoff(RelayConfig.PublishRetry config) {
        this(config.initialBackoff(), config.maxBackoff());
    }

    /** The wait after {@code failures} failed tries (0 for the first retry). */
    public Duration after(int failures) {
        long first = Math.max(1, initial.toMillis());
        long longest = Math.max(first, max.toMillis());
        return Duration.ofMillis(Math.min(longest, first << Math.min(failures, 20)));
    }
}
