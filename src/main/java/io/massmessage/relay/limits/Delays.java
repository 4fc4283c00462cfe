package io.massmessage.relay.limits;

import io.smallrye.mutiny.Uni;
import java.time.Duration;

/** Non-blocking waits. Injected so tests can observe the waits without spending the time. */
public interface Delays {

    /** A Uni that completes after {@code duration}, blocking no thread. */
    Uni<Void> after(Duration duration);
}
