package io.massmessage.relay.flow;

import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Bounds the records polled from each partition and not yet finished, in number and in payload
 * bytes, and pauses exactly the partitions at their bound, so one account whose commands wait for its budget holds back only its
 * own partition while every other partition keeps flowing. Each assigned partition may have
 * {@code max-pending / assigned partitions} records pending (at least {@link #MIN_SHARE}) and
 * {@code max-pending-bytes / assigned partitions} bytes of them; it is paused when it reaches either
 * share and resumed when it is at half of both.
 *
 * <p>Records are counted when the consumer polls them ({@link PollCounter}, on the polling thread),
 * not when the pipeline takes them: the connector's queue between the two is unbounded, so a busy
 * event loop would otherwise let a deep backlog pile up in memory past the bound. A partition found at
 * its share is paused before the consumer's next poll (the pause is queued on the polling thread from
 * inside the poll that counted it), so a partition's share is exceeded by at most that poll's records
 * of it: one fetch, {@code max.partition.fetch.bytes}.
 *
 * <p>The consumer keeps polling while partitions are paused, so it stays in its group. Pausing is
 * reconciled on the consumer's polling thread whenever the set changes and twice a second: Kafka
 * forgets pauses of partitions it reassigns, and the reconcile puts them back. The connector's own
 * whole-assignment pausing is off ({@code pause-if-no-requests=false}), since its resume would
 * resume these partitions too.
 *
 * <p>It also knows which partitions this replica still owns. Each partition has a {@link Lane}: its
 * ownership epoch and its count. A rebalance that takes a partition away ends its lane; commands taken
 * in an ended lane are handed back unfinished (the new owner processes them from the last commit), so
 * two replicas never spend one account's budget at once, and whatever they still count dies with
 * their lane instead of being subtracted from the next owner's.
 */
public final class PartitionGate {

    /** No partition's share of pending records is smaller than this. */
    public static final int MIN_SHARE = 16;
    /** No partition's share of pending bytes is smaller than this (a default fetch of one partition). */
    public static final long MIN_SHARE_BYTES = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(PartitionGate.class);

    /** Runs an action on the consumer's polling thread; {@code null} while there is no consumer. */
    @FunctionalInterface
    public interface PollingThread {
        Uni<Void> run(java.util.function.Consumer<Consumer<?, ?>> action);
    }

    /**
     * One partition's ownership epoch: the records counted in it and what runs when it ends. A command
     * keeps the lane it was taken in and gives it back with {@link #leave}.
     */
    public static final class Lane {
        private final TopicPartition partition;
        private final AtomicInteger pending = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();
        private final Set<Runnable> atEnd = ConcurrentHashMap.newKeySet();
        /** Outcomes of this lane's commands being published now. */
        private final AtomicInteger publishing = new AtomicInteger();
        private volatile boolean ended;

        private Lane(TopicPartition partition, boolean ended) {
            this.partition = partition;
            this.ended = ended;
        }

        private void end() {
            ended = true;
            for (Runnable action : List.copyOf(atEnd)) {
                if (atEnd.remove(action)) {
                    action.run();
                }
            }
        }
    }

    /** How long a revocation waits for outcomes already being published on the revoked partitions. */
    static final java.time.Duration PUBLISHING_WAIT = java.time.Duration.ofSeconds(5);

    private final Object publishedSignal = new Object();
    private final int maxPending;
    private final long maxPendingBytes;
    private final PollingThread pollingThread;
    private final Map<TopicPartition, Lane> lanes = new ConcurrentHashMap<>();
    private final Set<TopicPartition> held = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reconciling = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private volatile int assigned = 1;

    public PartitionGate(int maxPending, long maxPendingBytes, PollingThread pollingThread) {
        this.maxPending = maxPending;
        this.maxPendingBytes = maxPendingBytes;
        this.pollingThread = pollingThread;
    }

    /** The consumer polled {@code records} records of {@code partition}, {@code bytes} of payload (on its polling thread). */
    public void polled(TopicPartition partition, int records, long bytes) {
        Lane lane = lane(partition);
        int now = lane.pending.addAndGet(records);
        long nowBytes = lane.bytes.addAndGet(bytes);
        if ((now >= share() || nowBytes >= shareBytes()) && !lane.ended && held.add(partition)) {
            changes.incrementAndGet();
            reconcile();
        }
    }

    /** The pipeline takes a record of {@code partition}: the lane it counts in, for {@link #owns} and {@link #leave}. */
    public Lane take(TopicPartition partition) {
        return lane(partition);
    }

    /** Whether this replica still owns the partition in the lane a command was taken in. */
    public boolean owns(Lane lane) {
        return !lane.ended && lanes.get(lane.partition) == lane;
    }

    /**
     * Runs {@code action} when the lane a command was taken in ends (at once if it already has); returns
     * what removes the registration. The pipeline uses it to end a command waiting for budget on a
     * revoked partition at once, instead of letting it hold a slot.
     */
    public Runnable onEnd(Lane lane, Runnable action) {
        lane.atEnd.add(action);
        if (lane.ended && lane.atEnd.remove(action)) {
            action.run();
        }
        return () -> lane.atEnd.remove(action);
    }

    /**
     * A record taken in {@code lane}, {@code bytes} of payload, is finished: its outcome published,
     * dead-lettered, or handed back.
     */
    public void leave(Lane lane, long bytes) {
        int now = lane.pending.decrementAndGet();
        long nowBytes = lane.bytes.addAndGet(-bytes);
        if (now <= share() / 2 && nowBytes <= shareBytes() / 2 && lanes.get(lane.partition) == lane
                && held.remove(lane.partition)) {
            changes.incrementAndGet();
            reconcile();
        }
    }

    /**
     * A command taken in {@code lane} is about to publish its outcome: true if it may, false if its
     * partition was revoked meanwhile (the command is then handed back unpublished, for the next owner).
     * Every true must be followed by {@link #published}. A revocation waits for the outcomes already
     * being published, so they are on the broker before the partition's next owner looks for them
     * ({@link ReplayCheck}).
     */
    public boolean publishing(Lane lane) {
        lane.publishing.incrementAndGet();
        if (lane.ended) { // the revocation may have counted nothing: do not publish behind its back
            published(lane);
            return false;
        }
        return true;
    }

    /** The outcome announced by {@link #publishing} is on the broker, or failed. */
    public void published(Lane lane) {
        if (lane.publishing.decrementAndGet() == 0 && lane.ended) {
            synchronized (publishedSignal) {
                publishedSignal.notifyAll();
            }
        }
    }

    /** A rebalance gave this replica these partitions ({@code total} assigned now): each starts a new lane. */
    public void assigned(Collection<TopicPartition> partitions, int total) {
        assigned = Math.max(1, total);
        for (TopicPartition partition : partitions) {
            lanes.compute(partition, (p, current) -> current == null || current.ended ? new Lane(p, false) : current);
        }
    }

    /**
     * A rebalance took these partitions away (or they were lost): their lanes end, their commands are
     * handed back, and (on the consumer's polling thread, up to {@link #PUBLISHING_WAIT}) the outcomes
     * already being published are waited for.
     */
    public void revoked(Collection<TopicPartition> partitions) {
        List<Lane> ended = new java.util.ArrayList<>();
        for (TopicPartition partition : partitions) {
            Lane old = lanes.put(partition, new Lane(partition, true));
            if (held.remove(partition)) {
                changes.incrementAndGet();
            }
            if (old != null) {
                old.end();
                ended.add(old);
            }
        }
        awaitPublished(ended);
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

    private Lane lane(TopicPartition partition) {
        // a partition seen before any assignment callback (a consumer without the rebalance listener) starts live
        return lanes.computeIfAbsent(partition, p -> new Lane(p, false));
    }

    /** Each partition's bound now, in records. */
    public int share() {
        return Math.max(MIN_SHARE, maxPending / Math.max(1, assigned));
    }

    /** Each partition's bound now, in payload bytes. */
    public long shareBytes() {
        return Math.max(MIN_SHARE_BYTES, maxPendingBytes / Math.max(1, assigned));
    }

    /** Payload bytes of the records polled from partitions this replica owns and not yet finished. */
    public long pendingBytes() {
        return sumOverOwned(lane -> lane.bytes.get());
    }

    /** Records polled from partitions this replica owns and not yet finished. */
    public int pending() {
        return (int) sumOverOwned(lane -> lane.pending.get());
    }

    private long sumOverOwned(java.util.function.ToLongFunction<Lane> count) {
        long total = 0;
        for (Lane lane : lanes.values()) {
            if (!lane.ended) {
                total += count.applyAsLong(lane);
            }
        }
        return total;
    }

    /** Partitions the gate holds paused now. */
    public Set<TopicPartition> held() {
        return Set.copyOf(held);
    }

    /** Applies the held set to the consumer, on its polling thread; a no-op while one is under way. */
    public void reconcile() {
        if (!reconciling.compareAndSet(false, true)) {
            return;
        }
        long seen = changes.get();
        Uni<Void> round = pollingThread.run(c -> {
            Set<TopicPartition> assignment = c.assignment();
            assigned = Math.max(1, assignment.size());
            release();
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
        });
        if (round == null) {
            reconciling.set(false);
            return;
        }
        round.subscribe().with(
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

    /**
     * Lets go of held partitions that no longer need holding: a lane ended, or a share that grew when
     * partitions were revoked. The counts themselves are never corrected here, only read.
     */
    private void release() {
        int half = share() / 2;
        long halfBytes = shareBytes() / 2;
        for (TopicPartition partition : held) {
            Lane lane = lanes.get(partition);
            if ((lane == null || lane.ended || lane.pending.get() <= half && lane.bytes.get() <= halfBytes)
                    && held.remove(partition)) {
                changes.incrementAndGet();
            }
        }
    }
}
