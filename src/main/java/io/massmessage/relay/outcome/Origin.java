package io.massmessage.relay.outcome;

import io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The command record an outcome answers: its topic, partition and offset. Every outcome record carries
 * them as headers, as the connector's dead letters carry theirs, so a replica that takes over a partition
 * after a crash can tell which of the records it replays were already answered ({@code flow.ReplayCheck}).
 */
public record Origin(String topic, int partition, long offset) {

    public static final String TOPIC_HEADER = "relay-command-topic";
    public static final String PARTITION_HEADER = "relay-command-partition";
    public static final String OFFSET_HEADER = "relay-command-offset";

    /** The headers the connector's dead-letter-queue strategy writes on a dead letter (its own names). */
    static final String[] DEAD_LETTER_HEADERS = {KafkaDeadLetterQueue.DEAD_LETTER_TOPIC,
        KafkaDeadLetterQueue.DEAD_LETTER_PARTITION, KafkaDeadLetterQueue.DEAD_LETTER_OFFSET};
    static final String[] OUTCOME_HEADERS = {TOPIC_HEADER, PARTITION_HEADER, OFFSET_HEADER};

    /** Writes this origin into an outcome record's headers. */
    public void writeTo(Headers headers) {
        headers.add(TOPIC_HEADER, topic.getBytes(StandardCharsets.UTF_8));
        headers.add(PARTITION_HEADER, Integer.toString(partition).getBytes(StandardCharsets.UTF_8));
        headers.add(OFFSET_HEADER, Long.toString(offset).getBytes(StandardCharsets.UTF_8));
    }

    /** The origin named by an outcome record's or a dead letter's headers, or null when they name none. */
    public static Origin of(Headers headers) {
        Origin origin = read(headers, OUTCOME_HEADERS);
        return origin != null ? origin : read(headers, DEAD_LETTER_HEADERS);
    }

    private static Origin read(Headers headers, String[] names) {
        Header topic = headers.lastHeader(names[0]);
        Header partition = headers.lastHeader(names[1]);
        Header offset = headers.lastHeader(names[2]);
        if (topic == null || partition == null || offset == null || topic.value() == null
                || partition.value() == null || offset.value() == null) {
            return null;
        }
        try {
            return new Origin(new String(topic.value(), StandardCharsets.UTF_8),
                    Integer.parseInt(new String(partition.value(), StandardCharsets.UTF_8).trim()),
                    Long.parseLong(new String(offset.value(), StandardCharsets.UTF_8).trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
