package io.massmessage.relay.limits;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One circuit breaker per provider. After {@code threshold} transient faults in a row (5xx,
 * timeouts, connection faults) it opens: the provider's commands wait out the cool-down instead of
 * spending their retries and ending {@code failed}; then one probe goes through (half-open), and
 * its answer closes the breaker or opens it again. Any answer that is not a transient fault (2xx,
 * 4xx, 429) closes it. Other providers are never affected. SmallRye Fault Tolerance's breaker fails
 * fast when open; here commands must wait, without a thread, which is why this is its own class.
 */
public final class ProviderBreakers {

    /** Breaker states, as health and metrics show them. */
    public enum State {
        closed, open, half_open
    }

    private final Clock clock;
    private final Delays delays;
    private final int threshold;
    private final Duration coolDown;
    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();

    public ProviderBreakers(Clock clock, Delays delays, int threshold, Duration coolDown) {
        this.clock = clock;
        this.delays = delays;
        this.threshold = threshold;
        this.coolDown = coolDown;
    }

    /**
     * Completes when {@code provider} may be called: at once when closed; after the cool-down when open.
     * The item is the probe's token when this caller is the half-open breaker's one probe, else 0. A probe
     * that ends without an answer from the provider (no budget slot, expired, handed back, cancelled) must
     * {@link #release} its token, or no other command would ever probe.
     */
    public Uni<Long> permit(String provider) {
        Breaker breaker = breakers.computeIfAbsent(provider, p -> new Breaker());
        long waitMs;
        long probe;
        synchronized (breaker) {
            waitMs = breaker.waitMs(clock.millis());
            probe = waitMs <= 0 && breaker.probing ? breaker.probe : 0;
        }
        if (waitMs <= 0) {
            return Uni.createFrom().item(probe);
        }
        return delays.after(Duration.ofMillis(waitMs)).chain(() -> permit(provider));
    }

    /** The probe with this token ended; if it got no answer, the next caller may probe. A no-op for 0 or an old token. */
    public void release(String provider, long probe) {
        Breaker breaker = breakers.get(provider);
        if (probe == 0 || breaker == null) {
            return;
        }
        synchronized (breaker) {
            if (breaker.probing && breaker.probe == probe) {
                breaker.probing = false;
            }
        }
    }

    /** Records an answer (or fault) from {@code provider}. */
    public void record(String provider, boolean transientFault) {
        Breaker breaker = breakers.computeIfAbsent(provider, p -> new Breaker());
        synchronized (breaker) {
            breaker.record(transientFault, clock.millis());
        }
    }

    /** Each provider's state, for health and metrics. */
    public Map<String, State> states() {
        Map<String, State> states = new TreeMap<>();
        long now = clock.millis();
        breakers.forEach((provider, breaker) -> {
            synchronized (breaker) {
                states.put(provider, breaker.state(now));
            }
        });
        return states;
    }

    /** When an open breaker lets its next probe through, or {@code null} when it is not open. */
    public Instant reopensAt(String provider) {
        Breaker breaker = breakers.get(provider);
        if (breaker == null) {
            return null;
        }
        synchronized (breaker) {
            return breaker.openUntil > clock.millis() ? Instant.ofEpochMilli(breaker.openUntil) : null;
        }
    }

    private final class Breaker {
        int faultsInARow;
        long openUntil;
        boolean probing;
        /** The token of the current (or last) probe. */
        long probe;

        long waitMs(long now) {
            if (openUntil == 0) {
                return 0;
            }
            if (now < openUntil) {
                return openUntil - now;
            }
            if (!probing) {
                probing = true; // this caller is the probe
                probe++;
                return 0;
            }
            return Math.max(1, Math.min(1_000, coolDown.toMillis())); // wait for the probe's answer
        }

        void record(boolean transientFault, long now) {
            if (!transientFault) {
                faultsInARow = 0;
                openUntil = 0;
                probing = false;
                return;
            }
            faultsInARow++;
            if (probing || faultsInARow >= threshold) {
                openUntil = now + coolDown.toMillis();
                probing = false;
            }
        }

        State state(long now) {
            if (openUntil == 0) {
                return State.closed;
            }
            return now < openUntil ? State.open : State.half_open;
        }
    }
}
