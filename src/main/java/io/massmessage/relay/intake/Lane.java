package io.massmessage.relay.intake;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;

/**
 * One partition's ownership epoch: the records polled in it and not finished, the outcomes of its commands being
 * published now, and what runs when it ends. Whatever a lane still counts when a rebalance ends it dies with it,
 * instead of being subtracted from the next owner's count.
 */
final class Lane {

    final TopicPartition partition;
    final AtomicInteger pending = new AtomicInteger();
    final AtomicLong bytes = new AtomicLong();
    final AtomicInteger publishing = new AtomicInteger();
    private final Set<Runnable> atEnd = ConcurrentHashMap.newKeySet();
    private volatile boolean ended;

    Lane(TopicPartition partition, boolean ended) {
        this.partition = partition;
        this.ended = ended;
    }

    boolean ended() {
        return ended;
    }

    /** Runs {@code action} when the lane ends (at once if it has); returns what removes the registration. */
    Runnable onEnd(Runnable action) {
        atEnd.add(action);
        if (ended && atEnd.remove(action)) {
            action.run();
        }
        return () -> atEnd.remove(action);
    }

    void end() {
        ended = true;
        for (Runnable action : List.copyOf(atEnd)) {
            if (atEnd.remove(action)) {
                action.run();
            }
        }
    }
}
