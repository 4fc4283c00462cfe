package io.massmessage.relay.intake;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;

/**
 * Counts each poll's records against their partition's share in the {@link PendingBounds}, on the
 * consumer's polling thread, before the connector queues them for the pipeline. Kafka creates it from
 * {@code interceptor.classes}; the bounds reach it through the consumer's configuration under
 * {@link #BOUNDS} (both put there by {@code config.CommandConsumerCustomizer}). Records pass unchanged.
 */
public final class PollCounter implements ConsumerInterceptor<Object, Object> {

    /** The consumer configuration entry holding the {@link PendingBounds} instance. */
    public static final String BOUNDS = "relay.pending-bounds";

    private PendingBounds bounds;

    @Override
    public void configure(Map<String, ?> configs) {
        if (!(configs.get(BOUNDS) instanceof PendingBounds configured)) {
            throw new ConfigException(BOUNDS, configs.get(BOUNDS),
                    PollCounter.class.getName() + " needs the relay's PendingBounds instance under this key");
        }
        bounds = configured;
    }

    @Override
    public ConsumerRecords<Object, Object> onConsume(ConsumerRecords<Object, Object> records) {
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<Object, Object>> polled = records.records(partition);
            long bytes = 0;
            for (ConsumerRecord<Object, Object> record : polled) {
                bytes += payloadBytes(record.serializedValueSize());
            }
            bounds.polled(partition, polled.size(), bytes);
        }
        return records;
    }

    /** The payload bytes a record counts with: its value's size (a null value counts none). */
    public static long payloadBytes(int valueSize) {
        return Math.max(0, valueSize);
    }

    @Override
    public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        // commits change nothing here: a record leaves its bound when its command finishes
    }

    @Override
    public void close() {
        // nothing held
    }
}
