package io.massmessage.relay.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The per-partition bound: records count when polled, a partition is held at its share and let go at half, and
 * what was counted in a lane a rebalance ended never touches the next one.
 */
class PendingBoundsTest {

    private final TopicPartition slow = new TopicPartition("commands", 0);
    private final TopicPartition fast = new TopicPartition("commands", 1);
    private final PartitionLanes lanes = new PartitionLanes();

    private PendingBounds bounds(int maxPending, long maxPendingBytes) {
        return new PendingBounds(maxPending, maxPendingBytes, lanes, action -> null); // no consumer: the held set alone
    }

    private void assign(PendingBounds bounds, List<TopicPartition> partitions, int total) {
        bounds.assigned(total);
        lanes.assigned(partitions);
    }

    @Test
    void holdsAPartitionAtItsShareOfPolledRecordsAndReleasesItAtHalf() {
        PendingBounds bounds = bounds(64, 1 << 20);
        assertThat(bounds.share()).isEqualTo(64); // one partition assumed until the consumer says more
        bounds.polled(slow, 63, 63 * 100L);
        bounds.polled(fast, 1, 1 * 100L);
        assertThat(bounds.held()).isEmpty();
        assertThat(bounds.pending()).isEqualTo(64);
        bounds.polled(slow, 5, 5 * 100L); // one poll may take a partition past its share: held from then on
        assertThat(bounds.held()).containsExactly(slow);
        List<TakenRecord> taken = new ArrayList<>();
        for (int i = 0; i < 68; i++) {
            taken.add(bounds.take(slow, i, 100));
        }
        for (int i = 0; i < 35; i++) {
            taken.get(i).finish();
        }
        assertThat(bounds.held()).containsExactly(slow); // 33 pending: above half
        taken.get(35).finish();
        assertThat(bounds.held()).isEmpty();
        bounds.take(fast, 0, 100).finish();
        assertThat(bounds.held()).isEmpty();
        assertThat(bounds.pending()).isEqualTo(32);
    }

    @Test
    void aRecordFinishedTwiceLeavesItsBoundOnce() {
        PendingBounds bounds = bounds(64, 1 << 20);
        bounds.polled(slow, 2, 200);
        TakenRecord record = bounds.take(slow, 0, 100);
        record.finish();
        record.finish();
        assertThat(bounds.pending()).isEqualTo(1);
        assertThat(bounds.pendingBytes()).isEqualTo(100);
    }

    @Test
    void largePayloadsHoldAPartitionBeforeItsCountDoes() {
        PendingBounds bounds = bounds(4096, 1 << 20);
        assign(bounds, List.of(slow, fast), 2);
        assertThat(bounds.shareBytes()).isEqualTo(512 * 1024);
        bounds.polled(slow, 2, 300_000);
        bounds.polled(fast, 100, 30_000);
        assertThat(bounds.held()).isEmpty();
        bounds.polled(slow, 1, 300_000); // three records, 600 KB: over the byte share, far under the count
        assertThat(bounds.held()).containsExactly(slow);
        assertThat(bounds.pendingBytes()).isEqualTo(630_000);
        bounds.take(slow, 0, 300_000).finish();
        assertThat(bounds.held()).as("300 KB left: above half the byte share").containsExactly(slow);
        bounds.take(slow, 1, 200_000).finish();
        assertThat(bounds.held()).as("at half of both shares").isEmpty();
        assertThat(bounds(64, 1).shareBytes()).as("never below one fetch").isEqualTo(PendingBounds.MIN_SHARE_BYTES);
    }

    @Test
    void aNullPayloadCountsNoBytes() {
        PendingBounds bounds = bounds(64, 1 << 20);
        bounds.polled(slow, 1, 0);
        bounds.take(slow, 0, -1).finish();
        assertThat(bounds.pending()).isZero();
        assertThat(bounds.pendingBytes()).isZero();
    }

    @Test
    void theShareFollowsTheAssignment() {
        PendingBounds bounds = bounds(64, 1 << 20);
        assign(bounds, List.of(slow, fast), 2);
        assertThat(bounds.share()).isEqualTo(32);
        bounds.polled(slow, 32, 32 * 100L);
        assertThat(bounds.held()).containsExactly(slow);
        assertThat(bounds(4, 1 << 20).share()).as("never below the minimum").isEqualTo(PendingBounds.MIN_SHARE);
    }

    @Test
    void whatWasCountedInAnEndedLaneNeitherHoldsNorFreesTheNextOne() {
        PendingBounds bounds = bounds(64, 1 << 20);
        assign(bounds, List.of(slow), 1);
        bounds.polled(slow, 70, 70 * 100L);
        List<TakenRecord> old = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            old.add(bounds.take(slow, i, 100));
        }
        assertThat(bounds.held()).containsExactly(slow);
        bounds.revoked(List.of(slow));
        lanes.revoked(List.of(slow));
        assertThat(bounds.held()).as("a revoked partition is not held").isEmpty();
        assertThat(bounds.pending()).as("an ended lane's records are not this replica's").isZero();
        assign(bounds, List.of(slow), 1);
        bounds.polled(slow, 64, 64 * 100L);
        assertThat(bounds.held()).as("the new lane counts from zero").containsExactly(slow);
        old.forEach(TakenRecord::finish); // the old commands are handed back after the new lane filled
        assertThat(bounds.held()).as("their leaving does not release the new lane").containsExactly(slow);
        assertThat(bounds.pending()).isEqualTo(64);
    }
}
