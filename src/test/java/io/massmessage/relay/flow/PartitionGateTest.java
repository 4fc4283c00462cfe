package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The per-partition bound: a partition is held at its share of pending commands and let go at half. */
class PartitionGateTest {

    private final TopicPartition slow = new TopicPartition("commands", 0);
    private final TopicPartition fast = new TopicPartition("commands", 1);

    @Test
    void holdsAPartitionAtItsShareAndReleasesItAtHalf() {
        PartitionGate gate = new PartitionGate(64, () -> null); // no consumer: the held set alone
        assertThat(gate.share()).isEqualTo(64); // one partition assumed until the consumer says more
        for (int i = 0; i < 63; i++) {
            gate.enter(slow);
        }
        gate.enter(fast);
        assertThat(gate.held()).isEmpty();
        gate.enter(slow);
        assertThat(gate.held()).containsExactly(slow);
        for (int i = 0; i < 31; i++) {
            gate.leave(slow);
        }
        assertThat(gate.held()).containsExactly(slow); // 33 pending: above half
        gate.leave(slow);
        assertThat(gate.held()).isEmpty();
        gate.leave(fast);
        assertThat(gate.held()).isEmpty();
    }

    @Test
    void aRevokedPartitionsCommandsAreNoLongerOwnedButLaterOnesAre() {
        PartitionGate gate = new PartitionGate(64, () -> null);
        int before = gate.enter(slow);
        int other = gate.enter(fast);
        assertThat(gate.owns(slow, before)).isTrue();
        gate.revoked(java.util.List.of(slow));
        assertThat(gate.owns(slow, before)).as("taken before the rebalance").isFalse();
        assertThat(gate.owns(fast, other)).as("another partition").isTrue();
        int after = gate.enter(slow); // assigned back later: a new epoch
        assertThat(gate.owns(slow, after)).isTrue();
    }

    @Test
    void endOfEpochActionsRunOnRevocationOrAtOnceAndCanBeRemoved() {
        PartitionGate gate = new PartitionGate(64, () -> null);
        int epoch = gate.enter(slow);
        java.util.List<String> ran = new java.util.ArrayList<>();
        gate.onEnd(slow, epoch, () -> ran.add("waiting"));
        Runnable remove = gate.onEnd(slow, epoch, () -> ran.add("finished first"));
        remove.run(); // its command finished before the rebalance
        gate.onEnd(fast, gate.enter(fast), () -> ran.add("other partition"));
        gate.revoked(java.util.List.of(slow));
        assertThat(ran).containsExactly("waiting");
        gate.onEnd(slow, epoch, () -> ran.add("late"));
        assertThat(ran).containsExactly("waiting", "late");
    }

    @Test
    void noShareIsSmallerThanTheMinimum() {
        assertThat(new PartitionGate(4, () -> null).share()).isEqualTo(PartitionGate.MIN_SHARE);
    }
}
