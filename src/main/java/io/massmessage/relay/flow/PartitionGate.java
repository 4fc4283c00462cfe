package io.massmessage.relay.flow;

import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Bounds the commands taken from each partition and not yet finished, and pauses exactly the
 * partitions at their bound, so one account whose commands wait for its budget holds back only its
 * own partition while every other partition keeps flowing. Each assigned partition may have
 * {@code max-pending / assigned partitions} commands pending (at least {@link #MIN_SHARE}); it is
 * paused when it reaches that share and resumed at half of it.
 *
 * <p>The consumer keeps polling while partitions are paused, so it stays in its group. Pausing is
 * reconciled on the consumer's polling thread whenever the set changes and twice a second: Kafka
 * forgets pauses of partitions it reassigns, and the reconcile puts them back. The connector's own
 * whole-assignment pausing is off ({@code pause-if-no-requests=false}), since its resume would
 * resume these partitions too.
 *
 * <p>It also knows which partitions this replica still owns: a rebalance that takes a partition away
 * ends its ownership epoch, and commands taken under an ended epoch are handed back unfinished (the new
 * owner processes them from the last commit), so two replicas never spend one account's budget at
 * once.
 */
public final class PartitionGate {

    /** No partition's share of pending commands is smaller than this. */
    public static final int MIN_SHARE = 16;

    private static final Logger LOG = Logger.getLogger(PartitionGate.class);

    private final int maxPending;
    private final Supplier<KafkaConsumer<?, ?>> consumer;
    private final Map<TopicPartition, AtomicInteger> pending = new ConcurrentHashMap<>();
    private final Set<TopicPartition> held = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reconciling = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private volatile int assigned = 1;
    private final Map<TopicPartition, AtomicInteger> epochs = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Set<Runnable>> endOfEpoch = new ConcurrentHashMap<>();

    public PartitionGate(int maxPending, Supplier<KafkaConsumer<?, ?>> consumer) {
        this.maxPending = maxPending;
        this.consumer = consumer;
    }

    /**
     * A command of {@code partition} was taken; returns the partition's ownership epoch, for
     * {@link #owns}.
     */
    public int enter(TopicPartition partition) {
        int epoch = epochs.computeIfAbsent(partition, p -> new AtomicInteger()).get();
        enterCount(partition);
        return epoch;
    }

    /** Whether this replica still owns {@code partition} in the epoch a command was taken in. */
    public boolean owns(TopicPartition partition, int epoch) {
        AtomicInteger current = epochs.get(partition);
        return current != null && current.get() == epoch;
    }

    /**
     * Runs {@code action} when the ownership epoch a command was taken in ends (at once if it already
     * has); returns what removes the registration. The pipeline uses it to end a command waiting for
     * budget on a revoked partition at once, instead of letting it hold a slot.
     */
    public Runnable onEnd(TopicPartition partition, int epoch, Runnable action) {
        Set<Runnable> actions = endOfEpoch.computeIfAbsent(partition, p -> ConcurrentHashMap.newKeySet());
        actions.add(action);
        if (!owns(partition, epoch) && actions.remove(action)) {
            action.run();
        }
        return () -> actions.remove(action);
    }

    /** A rebalance took these partitions away: their commands not yet sent are handed back. */
    public void revoked(java.util.Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            epochs.computeIfAbsent(partition, p -> new AtomicInteger()).incrementAndGet();
            Set<Runnable> actions = endOfEpoch.get(partition);
            if (actions != null) {
                for (Runnable action : java.util.List.copyOf(actions)) {
                    if (actions.remove(action)) {
                        action.run();
                    }
                }
            }
            if (held.remove(partition)) {
                changes.incrementAndGet();
            }
        }
    }

    private void enterCount(TopicPartition partition) {
        int now = pending.computeIfAbsent(partition, p -> new AtomicInteger()).incrementAndGet();
        if (now >= share() && held.add(partition)) {
            changes.incrementAndGet();
            reconcile();
        }
    }

    /** A command of {@code partition} finished (its outcome published, or dead-lettered). */
    public void leave(TopicPartition partition) {
        AtomicInteger count = pending.get(partition);
        int now = count == null ? 0 : count.decrementAndGet();
        if (now <= share() / 2 && held.remove(partition)) {
            changes.incrementAndGet();
            reconcile();
        }
    }

    /** Each partition's bound now. */
    public int share() {
        return Math.max(MIN_SHARE, maxPending / Math.max(1, assigned));
    }

    /** Partitions the gate holds paused now. */
    public Set<TopicPartition> held() {
        return Set.copyOf(held);
    }

    /** Applies the held set to the consumer, on its polling thread; a no-op while one is under way. */
    public void reconcile() {
        KafkaConsumer<?, ?> kafka = consumer.get();
        if (kafka == null || !reconciling.compareAndSet(false, true)) {
            return;
        }
        long seen = changes.get();
        kafka.runOnPollingThread(c -> {
            Set<TopicPartition> assignment = c.assignment();
            assigned = Math.max(1, assignment.size());
            Set<TopicPartition> pause = new HashSet<>(held);
            pause.retainAll(assignment);
            Set<TopicPartition> resume = new HashSet<>(c.paused());
            resume.removeAll(held);
            if (!pause.isEmpty()) {
                c.pause(pause);
            }
            if (!resume.isEmpty()) {
                c.resume(resume);
            }
            return null;
        }).subscribe().with(
                done -> {
                    reconciling.set(false);
                    if (changes.get() != seen) {
                        reconcile(); // the held set changed while this round ran
                    }
                },
                failure -> {
                    reconciling.set(false);
                    LOG.debug("partition pause reconcile failed; the next round retries", failure);
                });
    }
}
