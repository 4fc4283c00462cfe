package io.massmessage.relay.flow;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Delays that complete at once and remember what was asked, so tests see the waits without spending them. */
final class RecordingDelays implements Delays {

    final List<Duration> asked = new CopyOnWriteArrayList<>();

    @Override
    public Uni<Void> after(Duration duration) {
        asked.add(duration);
        return Uni.createFrom().voidItem();
    }
}
