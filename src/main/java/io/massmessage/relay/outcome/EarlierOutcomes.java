package io.massmessage.relay.outcome;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.config.KafkaClientSettings;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads back an outcome record the relay published earlier, to publish it again for a command whose id it
 * answered (idempotency, CONTRACT §2). Duplicates are rare, so one consumer on one thread of its own serves them
 * all, off the event loop; a record it cannot read within {@link #MAX_WAIT} (gone with the topic's retention, or
 * the broker away) reads as empty.
 */
@ApplicationScoped
public class EarlierOutcomes {

    private static final Logger LOG = Logger.getLogger(EarlierOutcomes.class);
    static final Duration MAX_WAIT = Duration.ofSeconds(10);

    private final Map<String, Object> kafka;
    private final ObjectMapper mapper;
    private final ExecutorService reading = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "relay-earlier-outcomes");
        thread.setDaemon(true);
        return thread;
    });
    /** Used on {@link #reading} only. */
    private KafkaConsumer<byte[], byte[]> consumer;

    @Inject
    public EarlierOutcomes(@Identifier("default-kafka-broker") Map<String, Object> kafka, ObjectMapper mapper) {
        this.kafka = kafka;
        this.mapper = mapper;
    }

    /**
     * The JSON object of the record at {@code at}, the outcome of command {@code commandId}; empty when it cannot be
     * read, or when the record there is another command's (its topic was deleted and created again since).
     */
    public Uni<Optional<ObjectNode>> read(RecordRef at, String commandId) {
        return Uni.createFrom().item(() -> readNow(at, commandId)).runSubscriptionOn(reading);
    }

    private Optional<ObjectNode> readNow(RecordRef at, String commandId) {
        try {
            KafkaConsumer<byte[], byte[]> reader = consumer();
            TopicPartition partition = new TopicPartition(at.topic(), at.partition());
            reader.assign(List.of(partition));
            reader.seek(partition, at.offset());
            long until = System.nanoTime() + MAX_WAIT.toNanos();
            while (System.nanoTime() < until) {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    if (record.offset() > at.offset()) {
                        return Optional.empty(); // compacted away or never there
                    }
                    if (record.offset() == at.offset()) {
                        JsonNode value = record.value() == null ? null : mapper.readTree(record.value());
                        return value instanceof ObjectNode object && commandId.equals(object.path("commandId").asText())
                                ? Optional.of(object)
                                : Optional.empty();
                    }
                }
            }
            LOG.warnf("outcome record %s could not be read within %d s", at, MAX_WAIT.toSeconds());
            return Optional.empty();
        } catch (OffsetOutOfRangeException gone) {
            return Optional.empty(); // before the log's start (retention) or past its end (the topic made anew)
        } catch (Exception e) {
            LOG.warnf("outcome record %s could not be read back (%s)", at, e.toString());
            closeConsumer();
            return Optional.empty();
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        if (consumer == null) {
            Map<String, Object> props = KafkaClientSettings.shared(kafka);
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mass-message-relay-earlier-outcomes");
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"); // a record gone is an error, not a rewind
            props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
            consumer = new KafkaConsumer<>(props);
        }
        return consumer;
    }

    private void closeConsumer() {
        if (consumer != null) {
            try {
                consumer.close(Duration.ofSeconds(1));
            } catch (RuntimeException ignored) {
                // closing a broken consumer: nothing more to do
            }
            consumer = null;
        }
    }

    @PreDestroy
    void close() {
        reading.submit(this::closeConsumer);
        reading.shutdown();
    }
}
