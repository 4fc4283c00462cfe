package io.massmessage.relay.limits;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.Objects;

/** {@link Delays} on Vert.x timers: the continuation runs on an event loop, no thread sleeps. */
public final class VertxDelays implements Delays {

    private final Vertx vertx;

    public VertxDelays(Vertx vertx) {
        this.vertx = Objects.requireNonNull(vertx);
    }

    @Override
    public Uni<Void> after(Duration duration) {
        long ms = duration.toMillis();
        if (ms <= 0) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().emitter(emitter -> {
            long timer = vertx.getDelegate().setTimer(ms, id -> emitter.complete(null));
            emitter.onTermination(() -> vertx.getDelegate().cancelTimer(timer));
        });
    }
}
