package io.massmessage.relay.intake;

import io.massmessage.relay.config.KafkaClientSettings;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.outcome.Origin;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Recognises replayed records that an earlier owner of their partition already answered.
 *
 * <p>Offsets commit as a contiguous prefix, every 200 ms, so when a replica dies (or a rebalance moves a
 * partition) the records after the committed offset are processed again, also those whose outcome the
 * earlier owner had published. At each assignment this check reads the outcome and dead-letter topics
 * from the time of the first uncommitted record ({@link Origin}: every outcome and dead letter names the
 * command record it answers) and remembers which of the replayed offsets already have an answer; the
 * pipeline acknowledges those without a provider call and without a second outcome.
 *
 * <p>Order per message stays safe even when the check saw only part of the answers: once a command of a
 * message is processed again in a replay, its later commands are processed again too, never skipped.
 * Anything that goes wrong here leaves the records to be processed again, as plain at-least-once would.
 *
 * <p>A replayed command whose earlier answer was {@code succeeded} is told apart ({@link Earlier#APPLIED}): its
 * update reached the provider, and the stale guard's record of it, written beside that outcome, may not have
 * landed before the crash, so the pipeline records it again before it acknowledges the command.
 */
@ApplicationScoped
public class ReplayCheck {

    private static final Logger LOG = Logger.getLogger(ReplayCheck.class);

    private final RelayConfig.ReplayCheck config;
    private final Map<String, Object> kafka;
    private final String commandTopic;
    private final String succeededTopic;
    private final List<String> answerTopics;
    private final Map<TopicPartition, Replay> replays = new ConcurrentHashMap<>();

    @Inject
    public ReplayCheck(RelayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = "mp.messaging.incoming.commands.topic") String commandTopic,
            @ConfigProperty(name = "mp.messaging.incoming.commands.dead-letter-queue.topic") String deadLetter) {
        this(config.replayCheck(), kafka, commandTopic, config.topics().succeeded(),
                List.of(config.topics().failed(), config.topics().rateLimited(), deadLetter));
    }

    /** {@code otherAnswers}: the topics of the answers other than {@code succeeded} (failed, rate-limited, dead letters). */
    ReplayCheck(RelayConfig.ReplayCheck config, Map<String, Object> kafka, String commandTopic, String succeededTopic,
            List<String> otherAnswers) {
        this.config = config;
        this.kafka = kafka;
        this.commandTopic = commandTopic;
        this.succeededTopic = succeededTopic;
        List<String> topics = new ArrayList<>(List.of(succeededTopic));
        topics.addAll(otherAnswers);
        this.answerTopics = List.copyOf(topics);
    }

    /** What an earlier owner answered for a replayed record. */
    public enum Earlier {
        /** Nothing the replay may skip: the record is processed (again). */
        NOTHING,
        /** An outcome other than {@code succeeded}, or a dead letter: acknowledged as it is. */
        ANSWERED,
        /** An outcome {@code succeeded}: its update was applied, which the stale guard must know. */
        APPLIED
    }

    /**
     * The offsets of one partition being replayed, {@code [from, to)}, and those already answered (sorted).
     * {@code to} is one past the last answered offset: after it there is nothing to skip, so the replay
     * (and its set of messages processed again) ends there, and its memory is bounded by the answered
     * offsets, not by the backlog behind them.
     */
    record Replay(long from, long to, long[] answered, long[] applied, Set<String> rerun) {
        boolean isAnswered(long offset) {
            return Arrays.binarySearch(answered, offset) >= 0;
        }

        boolean isApplied(long offset) {
            return Arrays.binarySearch(applied, offset) >= 0;
        }
    }

    /**
     * Called on the consumer's polling thread when partitions are assigned, before any of their records
     * is polled: finds which records after each committed offset already have an answer on the broker.
     */
    public void assigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (!config.enabled() || partitions.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        try {
            Set<TopicPartition> assigned = new HashSet<>(partitions);
            Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(assigned, Duration.ofSeconds(10));
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, Duration.ofSeconds(10));
            // No committed offset does not mean nothing was answered: an earlier owner may have published outcomes
            // and been killed before its first commit. The consumer then starts at the beginning (earliest).
            Set<TopicPartition> uncommitted = new HashSet<>();
            assigned.forEach(partition -> {
                if (committed.get(partition) == null) {
                    uncommitted.add(partition);
                }
            });
            Map<TopicPartition, Long> beginnings = uncommitted.isEmpty() ? Map.of()
                    : consumer.beginningOffsets(uncommitted, Duration.ofSeconds(10));
            Map<TopicPartition, long[]> ranges = new HashMap<>();
            for (TopicPartition partition : assigned) {
                OffsetAndMetadata commit = committed.get(partition);
                Long from = commit != null ? Long.valueOf(commit.offset()) : beginnings.get(partition);
                Long to = ends.get(partition);
                if (from != null && to != null && from < to) {
                    ranges.put(partition, new long[]{from, to});
                }
            }
            if (ranges.isEmpty()) {
                return;
            }
            try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(readerConfig())) {
                Long first = firstTimestamp(reader, ranges);
                if (first == null) {
                    return;
                }
                Map<TopicPartition, Set<Long>> answered = new HashMap<>();
                Map<TopicPartition, Set<Long>> applied = new HashMap<>();
                Scan scan = scan(reader, first - config.clockSkew().toMillis(), ranges, answered, applied, started);
                long replayed = 0;
                long skippable = 0;
                for (Map.Entry<TopicPartition, long[]> range : ranges.entrySet()) {
                    long[] offsets = sorted(answered.get(range.getKey()));
                    replayed += range.getValue()[1] - range.getValue()[0];
                    skippable += offsets.length;
                    if (offsets.length > 0) {
                        replays.put(range.getKey(), new Replay(range.getValue()[0], offsets[offsets.length - 1] + 1,
                                offsets, sorted(applied.get(range.getKey())), ConcurrentHashMap.newKeySet()));
                    }
                }
                LOG.infof(
                        "replay check: %d records to replay on %s, %d of them already answered (%d outcome and dead-letter "
                                + "records read%s, %d ms)",
                        replayed, ranges.keySet(), skippable, scan.read(),
                        scan.complete() ? "" : ", stopped at relay.replay-check limits",
                        (System.nanoTime() - started) / 1_000_000);
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "replay check failed for %s: their replayed records are processed again (at-least-once)",
                    partitions);
        }
    }

    /** The offsets, sorted, for binary search; none for {@code null}. */
    private static long[] sorted(Set<Long> offsets) {
        return offsets == null ? new long[0] : offsets.stream().mapToLong(Long::longValue).sorted().toArray();
    }

    /** Forgets the replays of partitions taken away. */
    public void revoked(Collection<TopicPartition> partitions) {
        partitions.forEach(replays::remove);
    }

    /**
     * Whether the record at {@code offset} was answered by an earlier owner and can be acknowledged as it
     * is. {@code messageKey} is its command's message (null for a record that is not a valid command): a
     * command is not skipped once an earlier command of its message is being processed again.
     */
    public boolean alreadyAnswered(TopicPartition partition, long offset, String messageKey) {
        return earlier(partition, offset, messageKey) != Earlier.NOTHING;
    }

    /**
     * What an earlier owner of the partition answered for the record at {@code offset}, as
     * {@link #alreadyAnswered} decides it, telling a {@code succeeded} outcome apart.
     */
    public Earlier earlier(TopicPartition partition, long offset, String messageKey) {
        Replay replay = replays.get(partition);
        if (replay == null || offset < replay.from()) {
            return Earlier.NOTHING;
        }
        if (offset >= replay.to()) {
            replays.remove(partition, replay); // the replay is over
            return Earlier.NOTHING;
        }
        if (replay.isAnswered(offset) && (messageKey == null || !replay.rerun().contains(messageKey))) {
            return replay.isApplied(offset) ? Earlier.APPLIED : Earlier.ANSWERED;
        }
        if (messageKey != null) {
            replay.rerun().add(messageKey);
        }
        return Earlier.NOTHING;
    }

    /** Partitions with a replay in progress (for tests and logs). */
    Map<TopicPartition, Replay> replays() {
        return Map.copyOf(replays);
    }

    private Map<String, Object> readerConfig() {
        Map<String, Object> props = KafkaClientSettings.shared(kafka);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mass-message-relay-replay-check");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        // small fetches: this runs beside the relay's own work in a 128 MB heap
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 * 1024 * 1024);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 512 * 1024);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    /** The earliest timestamp of the first uncommitted record of each replayed partition, or null if none could be read. */
    private Long firstTimestamp(KafkaConsumer<byte[], byte[]> reader, Map<TopicPartition, long[]> ranges) {
        reader.assign(ranges.keySet());
        ranges.forEach((partition, range) -> reader.seek(partition, range[0]));
        Set<TopicPartition> missing = new HashSet<>(ranges.keySet());
        Long first = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                if (missing.remove(partition)) {
                    first = first == null ? record.timestamp() : Math.min(first, record.timestamp());
                    reader.pause(List.of(partition));
                }
            }
        }
        return first;
    }

    record Scan(long read, boolean complete) {}

    private Scan scan(KafkaConsumer<byte[], byte[]> reader, long since, Map<TopicPartition, long[]> ranges,
            Map<TopicPartition, Set<Long>> answered, Map<TopicPartition, Set<Long>> applied, long started) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : answerTopics) {
            List<PartitionInfo> infos = reader.partitionsFor(topic, Duration.ofSeconds(10));
            if (infos != null) {
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
        }
        reader.assign(partitions);
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(partition -> times.put(partition, Math.max(0, since)));
        Map<TopicPartition, OffsetAndTimestamp> starts = reader.offsetsForTimes(times, Duration.ofSeconds(10));
        Map<TopicPartition, Long> ends = reader.endOffsets(partitions, Duration.ofSeconds(10));
        Map<TopicPartition, Long> remaining = new HashMap<>();
        for (TopicPartition partition : partitions) {
            OffsetAndTimestamp start = starts.get(partition);
            long end = ends.getOrDefault(partition, 0L);
            if (start != null && start.offset() < end) {
                reader.seek(partition, start.offset());
                remaining.put(partition, end);
            }
        }
        reader.pause(partitions.stream().filter(p -> !remaining.containsKey(p)).toList());
        reader.resume(remaining.keySet());
        long read = 0;
        long deadline = started + config.maxTime().toNanos();
        while (!remaining.isEmpty()) {
            if (read >= config.maxRecords() || System.nanoTime() > deadline) {
                return new Scan(read, false);
            }
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                read++;
                Origin origin = Origin.of(record.headers());
                if (origin != null && origin.topic().equals(commandTopic)) {
                    TopicPartition source = new TopicPartition(origin.topic(), origin.partition());
                    long[] range = ranges.get(source);
                    if (range != null && origin.offset() >= range[0] && origin.offset() < range[1]) {
                        answered.computeIfAbsent(source, p -> new HashSet<>()).add(origin.offset());
                        if (record.topic().equals(succeededTopic)) {
                            applied.computeIfAbsent(source, p -> new HashSet<>()).add(origin.offset());
                        }
                    }
                }
            }
            remaining.entrySet().removeIf(entry -> reader.position(entry.getKey()) >= entry.getValue());
            reader.pause(partitions.stream().filter(p -> !remaining.containsKey(p)).toList());
        }
        return new Scan(read, true);
    }
}
