package io.massmessage.relay.testing;

import io.massmessage.relay.limits.Delays;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Delays on a {@link VirtualTime} clock that fire only when the test moves time: a discrete-event
 * loop, so a test can interleave timers with simulated provider answers in time order.
 */
public final class ManualTimers implements Delays {

    private record Timer(long due, long order, UniEmitter<? super Void> emitter) {}

    private final PriorityQueue<Timer> timers = new PriorityQueue<>(
            Comparator.comparingLong(Timer::due).thenComparingLong(Timer::order));
    private final VirtualTime clock;
    private long scheduled;

    public ManualTimers(VirtualTime clock) {
        this.clock = clock;
    }

    @Override
    public Uni<Void> after(Duration duration) {
        return Uni.createFrom()
                .emitter(e -> timers.add(new Timer(clock.millis() + duration.toMillis(), scheduled++, e)));
    }

    /** Fires, in time order, every timer due up to {@code until} (also those planned meanwhile), then sets the clock to it. */
    public void advanceTo(Instant until) {
        while (!timers.isEmpty() && timers.peek().due() <= until.toEpochMilli()) {
            Timer next = timers.poll();
            clock.set(Math.max(clock.millis(), next.due()));
            next.emitter().complete(null);
        }
        clock.set(Math.max(clock.millis(), until.toEpochMilli()));
    }

    /** Timers planned and not yet fired. */
    public int planned() {
        return timers.size();
    }
}
