package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.testing.EmbeddedKafka;
import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
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
 * partition stops at its share plus one poll; the other partition's records, finished as they come,
 * all flow; finishing half of the first lets it go on.
 */
class PollCounterComponentTest {

    private static final String TOPIC = "poll-counter-test";
    private static final int PER_PARTITION = 300;
    private static final int MAX_POLL = 10;
    private static EmbeddedKafka kafka;

    private final TopicPartition stuck = new TopicPartition(TOPIC, 0);
    private final TopicPartition flowing = new TopicPartition(TOPIC, 1);
    /** What the gate asked to run on the polling thread, run between polls like the connector does. */
    private final Queue<Runnable> pollingThreadTasks = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void broker() {
        kafka = EmbeddedKafka.start(1);
        kafka.createTopics(2, TOPIC);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int partition = 0; partition < 2; partition++) {
                for (int i = 0; i < PER_PARTITION; i++) {
                    producer.send(new ProducerRecord<>(TOPIC, partition, null, ("r" + i).getBytes(StandardCharsets.UTF_8)));
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
        PartitionGate gate = new PartitionGate(64, action -> Uni.createFrom().emitter(done -> {
            pollingThreadTasks.add(() -> {
                action.accept(current);
                done.complete(null);
            });
        }));
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(MAX_POLL));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG, PollCounter.class.getName());
        config.put(PollCounter.GATE, gate);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            current = consumer;
            consumer.assign(List.of(stuck, flowing));
            gate.assigned(List.of(stuck, flowing), 2);
            assertThat(gate.share()).isEqualTo(32);
            List<PartitionGate.Lane> notTaken = new ArrayList<>();
            int[] polled = new int[2];

            pollUntil(consumer, () -> polled[1] == PER_PARTITION, record -> {
                polled[record.partition()]++;
                PartitionGate.Lane lane = gate.take(new TopicPartition(record.topic(), record.partition()));
                if (record.partition() == 0) {
                    notTaken.add(lane); // the pipeline never gets to it
                } else {
                    gate.leave(lane); // taken and finished at once
                }
            });
            assertThat(polled[1]).as("the other partition flows").isEqualTo(PER_PARTITION);
            assertThat(polled[0]).as("polled from the partition nothing is taken from")
                    .isGreaterThanOrEqualTo(gate.share()).isLessThanOrEqualTo(gate.share() + MAX_POLL);
            assertThat(gate.held()).containsExactly(stuck);
            assertThat(consumer.paused()).containsExactly(stuck);
            assertThat(gate.pending()).isEqualTo(polled[0]);

            // The pipeline catches up: finishing down to half the share lets the partition go on.
            int toHalf = notTaken.size() - gate.share() / 2;
            notTaken.subList(0, toHalf).forEach(gate::leave);
            notTaken.subList(0, toHalf).clear();
            pollUntil(consumer, () -> polled[0] == PER_PARTITION, record -> {
                polled[record.partition()]++;
                gate.leave(gate.take(new TopicPartition(record.topic(), record.partition())));
            });
            assertThat(polled[0]).isEqualTo(PER_PARTITION);
            notTaken.forEach(gate::leave);
            assertThat(gate.pending()).isZero();
        }
    }

    private Consumer<?, ?> current;

    /** Polls, hands each record to {@code take} and runs the gate's queued actions, until {@code done} (at most 300 polls). */
    private void pollUntil(KafkaConsumer<byte[], byte[]> consumer, BooleanSupplier done,
            java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> take) {
        for (int round = 0; round < 300 && !done.getAsBoolean(); round++) {
            consumer.poll(Duration.ofMillis(50)).forEach(take);
            for (Runnable task; (task = pollingThreadTasks.poll()) != null; ) {
                task.run();
            }
        }
        // a few more polls: had the stuck partition not been paused, these would have taken more of it
        for (int round = 0; round < 5; round++) {
            consumer.poll(Duration.ofMillis(50)).forEach(take);
            for (Runnable task; (task = pollingThreadTasks.poll()) != null; ) {
                task.run();
            }
        }
    }
}
