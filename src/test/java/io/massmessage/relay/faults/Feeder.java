package io.massmessage.relay.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The CRM's side: sends a load's commands at a steady rate on a thread of its own, through broker outages
 * (its producer waits up to 20 minutes for the broker and keeps order per partition with idempotence). A
 * command counts as sent only once the broker acknowledged it; those are the commands that must end.
 */
final class Feeder implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger handedOver = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stop;

    Feeder(String bootstrapServers, String topic, List<Load.Command> commands, int perSecond) {
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(TimeUnit.MINUTES.toMillis(20)),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000",
                ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(TimeUnit.MINUTES.toMillis(20)),
                ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(128L << 20)),
                new ByteArraySerializer(), new ByteArraySerializer());
        thread = new Thread(() -> {
            long start = System.nanoTime();
            for (int i = 0; i < commands.size() && !stop; i++) {
                long due = start + (perSecond <= 0 ? 0 : i * TimeUnit.SECONDS.toNanos(1) / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                Load.Command command = commands.get(i);
                producer.send(new ProducerRecord<>(topic, command.key().getBytes(StandardCharsets.UTF_8),
                        command.json().getBytes(StandardCharsets.UTF_8)), (metadata, error) -> {
                            if (error == null) {
                                acknowledged.add(command.id());
                            } else {
                                failed.incrementAndGet();
                            }
                        });
                handedOver.incrementAndGet();
            }
            producer.flush();
        }, "fault-suite-feeder");
        thread.setDaemon(true);
        thread.start();
    }

    /** Commands the broker acknowledged. */
    Set<String> acknowledged() {
        return acknowledged;
    }

    /** Commands given to the producer so far. */
    int handedOver() {
        return handedOver.get();
    }

    /** Commands the producer gave up on (the broker never acknowledged them). */
    int failed() {
        return failed.get();
    }

    /** Waits until every command was handed over and acknowledged or refused. */
    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        thread.join(unit.toMillis(timeout));
        return !thread.isAlive();
    }

    @Override
    public void close() {
        stop = true;
        producer.close(Duration.ofSeconds(10));
    }
}
