package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Waiting by design never stalls; working past the limit does, and the oldest such command is named. */
class StallWatchTest {

    private static final Duration LIMIT = Duration.ofMinutes(5);
    private final VirtualTime time = new VirtualTime(Instant.parse("2026-12-01T10:00:00Z"));
    private final StallWatch watch = new StallWatch(time);

    @Test
    void aCommandWaitingByDesignNeverStalls() {
        StallWatch.Watched command = watch.begin(() -> "waiting");
        time.advance(Duration.ofHours(3).toMillis());
        assertThat(watch.stalled(LIMIT)).isNull();
        command.working();
        time.advance(LIMIT.toMillis());
        assertThat(watch.stalled(LIMIT)).as("exactly at the limit").isNull();
        command.waiting();
        time.advance(Duration.ofHours(1).toMillis());
        assertThat(watch.stalled(LIMIT)).isNull();
    }

    @Test
    void theOldestCommandWorkingPastTheLimitIsStalledUntilItEnds() {
        StallWatch.Watched older = watch.begin(() -> "older");
        older.working();
        time.advance(1000);
        StallWatch.Watched newer = watch.begin(() -> "newer");
        newer.working();
        time.advance(LIMIT.toMillis());
        StallWatch.Stalled stalled = watch.stalled(LIMIT);
        assertThat(stalled).isNotNull();
        assertThat(stalled.what()).isEqualTo("older");
        assertThat(stalled.forMillis()).isEqualTo(LIMIT.toMillis() + 1000);
        older.ended();
        time.advance(1);
        assertThat(watch.stalled(LIMIT).what()).isEqualTo("newer");
        newer.waiting();
        assertThat(watch.stalled(LIMIT)).isNull();
        newer.ended();
        assertThat(watch.size()).isZero();
    }
}
