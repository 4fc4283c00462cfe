package io.massmessage.relay.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A taken record knows whether its partition is still owned: a rebalance ends the lane it was taken in, runs what
 * waits for that, and waits for the answers being published on it; nothing starts publishing after it.
 */
class TakenRecordTest {

    private final TopicPartition slow = new TopicPartition("commands", 0);
    private final TopicPartition fast = new TopicPartition("commands", 1);
    private final PartitionLanes lanes = new PartitionLanes();
    private final PendingBounds bounds = new PendingBounds(64, 1 << 20, lanes, action -> null);

    @Test
    void aRevokedPartitionsRecordsAreNoLongerOwnedButLaterOnesAre() {
        lanes.assigned(List.of(slow, fast));
        TakenRecord before = bounds.take(slow, 0, 10);
        TakenRecord other = bounds.take(fast, 0, 10);
        assertThat(before.owned()).isTrue();
        lanes.revoked(List.of(slow));
        assertThat(before.owned()).as("taken before the rebalance").isFalse();
        assertThat(other.owned()).as("another partition").isTrue();
        assertThat(bounds.take(slow, 1, 10).owned()).as("taken after it was revoked, before it came back").isFalse();
        lanes.assigned(List.of(slow)); // assigned back later: a new lane
        assertThat(bounds.take(slow, 2, 10).owned()).isTrue();
    }

    @Test
    void revocationActionsRunOnRevocationOrAtOnceAndCanBeRemoved() {
        TakenRecord record = bounds.take(slow, 0, 10);
        List<String> ran = new ArrayList<>();
        record.onRevoked(() -> ran.add("waiting"));
        Runnable remove = record.onRevoked(() -> ran.add("finished first"));
        remove.run(); // its command finished before the rebalance
        bounds.take(fast, 0, 10).onRevoked(() -> ran.add("other partition"));
        lanes.revoked(List.of(slow));
        assertThat(ran).containsExactly("waiting");
        record.onRevoked(() -> ran.add("late"));
        assertThat(ran).containsExactly("waiting", "late");
    }

    @Test
    void aRevocationWaitsForAnswersBeingPublishedAndNoneStartsAfterIt() throws Exception {
        lanes.assigned(List.of(slow, fast));
        TakenRecord publishing = bounds.take(slow, 0, 10);
        CompletableFuture<String> onTheWay = new CompletableFuture<>();
        AtomicReference<String> written = new AtomicReference<>();
        publishing.publish(() -> Uni.createFrom().completionStage(onTheWay)).subscribe().with(written::set);
        bounds.take(fast, 0, 10).publish(() -> Uni.createFrom().item("done")).await().indefinitely();

        CompletableFuture<Void> revocation = CompletableFuture.runAsync(() -> lanes.revoked(List.of(slow)));
        // the revocation holds (on the polling thread) while the slow partition's answer is on its way
        await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(revocation).as("returned with an answer still being published").isNotDone();
        AtomicBoolean lateWrite = new AtomicBoolean();
        AtomicReference<Throwable> refused = new AtomicReference<>();
        bounds.take(slow, 1, 10).publish(() -> {
            lateWrite.set(true);
            return Uni.createFrom().item("late");
        }).subscribe().with(item -> {}, refused::set);
        assertThat(lateWrite).as("no answer starts publishing once its partition is revoked").isFalse();
        assertThat(refused.get()).isInstanceOf(HandedBackException.class).hasMessageContaining("commands-0@1");
        onTheWay.complete("outcome");
        revocation.get(PartitionLanes.PUBLISHING_WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(written).hasValue("outcome");

        long started = System.nanoTime();
        lanes.revoked(List.of(fast));
        assertThat(System.nanoTime() - started).as("nothing publishing: no wait")
                .isLessThan(PartitionLanes.PUBLISHING_WAIT.toNanos());
    }
}
