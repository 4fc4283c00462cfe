package io.massmessage.relay.outcome;

import io.massmessage.relay.config.RelayConfig;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

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

    /**
     * Runs {@code attempt} until it succeeds: after each failure, unless it is {@code permanent} or
     * {@code keepTrying} says no (then the Uni fails with it), {@code beforeRetry} is told the failure and the
     * wait, and the next try starts after {@link #after} that many failures. Waiting blocks no thread.
     */
    public <T> Uni<T> retry(Supplier<Uni<T>> attempt, Predicate<Throwable> permanent, BooleanSupplier keepTrying,
            BiConsumer<Throwable, Duration> beforeRetry) {
        return retry(attempt, permanent, keepTrying, beforeRetry, 0);
    }

    private <T> Uni<T> retry(Supplier<Uni<T>> attempt, Predicate<Throwable> permanent, BooleanSupplier keepTrying,
            BiConsumer<Throwable, Duration> beforeRetry, int failures) {
        return attempt.get().onFailure().recoverWithUni(failure -> {
            if (permanent.test(failure) || !keepTrying.getAsBoolean()) {
                return Uni.createFrom().failure(failure);
            }
            Duration wait = after(failures);
            beforeRetry.accept(failure, wait);
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .chain(() -> retry(attempt, permanent, keepTrying, beforeRetry, failures + 1));
        });
    }
}
