package io.massmessage.relay.outcome;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

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
        return Uni.createFrom().completionStage(() -> {
            CompletableFuture<Void> sent = new CompletableFuture<>();
            try {
                thread.execute(() -> {
                    try {
                        producer.send(record, (metadata, failure) -> {
                            if (failure != null) {
                                sent.completeExceptionally(failure);
                            } else {
                                sent.complete(null);
                            }
                        });
                    } catch (RuntimeException e) {
                        sent.completeExceptionally(e);
                    }
                });
            } catch (RuntimeException rejected) {
                sent.completeExceptionally(rejected);
            }
            return sent;
        });
    }

    @Override
    public void close() {
        thread.shutdown();
        producer.close(Duration.ofSeconds(5));
    }
}
