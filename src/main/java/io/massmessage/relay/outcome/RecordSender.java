package io.massmessage.relay.outcome;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends records of one of the relay's own producers from a thread of its own ({@code KafkaProducer.send} blocks
 * while it has no metadata, e.g. with the broker away: never on an event loop); each send completes once the
 * broker has the record, or fails with the producer's error.
 *
 * <p>The records handed over on a Vert.x event loop within one of its turns wake the sending thread once, at the
 * end of that turn, rather than once each: the wake-up costs a futex call on each side. Records are sent in the order they were
 * handed over, from whatever thread.
 */
public final class RecordSender<K, V> implements AutoCloseable {

    private final Producer<K, V> producer;
    private final ExecutorService thread;
    /** Sends handed over and not yet taken by the sending thread. */
    private final Queue<Handed<K, V>> waiting = new ConcurrentLinkedQueue<>();
    /** Whether an event loop will wake the sending thread at the end of its turn. */
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    /** @param name the sending thread's name */
    public RecordSender(Producer<K, V> producer, String name) {
        this.producer = producer;
        this.thread = Executors.newSingleThreadExecutor(task -> {
            Thread sending = new Thread(task, name);
            sending.setDaemon(true);
            return sending;
        });
    }

    /** Sends {@code record}; the Uni ends when the broker acknowledged it. */
    public Uni<Void> send(ProducerRecord<K, V> record) {
        return sendAt(record).replaceWithVoid();
    }

    /**
     * Sends {@code record}; the Uni ends, on the producer's I/O thread, with where the broker wrote it once it
     * acknowledged it.
     */
    public Uni<RecordMetadata> sendAt(ProducerRecord<K, V> record) {
        return Uni.createFrom().emitter(emitter -> {
            if (thread.isShutdown()) {
                emitter.fail(new RejectedExecutionException("the sender is closed"));
                return;
            }
            waiting.add(new Handed<>(record, emitter));
            Context loop = Context.isOnEventLoopThread() ? Vertx.currentContext() : null;
            if (loop == null) {
                wake();
            } else if (wakeScheduled.compareAndSet(false, true)) {
                loop.runOnContext(endOfTurn -> {
                    wakeScheduled.set(false);
                    wake();
                });
            }
        });
    }

    private void wake() {
        try {
            thread.execute(drain);
        } catch (RejectedExecutionException closed) {
            Handed<K, V> left;
            while ((left = waiting.poll()) != null) {
                left.emitter().fail(closed);
            }
        }
    }

    /** On the sending thread: sends what is waiting, in the order it was handed over. */
    private void drain() {
        Handed<K, V> next;
        while ((next = waiting.poll()) != null) {
            UniEmitter<? super RecordMetadata> emitter = next.emitter();
            try {
                producer.send(next.record(), (metadata, failure) -> {
                    if (failure != null) {
                        emitter.fail(failure);
                    } else {
                        emitter.complete(metadata);
                    }
                });
            } catch (RuntimeException e) {
                emitter.fail(e);
            }
        }
    }

    /** A record handed over, and what to tell once the broker has it. */
    private record Handed<K, V>(ProducerRecord<K, V> record, UniEmitter<? super RecordMetadata> emitter) {}

    @Override
    public void close() {
        thread.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
