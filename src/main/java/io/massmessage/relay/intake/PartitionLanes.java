package io.massmessage.relay.intake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Which partitions this replica owns: one {@link Lane} per partition and ownership epoch. A rebalance that takes
 * a partition away ends its lane; commands taken in an ended lane are handed back unfinished (the new owner
 * processes them from the last commit), so two replicas never spend one account's budget at once. A revocation
 * waits (up to {@link #PUBLISHING_WAIT}) for the outcomes already being published on the revoked partitions, so
 * they are on the broker before the next owner looks for them ({@link ReplayCheck}).
 */
public final class PartitionLanes {

    /** How long a revocation waits for outcomes already being published on the revoked partitions. */
    static final Duration PUBLISHING_WAIT = Duration.ofSeconds(5);

    private final Object publishedSignal = new Object();
    private final Map<TopicPartition, Lane> lanes = new ConcurrentHashMap<>();

    /** A rebalance gave this replica these partitions: each starts a new lane. */
    public void assigned(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            lanes.compute(partition, (p, current) -> current == null || current.ended() ? new Lane(p, false) : current);
        }
    }

    /**
     * A rebalance took these partitions away (or they were lost): their lanes end, so their commands are handed
     * back, and (on the consumer's polling thread) the outcomes already being published are waited for.
     */
    public void revoked(Collection<TopicPartition> partitions) {
        List<Lane> ended = new ArrayList<>();
        for (TopicPartition partition : partitions) {
            Lane old = lanes.put(partition, new Lane(partition, true));
            if (old != null) {
                old.end();
                ended.add(old);
            }
        }
        awaitPublished(ended);
    }

    /** The partition's current lane; a partition seen before any assignment callback starts live. */
    Lane current(TopicPartition partition) {
        return lanes.computeIfAbsent(partition, p -> new Lane(p, false));
    }

    /** Whether {@code lane} is still its partition's live lane. */
    boolean owns(Lane lane) {
        return !lane.ended() && lanes.get(lane.partition) == lane;
    }

    /** Whether {@code partition} has no live lane, or one holding at most {@code records} and {@code bytes}. */
    boolean endedOrAtMost(TopicPartition partition, int records, long bytes) {
        Lane lane = lanes.get(partition);
        return lane == null || lane.ended() || lane.pending.get() <= records && lane.bytes.get() <= bytes;
    }

    /** The sum of {@code count} over the live lanes. */
    long sumOverOwned(ToLongFunction<Lane> count) {
        long total = 0;
        for (Lane lane : lanes.values()) {
            if (!lane.ended()) {
                total += count.applyAsLong(lane);
            }
        }
        return total;
    }

    /** An outcome of a command of {@code lane} is about to be published: false (and nothing counted) if the lane ended. */
    boolean publishing(Lane lane) {
        lane.publishing.incrementAndGet();
        if (lane.ended()) { // the revocation may have counted nothing: do not publish behind its back
            published(lane);
            return false;
        }
        return true;
    }

    /** The outcome announced by {@link #publishing} is on the broker, or failed. */
    void published(Lane lane) {
        if (lane.publishing.decrementAndGet() == 0 && lane.ended()) {
            synchronized (publishedSignal) {
                publishedSignal.notifyAll();
            }
        }
    }

    private void awaitPublished(List<Lane> ended) {
        long deadline = System.nanoTime() + PUBLISHING_WAIT.toNanos();
        synchronized (publishedSignal) {
            while (ended.stream().anyMatch(lane -> lane.publishing.get() > 0)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return; // what is still publishing may be answered twice: at-least-once
                }
                try {
                    publishedSignal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
