package io.massmessage.relay.testing;

import io.massmessage.relay.limits.Delays;
import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock and delays on virtual time: a delay moves the clock forward and completes at once, and
 * is remembered, so tests see every wait without spending it.
 */
public final class VirtualTime extends Clock implements Delays {

    /** Every delay asked for, in order. */
    public final List<Duration> asked = new CopyOnWriteArrayList<>();
    private final AtomicLong millis;

    public VirtualTime(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    public void set(long epochMillis) {
        millis.set(epochMillis);
    }

    public void advance(long ms) {
        millis.addAndGet(ms);
    }

    @Override
    public Uni<Void> after(Duration duration) {
        asked.add(duration);
        millis.addAndGet(Math.max(0, duration.toMillis()));
        return Uni.createFrom().voidItem();
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
