package io.massmessage.relay.intake;

import io.smallrye.mutiny.Uni;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Back-pressure: bounds the records polled from each partition and not yet finished, in number and in payload
 * bytes, and pauses exactly the partitions at their bound, so one account whose commands wait for its budget
 * holds back only its own partition while every other partition keeps flowing. Each assigned partition may have
 * {@code max-pending / assigned partitions} records pending (at least {@link #MIN_SHARE}) and
 * {@code max-pending-bytes / assigned partitions} bytes of them; it is paused when it reaches either share and
 * resumed when it is at half of both.
 *
 * <p>Records are counted when the consumer polls them ({@link PollCounter}, on the polling thread), not when the
 * pipeline takes them: the connector's queue between the two is unbounded, so a busy event loop would otherwise
 * let a deep backlog pile up in memory past the bound. A partition found at its share is paused before the
 * consumer's next poll (the pause is queued on the polling thread from inside the poll that counted it), so a
 * partition's share is exceeded by at most that poll's records of it: one fetch, {@code max.partition.fetch.bytes}.
 *
 * <p>The consumer keeps polling while partitions are paused, so it stays in its group. Pausing is reconciled on
 * the consumer's polling thread whenever the set changes and twice a second: Kafka forgets pauses of partitions
 * it reassigns, and the reconcile puts them back. The connector's own whole-assignment pausing is off
 * ({@code pause-if-no-requests=false}), since its resume would resume these partitions too. The counts live in
 * the partitions' lanes ({@link PartitionLanes}), so what a revoked partition still counts ends with it.
 */
public final class PendingBounds {

    /** No partition's share of pending records is smaller than this. */
    public static final int MIN_SHARE = 16;
    /** No partition's share of pending bytes is smaller than this (a default fetch of one partition). */
    public static final long MIN_SHARE_BYTES = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(PendingBounds.class);

    /** Runs an action on the consumer's polling thread; {@code null} while there is no consumer. */
    @FunctionalInterface
    public interface PollingThread {
        Uni<Void> run(Consumer<org.apache.kafka.clients.consumer.Consumer<?, ?>> action);
    }

    private final int maxPending;
    private final long maxPendingBytes;
    private final PartitionLanes lanes;
    private final PollingThread pollingThread;
    private final Set<TopicPartition> held = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean reconciling = new AtomicBoolean();
    private final AtomicLong changes = new AtomicLong();
    private volatile int assigned = 1;

    public PendingBounds(int maxPending, long maxPendingBytes, PartitionLanes lanes, PollingThread pollingThread) {
        this.maxPending = maxPending;
        this.maxPendingBytes = maxPendingBytes;
        this.lanes = lanes;
        this.pollingThread = pollingThread;
    }

    /** The consumer polled {@code records} records of {@code partition}, {@code bytes} of payload (on its polling thread). */
    public void polled(TopicPartition partition, int records, long bytes) {
        Lane lane = lanes.current(partition);
        int now = lane.pending.addAndGet(records);
        long nowBytes = lane.bytes.addAndGet(bytes);
        if ((now >= share() || nowBytes >= shareBytes()) && !lane.ended() && held.add(partition)) {
            changes.incrementAndGet();
            reconcile();
        }
    }

    /**
     * The pipeline takes the record of {@code partition} at {@code offset}, {@code payloadSize} bytes (-1 for a null
     * payload), counted when it was polled: the handle through which it asks whether its partition is still owned,
     * publishes, and finishes.
     */
    public TakenRecord take(TopicPartition partition, long offset, int payloadSize) {
        return new TakenRecord(this, lanes, lanes.current(partition), offset, PollCounter.payloadBytes(payloadSize));
    }

    /** A record counted in {@code lane}, {@code bytes} of payload, is finished. */
    void left(Lane lane, long bytes) {
        int now = lane.pending.decrementAndGet();
        long nowBytes = lane.bytes.addAndGet(-bytes);
        if (now <= share() / 2 && nowBytes <= shareBytes() / 2 && lanes.owns(lane) && held.remove(lane.partition)) {
            changes.incrementAndGet();
            reconcile();
        }
    }

    /** A rebalance left this replica {@code total} partitions: the shares follow. */
    public void assigned(int total) {
        assigned = Math.max(1, total);
    }

    /** A rebalance took these partitions away: they are no longer held. */
    public void revoked(Collection<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            if (held.remove(partition)) {
                changes.incrementAndGet();
            }
        }
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
        return lanes.sumOverOwned(lane -> lane.bytes.get());
    }

    /** Records polled from partitions this replica owns and not yet finished. */
    public int pending() {
        return (int) lanes.sumOverOwned(lane -> lane.pending.get());
    }

    /** Partitions held paused now. */
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
            letGo();
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
     * Lets go of held partitions that no longer need holding: a lane ended, or a share that grew when partitions
     * were revoked. The counts themselves are never corrected here, only read.
     */
    private void letGo() {
        int half = share() / 2;
        long halfBytes = shareBytes() / 2;
        for (TopicPartition partition : held) {
            if (lanes.endedOrAtMost(partition, half, halfBytes) && held.remove(partition)) {
                changes.incrementAndGet();
            }
        }
    }
}
