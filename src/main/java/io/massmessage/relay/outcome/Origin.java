package io.massmessage.relay.outcome;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The command record an outcome answers: its topic, partition and offset. Every outcome record carries
 * them as headers, as the connector's dead letters carry theirs, so a replica that takes over a partition
 * after a crash can tell which of the records it replays were already answered ({@code intake.ReplayCheck}).
 */
public record Origin(String topic, int partition, long offset) {

    public static final String TOPIC_HEADER = "relay-command-topic";
    public static final String PARTITION_HEADER = "relay-command-partition";
    public static final String OFFSET_HEADER = "relay-command-offset";

    /** The headers naming a dead letter's command record (the connector's names, which {@link DeadLetterWriter} writes too). */
    static final String[] DEAD_LETTER_HEADERS = {DeadLetterWriter.TOPIC, DeadLetterWriter.PARTITION,
            DeadLetterWriter.OFFSET};
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

    /**
     * The first header of that name: the writer's own. The relay writes its headers before any it copies,
     * as the connector does (and the relay copies none of these names from a command), so a command that
     * carries forged ones cannot make a later replay skip another command.
     */
    private static Header first(Headers headers, String name) {
        Iterator<Header> all = headers.headers(name).iterator();
        return all.hasNext() ? all.next() : null;
    }

    private static Origin read(Headers headers, String[] names) {
        Header topic = first(headers, names[0]);
        Header partition = first(headers, names[1]);
        Header offset = first(headers, names[2]);
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
