package io.massmessage.relay.outcome;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Sends records of one of the relay's own producers from a thread of its own ({@code KafkaProducer.send} blocks
 * while it has no metadata, e.g. with the broker away: never on an event loop); each send completes once the
 * broker has the record, or fails with the producer's error.
 */
public final class RecordSender<K, V> implements AutoCloseable {

    private final Producer<K, V> producer;
    private final ExecutorService thread;

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
            try {
                thread.execute(() -> {
                    try {
                        producer.send(record, (metadata, failure) -> {
                            if (failure != null) {
                                emitter.fail(failure);
                            } else {
                                emitter.complete(metadata);
                            }
                        });
                    } catch (RuntimeException e) {
                        emitter.fail(e);
                    }
                });
            } catch (RuntimeException rejected) {
                emitter.fail(rejected);
            }
        });
    }

    @Override
    public void close() {
        thread.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
