package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The per-partition bound: records count when polled, a partition is held at its share and let go at
 * half; lanes end with a rebalance, and what was counted in an ended lane never touches the next one.
 */
class PartitionGateTest {

    private final TopicPartition slow = new TopicPartition("commands", 0);
    private final TopicPartition fast = new TopicPartition("commands", 1);

    private static PartitionGate gate(int maxPending) {
        return new PartitionGate(maxPending, 1 << 20, action -> null); // no consumer: the held set alone
    }

    @Test
    void holdsAPartitionAtItsShareOfPolledRecordsAndReleasesItAtHalf() {
        PartitionGate gate = gate(64);
        assertThat(gate.share()).isEqualTo(64); // one partition assumed until the consumer says more
        gate.polled(slow, 63, 63 * 100L);
        gate.polled(fast, 1, 1 * 100L);
        assertThat(gate.held()).isEmpty();
        assertThat(gate.pending()).isEqualTo(64);
        gate.polled(slow, 5, 5 * 100L); // one poll may take a partition past its share: held from then on
        assertThat(gate.held()).containsExactly(slow);
        List<PartitionGate.Lane> taken = new ArrayList<>();
        for (int i = 0; i < 68; i++) {
            taken.add(gate.take(slow));
        }
        for (int i = 0; i < 35; i++) {
            gate.leave(taken.get(i), 100);
        }
        assertThat(gate.held()).containsExactly(slow); // 33 pending: above half
        gate.leave(taken.get(35), 100);
        assertThat(gate.held()).isEmpty();
        gate.leave(gate.take(fast), 100);
        assertThat(gate.held()).isEmpty();
        assertThat(gate.pending()).isEqualTo(32);
    }

    @Test
    void largePayloadsHoldAPartitionBeforeItsCountDoes() {
        PartitionGate gate = new PartitionGate(4096, 1 << 20, action -> null);
        gate.assigned(List.of(slow, fast), 2);
        assertThat(gate.shareBytes()).isEqualTo(512 * 1024);
        gate.polled(slow, 2, 300_000);
        gate.polled(fast, 100, 30_000);
        assertThat(gate.held()).isEmpty();
        gate.polled(slow, 1, 300_000); // three records, 600 KB: over the byte share, far under the count
        assertThat(gate.held()).containsExactly(slow);
        assertThat(gate.pendingBytes()).isEqualTo(630_000);
        PartitionGate.Lane lane = gate.take(slow);
        gate.leave(lane, 300_000);
        assertThat(gate.held()).as("300 KB left: above half the byte share").containsExactly(slow);
        gate.leave(lane, 200_000);
        assertThat(gate.held()).as("at half of both shares").isEmpty();
        assertThat(new PartitionGate(64, 1, action -> null).shareBytes()).as("never below one fetch")
                .isEqualTo(PartitionGate.MIN_SHARE_BYTES);
    }

    @Test
    void theShareFollowsTheAssignment() {
        PartitionGate gate = gate(64);
        gate.assigned(List.of(slow, fast), 2);
        assertThat(gate.share()).isEqualTo(32);
        gate.polled(slow, 32, 32 * 100L);
        assertThat(gate.held()).containsExactly(slow);
        assertThat(gate(4).share()).as("never below the minimum").isEqualTo(PartitionGate.MIN_SHARE);
    }

    @Test
    void aRevokedPartitionsCommandsAreNoLongerOwnedButLaterOnesAre() {
        PartitionGate gate = gate(64);
        gate.assigned(List.of(slow, fast), 2);
        PartitionGate.Lane before = gate.take(slow);
        PartitionGate.Lane other = gate.take(fast);
        assertThat(gate.owns(before)).isTrue();
        gate.revoked(List.of(slow));
        assertThat(gate.owns(before)).as("taken before the rebalance").isFalse();
        assertThat(gate.owns(other)).as("another partition").isTrue();
        assertThat(gate.owns(gate.take(slow))).as("taken after it was revoked, before it came back").isFalse();
        gate.assigned(List.of(slow), 2); // assigned back later: a new lane
        assertThat(gate.owns(gate.take(slow))).isTrue();
    }

    @Test
    void whatWasCountedInAnEndedLaneNeitherHoldsNorFreesTheNextOne() {
        PartitionGate gate = gate(64);
        gate.assigned(List.of(slow), 1);
        gate.polled(slow, 70, 70 * 100L);
        List<PartitionGate.Lane> old = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            old.add(gate.take(slow));
        }
        assertThat(gate.held()).containsExactly(slow);
        gate.revoked(List.of(slow));
        assertThat(gate.held()).as("a revoked partition is not held").isEmpty();
        assertThat(gate.pending()).as("an ended lane's records are not this replica's").isZero();
        gate.assigned(List.of(slow), 1);
        gate.polled(slow, 64, 64 * 100L);
        assertThat(gate.held()).as("the new lane counts from zero").containsExactly(slow);
        old.forEach(lane -> gate.leave(lane, 100)); // the old commands are handed back after the new lane filled
        assertThat(gate.held()).as("their leaving does not release the new lane").containsExactly(slow);
        assertThat(gate.pending()).isEqualTo(64);
    }

    @Test
    void endOfLaneActionsRunOnRevocationOrAtOnceAndCanBeRemoved() {
        PartitionGate gate = gate(64);
        PartitionGate.Lane lane = gate.take(slow);
        List<String> ran = new ArrayList<>();
        gate.onEnd(lane, () -> ran.add("waiting"));
        Runnable remove = gate.onEnd(lane, () -> ran.add("finished first"));
        remove.run(); // its command finished before the rebalance
        gate.onEnd(gate.take(fast), () -> ran.add("other partition"));
        gate.revoked(List.of(slow));
        assertThat(ran).containsExactly("waiting");
        gate.onEnd(lane, () -> ran.add("late"));
        assertThat(ran).containsExactly("waiting", "late");
    }

    @Test
    void aRevocationWaitsForOutcomesBeingPublishedAndNoneStartsAfterIt() throws Exception {
        PartitionGate gate = gate(64);
        gate.assigned(List.of(slow, fast), 2);
        PartitionGate.Lane publishingLane = gate.take(slow);
        PartitionGate.Lane otherLane = gate.take(fast);
        assertThat(gate.publishing(publishingLane)).isTrue();
        assertThat(gate.publishing(otherLane)).isTrue();
        gate.published(otherLane); // another partition's outcome, done

        java.util.concurrent.CompletableFuture<Void> revocation =
                java.util.concurrent.CompletableFuture.runAsync(() -> gate.revoked(List.of(slow)));
        // the revocation holds (on the polling thread) while the slow partition's outcome is on its way
        org.awaitility.Awaitility.await().pollDelay(java.time.Duration.ofMillis(300)).atMost(java.time.Duration.ofSeconds(2))
                .until(() -> true);
        assertThat(revocation).as("returned with an outcome still being published").isNotDone();
        PartitionGate.Lane late = publishingLane;
        assertThat(gate.publishing(late)).as("no outcome starts publishing once its partition is revoked").isFalse();
        gate.published(publishingLane);
        revocation.get(PartitionGate.PUBLISHING_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);

        assertThat(gate.publishing(otherLane)).as("the partition kept still publishes").isTrue();
        gate.published(otherLane);
        long started = System.nanoTime();
        gate.revoked(List.of(fast));
        assertThat(System.nanoTime() - started).as("nothing publishing: no wait")
                .isLessThan(PartitionGate.PUBLISHING_WAIT.toNanos());
    }
}
