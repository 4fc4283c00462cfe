package io.massmessage.relay.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.EmbeddedKafka;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bound holds where the pipeline falls behind: a real consumer with {@link PollCounter} against a
 * real broker, polled the way the connector polls it (queued actions run between polls), while the
 * records of one partition are never taken — as if the event loop were too busy to take them. That
 * partition stops at its share plus one poll, counted in records or in payload bytes; the other
 * partition's records, finished as they come, all flow; finishing enough of the first lets it go on.
 */
class PollCounterComponentTest {

    private static final int PER_PARTITION = 300;
    private static final int MAX_POLL = 10;
    private static final int LARGE = 4096;
    private static EmbeddedKafka kafka;

    /** What the gate asked to run on the polling thread, run between polls like the connector does. */
    private final Queue<Runnable> pollingThreadTasks = new ConcurrentLinkedQueue<>();
    private KafkaConsumer<byte[], byte[]> consumer;

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(1);
        kafka.createTopics(2, "small-records", "large-records");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>("small-records", partition, null, new byte[100]));
                    producer.send(new ProducerRecord<>("large-records", partition, null,
                            new byte[partition == 0 ? LARGE : 100]));
                }
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void aPartitionWhoseRecordsAreNotTakenStopsAtItsShareWhileTheOtherFlows() {
        PendingBounds gate = gate(64, 1 << 30);
        Stuck stuck = run(gate, "small-records");
        assertThat(gate.share()).isEqualTo(32);
        assertThat(stuck.polled).as("records polled from the partition nothing is taken from")
                .isGreaterThanOrEqualTo(gate.share()).isLessThanOrEqualTo(gate.share() + MAX_POLL);
        assertThat(gate.pending()).isEqualTo(stuck.polled);
        catchUp(gate, stuck, stuck.lanes.size() - gate.share() / 2);
    }

    @Test
    void largePayloadsStopAPartitionAtItsShareOfBytes() {
        PendingBounds gate = gate(4096, 2 * PendingBounds.MIN_SHARE_BYTES);
        Stuck stuck = run(gate, "large-records");
        assertThat(gate.shareBytes()).isEqualTo(PendingBounds.MIN_SHARE_BYTES);
        assertThat((long) stuck.polled * LARGE).as("bytes polled from the partition nothing is taken from")
                .isGreaterThanOrEqualTo(gate.shareBytes())
                .isLessThanOrEqualTo(gate.shareBytes() + (long) MAX_POLL * LARGE);
        assertThat(stuck.polled).as("far below the count share").isLessThan(gate.share() / 2);
        assertThat(gate.pendingBytes()).isEqualTo((long) stuck.polled * LARGE);
        catchUp(gate, stuck, stuck.lanes.size() - (int) (gate.shareBytes() / 2 / LARGE));
    }

    /** The records polled from partition 0, none of which the pipeline took. */
    private record Stuck(String topic, List<TakenRecord> lanes, int polled) {}

    private PendingBounds gate(int maxPending, long maxPendingBytes) {
        return new PendingBounds(maxPending, maxPendingBytes, new PartitionLanes(),
                action -> Uni.createFrom().emitter(done -> pollingThreadTasks.add(() -> {
                    action.accept(consumer);
                    done.complete(null);
                })));
    }

    /** Polls both partitions of {@code topic}, finishing partition 1's records at once and none of partition 0's. */
    private Stuck run(PendingBounds gate, String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(MAX_POLL));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, PollCounter.class.getName());
        config.put(PollCounter.BOUNDS, gate);
        consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        TopicPartition stuck = new TopicPartition(topic, 0);
        TopicPartition flowing = new TopicPartition(topic, 1);
        consumer.assign(List.of(stuck, flowing));
        gate.assigned(2);
        List<TakenRecord> notTaken = new ArrayList<>();
        int[] polled = new int[2];
        pollUntil(() -> polled[1] == PER_PARTITION, record -> {
            polled[record.partition()]++;
            TakenRecord lane = gate.take(new TopicPartition(record.topic(), record.partition()), record.offset(),
                    record.serializedValueSize());
            if (record.partition() == 0) {
                notTaken.add(lane); // the pipeline never gets to it
            } else {
                lane.finish(); // taken and finished at once
            }
        });
        assertThat(polled[1]).as("the other partition flows").isEqualTo(PER_PARTITION);
        assertThat(gate.held()).containsExactly(stuck);
        assertThat(consumer.paused()).containsExactly(stuck);
        return new Stuck(topic, notTaken, polled[0]);
    }

    /** The pipeline finishes {@code finished} of the stuck records: the partition goes on to its end. */
    private void catchUp(PendingBounds gate, Stuck stuck, int finished) {
        try (KafkaConsumer<byte[], byte[]> polling = consumer) {
            stuck.lanes.subList(0, finished).forEach(TakenRecord::finish);
            int[] polled = {stuck.polled};
            pollUntil(() -> polled[0] == PER_PARTITION, record -> {
                if (record.partition() == 0) {
                    polled[0]++;
                }
                gate.take(new TopicPartition(record.topic(), record.partition()), record.offset(),
                        record.serializedValueSize())
                        .finish();
            });
            assertThat(polled[0]).isEqualTo(PER_PARTITION);
            assertThat(polling.paused()).isEmpty();
            stuck.lanes.subList(finished, stuck.lanes.size()).forEach(TakenRecord::finish);
            assertThat(gate.pending()).isZero();
            assertThat(gate.pendingBytes()).isZero();
        }
    }

    /** Polls, hands each record to {@code take} and runs the gate's queued actions, until {@code done} (at most 300 polls). */
    private void pollUntil(BooleanSupplier done, Consumer<ConsumerRecord<byte[], byte[]>> take) {
        for (int round = 0; round < 300 && !done.getAsBoolean(); round++) {
            pollOnce(take);
        }
        // a few more polls: had the stuck partition not been paused, these would have taken more of it
        for (int round = 0; round < 5; round++) {
            pollOnce(take);
        }
    }

    private void pollOnce(Consumer<ConsumerRecord<byte[], byte[]>> take) {
        consumer.poll(Duration.ofMillis(50)).forEach(take);
        for (Runnable task; (task = pollingThreadTasks.poll()) != null;) {
            task.run();
        }
    }
}
