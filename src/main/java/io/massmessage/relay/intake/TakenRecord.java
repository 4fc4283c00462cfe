package io.massmessage.relay.intake;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A record the pipeline took, in the lane of its partition it was taken in. Its steps cannot run out of order:
 * {@link #publish} announces a write to a revocation and ends the announcement itself, and {@link #finish} counts
 * the record out of its partition's bound once, however often it is called.
 */
public final class TakenRecord {

    private final PendingBounds bounds;
    private final PartitionLanes lanes;
    private final Lane lane;
    private final long offset;
    private final long bytes;
    private final AtomicBoolean finished = new AtomicBoolean();

    TakenRecord(PendingBounds bounds, PartitionLanes lanes, Lane lane, long offset, long bytes) {
        this.bounds = bounds;
        this.lanes = lanes;
        this.lane = lane;
        this.offset = offset;
        this.bytes = bytes;
    }

    /** Whether this replica still owns the partition in the lane the record was taken in. */
    public boolean owned() {
        return lanes.owns(lane);
    }

    /**
     * Runs {@code action} when a rebalance takes the record's partition away (at once if it already has); returns
     * what removes the registration. The pipeline uses it to end a command waiting for budget on a revoked
     * partition at once, instead of letting it hold a slot.
     */
    public Runnable onRevoked(Runnable action) {
        return lane.onEnd(action);
    }

    /**
     * Writes what answers the record (its outcome or dead letter) with {@code write}, while a revocation of its
     * partition waits for it; fails with {@link HandedBackException}, without writing, if the partition was
     * revoked before.
     */
    public <T> Uni<T> publish(Supplier<Uni<T>> write) {
        return Uni.createFrom().deferred(() -> {
            if (!lanes.publishing(lane)) {
                return Uni.createFrom().failure(new HandedBackException("record " + lane.partition + "@" + offset));
            }
            Uni<T> writing;
            try {
                writing = write.get();
            } catch (RuntimeException e) {
                lanes.published(lane);
                throw e;
            }
            return writing.onTermination().invoke(() -> lanes.published(lane));
        });
    }

    /** The record is finished (answered, dead-lettered or handed back): it leaves its partition's bound, once. */
    public void finish() {
        if (finished.compareAndSet(false, true)) {
            bounds.left(lane, bytes);
        }
    }
}
