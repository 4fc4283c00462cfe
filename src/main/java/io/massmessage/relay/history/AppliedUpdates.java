package io.massmessage.relay.history;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.command.Rfc3339;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.KafkaClientSettings;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.outcome.Backoff;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.outcome.OutcomeSender;
import io.massmessage.relay.outcome.RecordRef;
import io.massmessage.relay.provider.ErrorCategory;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.jboss.logging.Logger;

/**
 * The stale-update guard's memory: for each message, the newest {@code issuedAt} of an update the relay applied
 * to it (CONTRACT §2). A command older than that is not sent ({@link #newerApplied}); a command applied is
 * recorded ({@link #applied}) in a compacted topic of the relay's own, keyed by the message and written to the
 * command's partition number, beside its outcome (both sent at once; a crash between the two replays a command
 * the guard knows, or one whose outcome {@code succeeded}, which the replay records here again). When a partition
 * is assigned its memory is read back from that topic ({@link #assigned}, on the consumer's polling thread, before
 * the partition's first poll), so the guard holds across restarts and rebalances. Entries older than
 * {@code relay.stale-guard.retention} are forgotten, which bounds the memory by the messages updated within it.
 *
 * <p>The relay's answers for idempotency (CONTRACT §2, {@code relay.idempotency.*}) have a topic of their own: a
 * command that ended {@code succeeded}, or {@code failed} for good, is recorded with the outcome record that
 * answered it ({@link #answered}), in records of answers keyed {@value #COMMAND_KEY}{@code <first commandId>}
 * (one per write, carrying every id of its partition answered while the previous write was on its way), after that
 * outcome is on the broker (its offset is known only then; a crash in between replays the command, which
 * {@code intake.ReplayCheck} recognises as answered). A later command with that id is answered with that record
 * again ({@link #answeredBefore}). Kept per command partition for {@code relay.idempotency.window}, at most
 * {@code relay.idempotency.max-commands} per replica, shared evenly by the partitions it owns. The topic is deleted
 * after the window, and an assignment reads back only its partition's newest records, as many as the partition's
 * share of ids (each record carries one id or more): what is read back is bounded by that share, however long the
 * relay has been running.
 */
@ApplicationScoped
public class AppliedUpdates {

    private static final Logger LOG = Logger.getLogger(AppliedUpdates.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A message's newest applied {@code issuedAt} and when it was recorded (both epoch ms). */
    record Applied(long issuedAtMs, long recordedAtMs) {}

    /** What one assignment read back: entries kept, records read, how long it took. */
    public record Rebuild(int partitions, long records, int messages, long millis, boolean complete) {}

    /** The key prefix of an answered command's record; a message key never starts so (its provider's name does). */
    static final String COMMAND_KEY = "command:";

    /**
     * How a command ended for good: the outcome record that answered it, that outcome's name and category, when it
     * was recorded (epoch ms), and the command's {@link UpdateCommand#identity()} (0 when a record written before
     * identities did not carry one: any command with the id matches it).
     */
    public record Answered(RecordRef record, String outcome, String category, long recordedAtMs, long identity) {
        /** Whether {@code command}, which has the id this answered, is the command it answered. */
        boolean answers(UpdateCommand command) {
            return identity == 0 || identity == command.identity();
        }
    }

    /** The answered ids of one partition, oldest first, at most the partition's share ({@link #share}). */
    private final class AnsweredIds {
        private final LinkedHashMap<String, Answered> ids = new LinkedHashMap<>(16, 0.75f, false);
        private long forgotten;

        synchronized Answered get(String commandId) {
            return ids.get(commandId);
        }

        synchronized void put(String commandId, Answered answered) {
            ids.remove(commandId); // a newer answer of the same id goes to the end: it is the youngest
            ids.put(commandId, answered);
            for (var oldest = ids.values().iterator(); ids.size() > share; forgotten++) {
                oldest.next();
                oldest.remove();
            }
        }

        synchronized int size() {
            return ids.size();
        }

        synchronized long forgotten() {
            return forgotten;
        }

        synchronized void removeOlderThan(long oldest) {
            ids.values().removeIf(answered -> answered.recordedAtMs() < oldest);
        }
    }

    private final RelayConfig.StaleGuard config;
    private final RelayConfig.Idempotency ids;
    private final Map<Integer, AnsweredIds> answeredByPartition = new ConcurrentHashMap<>();
    private final AtomicLong forgottenIds = new AtomicLong();
    private final AtomicLong reusedIds = new AtomicLong();
    private final Map<Integer, AnswerLane> answerLanes = new ConcurrentHashMap<>();
    /** How many answered ids each owned partition may keep: {@code max-commands} over the partitions owned. */
    private volatile int share;
    private final Map<String, Object> kafka;
    private final Writer writer;
    private final Backoff backoff;
    private final Clock clock;
    private final Map<Integer, Map<String, Applied>> byPartition = new ConcurrentHashMap<>();
    /** Command partitions whose number the guard's topic has, so their records can be written there. */
    private final Set<Integer> durable = ConcurrentHashMap.newKeySet();
    /** Command partitions whose number the answers' topic has. */
    private final Set<Integer> durableIds = ConcurrentHashMap.newKeySet();
    private volatile Rebuild lastRebuild = new Rebuild(0, 0, 0, 0, true);
    private final ScheduledExecutorService sweeper;
    private volatile boolean closed;

    /** Writes one record of the guard's or the answers' topic; the Uni ends when the broker has it. */
    @FunctionalInterface
    interface Writer {
        Uni<Void> write(String topic, String key, int partition, Instant timestamp, String value);
    }

    /**
     * Writes through the relay's outcome producer ({@link OutcomeSender}), as outcomes are published: the producer
     * takes each record at once and sends it when it can, however long the broker is away.
     */
    @Inject
    public AppliedUpdates(RelayConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            Clock clock, OutcomeSender sender) {
        this(config.staleGuard(), config.idempotency(), kafka,
                (topic, key, partition, timestamp, value) -> sender.send(new ProducerRecord<>(topic, partition,
                        timestamp.toEpochMilli(), key, value)).replaceWithVoid(),
                new Backoff(config.publishRetry()), clock);
    }

    AppliedUpdates(RelayConfig.StaleGuard config, RelayConfig.Idempotency ids, Map<String, Object> kafka,
            Writer writer, Backoff backoff, Clock clock) {
        this.config = config;
        this.ids = ids;
        this.share = ids.maxCommands();
        this.kafka = kafka;
        this.writer = writer;
        this.backoff = backoff;
        this.clock = clock;
        long every = Math.max(1_000, Math.min(Math.min(config.retention().toMillis(), ids.window().toMillis()) / 10,
                3_600_000));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread sweeping = new Thread(task, "relay-stale-guard-sweeper");
            sweeping.setDaemon(true);
            return sweeping;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * The newest {@code issuedAt} already applied to {@code command}'s message, when it is newer than the
     * command's: the command is then stale and must not be sent. Empty for a command without {@code issuedAt}.
     */
    public Optional<Instant> newerApplied(TopicPartition partition, UpdateCommand command) {
        if (!config.enabled() || command.issuedAt() == null) {
            return Optional.empty();
        }
        Map<String, Applied> applied = byPartition.get(partition.partition());
        Applied newest = applied == null ? null : applied.get(command.messageKey());
        if (newest == null || newest.issuedAtMs() <= command.issuedAt().toEpochMilli() || expired(newest)) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(newest.issuedAtMs()));
    }

    /**
     * Records that {@code command}, taken from {@code partition}, was applied: written to the guard's topic
     * (retried with backoff while {@code keepTrying} says so), then remembered. A command without
     * {@code issuedAt}, or older than what is remembered, changes nothing.
     */
    public Uni<Void> applied(TopicPartition partition, UpdateCommand command, BooleanSupplier keepTrying) {
        if (!config.enabled() || command.issuedAt() == null) {
            return Uni.createFrom().voidItem();
        }
        Map<String, Applied> applied = byPartition.computeIfAbsent(partition.partition(),
                p -> new ConcurrentHashMap<>());
        Applied before = applied.get(command.messageKey());
        long issuedAt = command.issuedAt().toEpochMilli();
        if (before != null && before.issuedAtMs() >= issuedAt) {
            return Uni.createFrom().voidItem();
        }
        // written as text: one record per applied command, on the publishing path, with no tree to build and serialise
        String value = "{\"issuedAt\":\"" + Rfc3339.text(command.issuedAt()) + "\",\"commandId\":\""
                + new String(JsonStringEncoder.getInstance().quoteAsString(command.commandId())) + "\"}";
        Applied entry = new Applied(issuedAt, clock.millis());
        if (!durable.contains(partition.partition())) {
            remember(applied, command.messageKey(), entry); // the topic lacks this partition: guarded here only
            return Uni.createFrom().voidItem();
        }
        return write(config.topic(), command.messageKey(), partition.partition(), value, keepTrying, 0)
                .invoke(() -> remember(applied, command.messageKey(), entry));
    }

    /**
     * The outcome that already answered {@code command}'s id for good within the window, if one did: the command
     * must not be sent again, and that outcome is published again.
     */
    public Optional<Answered> answeredBefore(TopicPartition partition, UpdateCommand command) {
        if (!ids.enabled()) {
            return Optional.empty();
        }
        AnsweredIds answered = answeredByPartition.get(partition.partition());
        Answered earlier = answered == null ? null : answered.get(command.commandId());
        if (earlier == null || earlier.recordedAtMs() < clock.millis() - ids.window().toMillis()) {
            return Optional.empty();
        }
        if (!earlier.answers(command)) {
            reusedIds.incrementAndGet(); // the id, reused for another command: that command is processed
            return Optional.empty();
        }
        return Optional.of(earlier);
    }

    /**
     * Whether an outcome settles its command id for good (CONTRACT §2): {@code succeeded}, or {@code failed} with
     * a category other than {@code expired} and {@code unavailable}. After any other outcome the id may be retried.
     */
    public static boolean settles(Outcome outcome) {
        return outcome instanceof Outcome.Succeeded || outcome instanceof Outcome.Failed failed
                && failed.category() != ErrorCategory.expired && failed.category() != ErrorCategory.unavailable;
    }

    /**
     * Records that {@code outcome}, published at {@code record}, answered its command for good (when it
     * {@link #settles}): written to the topic (retried with backoff while {@code keepTrying} says so), then
     * remembered.
     */
    public Uni<Void> answered(TopicPartition partition, Outcome outcome, RecordRef record, BooleanSupplier keepTrying) {
        if (!ids.enabled() || record == null || !settles(outcome)) {
            return Uni.createFrom().voidItem();
        }
        String category = outcome instanceof Outcome.Failed failed ? failed.category().name() : null;
        Answered answered = new Answered(record, outcome.name(), category, clock.millis(),
                outcome.command().identity());
        AnsweredIds remembered = answeredByPartition.computeIfAbsent(partition.partition(), p -> newIds());
        String commandId = outcome.command().commandId();
        if (!durableIds.contains(partition.partition())) {
            remembered.put(commandId, answered); // the topic lacks this partition: remembered here only
            return Uni.createFrom().voidItem();
        }
        Pending pending = new Pending(commandId, answered, remembered, new CompletableFuture<>());
        AnswerLane lane = answerLanes.computeIfAbsent(partition.partition(), AnswerLane::new);
        List<Pending> batch = lane.add(pending);
        if (batch != null) {
            lane.write(batch, keepTrying);
        }
        return Uni.createFrom().completionStage(pending.written());
    }

    /** An answered id waiting to be written, and where it is remembered once it is. */
    private record Pending(String commandId, Answered answered, AnsweredIds remembered,
            CompletableFuture<Void> written) {}

    /** Most ids in one record of answers (about 120 bytes each in the record). */
    private static final int MAX_BATCH = 500;

    /**
     * The answers of one partition on their way to the topic. One record is on its way at a time; the ids answered
     * meanwhile go together in the next one, so under load a record carries many ids (one produce instead of one
     * per command) and alone an id is written at once.
     */
    private final class AnswerLane {
        private final int partition;
        private final List<Pending> waiting = new ArrayList<>();
        private boolean writing;

        AnswerLane(int partition) {
            this.partition = partition;
        }

        /** Queues one id; returns the batch to write now when no write is on its way, else null. */
        synchronized List<Pending> add(Pending pending) {
            waiting.add(pending);
            if (writing) {
                return null;
            }
            writing = true;
            return take();
        }

        private List<Pending> take() {
            List<Pending> batch = new ArrayList<>(waiting.subList(0, Math.min(waiting.size(), MAX_BATCH)));
            waiting.subList(0, batch.size()).clear();
            return batch;
        }

        /** Writes the batch as one record, then the next batch if ids came meanwhile. */
        void write(List<Pending> batch, BooleanSupplier keepTrying) {
            ObjectNode value = JSON.createObjectNode();
            var answers = value.putArray("answers");
            for (Pending pending : batch) {
                RecordRef at = pending.answered().record();
                answers.addObject().put("commandId", pending.commandId()).put("outcome", pending.answered().outcome())
                        .put("category", pending.answered().category()).put("topic", at.topic())
                        .put("partition", at.partition()).put("offset", at.offset())
                        .put("identity", pending.answered().identity());
            }
            AppliedUpdates.this
                    .write(ids.topic(), COMMAND_KEY + batch.get(0).commandId(), partition, value.toString(), keepTrying,
                            0)
                    .subscribe().with(done -> {
                        for (Pending pending : batch) {
                            pending.remembered().put(pending.commandId(), pending.answered());
                            pending.written().complete(null);
                        }
                        next(keepTrying);
                    }, failure -> {
                        batch.forEach(pending -> pending.written().completeExceptionally(failure));
                        next(keepTrying);
                    });
        }

        private void next(BooleanSupplier keepTrying) {
            List<Pending> batch;
            synchronized (this) {
                if (waiting.isEmpty()) {
                    writing = false;
                    return;
                }
                batch = take();
            }
            write(batch, keepTrying);
        }
    }

    private AnsweredIds newIds() {
        return new AnsweredIds();
    }

    private Uni<Void> write(String topic, String key, int partition, String value, BooleanSupplier keepTrying,
            int failures) {
        return writer.write(topic, key, partition, clock.instant(), value).onFailure().recoverWithUni(failure -> {
            if (closed || !keepTrying.getAsBoolean()) {
                return Uni.createFrom().failure(failure);
            }
            Duration wait = backoff.after(failures);
            LOG.warnf("record %s of %s not written (%s); retrying in %d ms", key, topic,
                    failure.getClass().getSimpleName(), wait.toMillis());
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .chain(() -> write(topic, key, partition, value, keepTrying, failures + 1));
        });
    }

    private static void remember(Map<String, Applied> applied, String message, Applied entry) {
        applied.merge(message, entry, (old, now) -> now.issuedAtMs() > old.issuedAtMs() ? now : old);
    }

    private boolean expired(Applied entry) {
        return entry.recordedAtMs() < clock.millis() - config.retention().toMillis();
    }

    /**
     * Called on the consumer's polling thread when partitions are assigned, before any of their records is
     * polled: reads back, from the guard's topic, what was applied to their messages within the retention, and from
     * the answers' topic the newest answered ids.
     */
    public Rebuild assigned(Collection<TopicPartition> partitions) {
        if (!config.enabled() && !ids.enabled() || partitions.isEmpty()) {
            return lastRebuild;
        }
        long started = System.nanoTime();
        long deadline = started + config.rebuildMaxTime().toNanos();
        long oldest = clock.millis() - config.retention().toMillis();
        long oldestId = clock.millis() - ids.window().toMillis();
        Map<Integer, Map<String, Applied>> read = new HashMap<>();
        Map<Integer, AnsweredIds> readIds = new HashMap<>();
        Set<Integer> owned = new HashSet<>(answeredByPartition.keySet());
        partitions.forEach(partition -> owned.add(partition.partition()));
        reshare(owned.size());
        Read guard = new Read(0, true);
        Read answers = new Read(0, true);
        try (KafkaConsumer<byte[], byte[]> reader = new KafkaConsumer<>(readerConfig())) {
            int commandPartitions = partitionCount(reader, partitions.iterator().next().topic());
            if (config.enabled()) {
                int available = ensure(reader, config.topic(), commandPartitions, guardTopicConfig());
                List<TopicPartition> state = state(partitions, config.topic(), available, durable);
                if (!state.isEmpty()) {
                    // compacted: a record per message
                    reader.assign(state);
                    reader.seekToBeginning(state);
                    guard = readToEnd(reader, reader.endOffsets(state, Duration.ofSeconds(10)), deadline, record -> {
                        Applied entry = parse(record);
                        if (entry != null && entry.recordedAtMs() >= oldest) {
                            remember(read.computeIfAbsent(record.partition(), p -> new HashMap<>()),
                                    new String(record.key(), StandardCharsets.UTF_8), entry);
                        }
                    });
                }
            }
            if (ids.enabled()) {
                int available = ensure(reader, ids.topic(), commandPartitions, answersTopicConfig());
                List<TopicPartition> state = state(partitions, ids.topic(), available, durableIds);
                if (!state.isEmpty()) {
                    // each record carries one id or more: a partition's newest `share` records hold all it may keep
                    reader.assign(state);
                    Map<TopicPartition, Long> ends = reader.endOffsets(state, Duration.ofSeconds(10));
                    Map<TopicPartition, Long> since = new HashMap<>();
                    state.forEach(partition -> since.put(partition, Math.max(0, oldestId)));
                    Map<TopicPartition, OffsetAndTimestamp> windowStarts = reader.offsetsForTimes(since,
                            Duration.ofSeconds(10));
                    for (TopicPartition partition : state) {
                        long end = ends.getOrDefault(partition, 0L);
                        OffsetAndTimestamp windowStart = windowStarts.get(partition);
                        long from = Math.max(windowStart == null ? end : windowStart.offset(), end - share);
                        reader.seek(partition, Math.max(0, from));
                    }
                    answers = readToEnd(reader, ends, deadline, record -> {
                        if (record.timestamp() >= oldestId) {
                            readAnswers(record, readIds.computeIfAbsent(record.partition(), p -> newIds()));
                        }
                    });
                }
            }
        } catch (RuntimeException e) {
            guard = new Read(guard.records(), false);
            LOG.warnf("stale guard: could not read %s and %s back (%s); the partitions are guarded from what this"
                    + " replica applies from now on", config.topic(), ids.topic(), e.toString());
        }
        int messages = 0;
        for (TopicPartition partition : partitions) {
            Map<String, Applied> entries = new ConcurrentHashMap<>(read.getOrDefault(partition.partition(), Map.of()));
            messages += entries.size();
            byPartition.put(partition.partition(), entries);
            AnsweredIds answered = readIds.get(partition.partition());
            answeredByPartition.put(partition.partition(), answered == null ? newIds() : answered);
        }
        reshare(answeredByPartition.size());
        boolean complete = guard.complete() && answers.complete();
        Rebuild rebuild = new Rebuild(partitions.size(), guard.records() + answers.records(), messages,
                (System.nanoTime() - started) / 1_000_000, complete);
        lastRebuild = rebuild;
        LOG.infof("stale guard: %d messages of %s read back from %s (%d records), %d answered command ids from %s (%d"
                + " records), in %d ms%s", messages, partitions, config.topic(), guard.records(), answeredIds(),
                ids.topic(), answers.records(), rebuild.millis(), complete ? "" : ", incomplete");
        return rebuild;
    }

    /** Records read from one topic, and whether to its end within the time allowed. */
    private record Read(long records, boolean complete) {}

    /** Polls the assigned partitions up to {@code ends} (or the deadline), handing each record to {@code each}. */
    private static Read readToEnd(KafkaConsumer<byte[], byte[]> reader, Map<TopicPartition, Long> ends, long deadline,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        long records = 0;
        while (!caughtUp(reader, ends)) {
            if (System.nanoTime() > deadline) {
                return new Read(records, false);
            }
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                records++;
                each.accept(record);
            }
        }
        return new Read(records, true);
    }

    /**
     * The partitions of {@code topic} to read for the command partitions assigned (those it has, {@code available}),
     * each command partition it has marked in {@code writable}.
     */
    private List<TopicPartition> state(Collection<TopicPartition> partitions, String topic, int available,
            Set<Integer> writable) {
        for (TopicPartition partition : partitions) {
            if (partition.partition() < available) {
                writable.add(partition.partition());
            }
        }
        List<TopicPartition> state = partitions.stream().map(TopicPartition::partition).distinct()
                .filter(p -> p < available).map(p -> new TopicPartition(topic, p)).toList();
        if (state.size() < partitions.size() && available > 0) {
            LOG.errorf("stale guard: topic %s has %d partitions, fewer than the command topic; partitions %s are not"
                    + " remembered across restarts", topic, available, partitions);
        }
        return state;
    }

    private static int partitionCount(KafkaConsumer<byte[], byte[]> reader, String topic) {
        List<PartitionInfo> info = reader.partitionsFor(topic, Duration.ofSeconds(10));
        return info == null ? 0 : info.size();
    }

    /** The partitions {@code topic} has, once it is created where nothing did (k8s/ creates it beforehand). */
    private int ensure(KafkaConsumer<byte[], byte[]> reader, String topic, int partitions,
            Map<String, String> configs) {
        int available = partitionCount(reader, topic);
        if (available == 0 && create(topic, partitions, configs)) {
            for (long until = System.nanoTime() + 10_000_000_000L; available == 0 && System.nanoTime() < until;) {
                available = partitionCount(reader, topic); // the topic as the brokers know it
            }
        }
        return available;
    }

    /**
     * The guard's topic: compacted (a record per message) and deleted after the retention, its segments rolled at
     * a seventh of it (at least an hour) so that compaction can run before the retention ends.
     */
    Map<String, String> guardTopicConfig() {
        long retention = config.retention().toMillis();
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
                TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention), TopicConfig.SEGMENT_MS_CONFIG,
                Long.toString(Math.max(3_600_000L, retention / 7)));
    }

    /** The answers' topic: deleted after the window, its segments rolled at a quarter of it (at least 10 minutes). */
    Map<String, String> answersTopicConfig() {
        long window = ids.window().toMillis();
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(window), TopicConfig.SEGMENT_MS_CONFIG,
                Long.toString(Math.max(600_000L, window / 4)));
    }

    /** Creates {@code topic} with as many partitions as the command topic and the broker's replication. */
    private boolean create(String topic, int partitions, Map<String, String> configs) {
        if (partitions <= 0) {
            return false;
        }
        NewTopic created = new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs);
        try (Admin admin = Admin.create(KafkaClientSettings.shared(kafka))) {
            admin.createTopics(List.of(created)).all().get(10, TimeUnit.SECONDS);
            LOG.infof("stale guard: created topic %s (%d partitions, %s)", topic, partitions,
                    configs.get(TopicConfig.CLEANUP_POLICY_CONFIG));
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return true; // another replica created it meanwhile
            }
            LOG.warnf("stale guard: could not create topic %s (%s)", topic, e.getCause());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (TimeoutException e) {
            LOG.warnf("stale guard: no answer creating topic %s", topic);
            return false;
        }
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> reader, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (reader.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Applied parse(ConsumerRecord<byte[], byte[]> record) {
        if (record.key() == null || record.value() == null) {
            return null;
        }
        try {
            JsonNode value = JSON.readTree(record.value());
            return new Applied(Instant.parse(value.path("issuedAt").asText()).toEpochMilli(), record.timestamp());
        } catch (Exception unreadable) {
            return null; // not one of ours: nothing to guard
        }
    }

    /** Each owned partition's share of {@code relay.idempotency.max-commands}. */
    private void reshare(int partitionsOwned) {
        share = Math.max(1, ids.maxCommands() / Math.max(1, partitionsOwned));
    }

    /** The ids one record of answers carries, remembered in {@code into}; a record of another shape adds none. */
    private static void readAnswers(ConsumerRecord<byte[], byte[]> record, AnsweredIds into) {
        if (record.value() == null) {
            return;
        }
        try {
            for (JsonNode answer : JSON.readTree(record.value()).path("answers")) {
                JsonNode category = answer.path("category");
                String commandId = answer.path("commandId").asText(null);
                if (commandId == null) {
                    continue;
                }
                // topic, outcome and category take a handful of values: one copy each, not one per id
                into.put(commandId, new Answered(new RecordRef(answer.path("topic").asText().intern(),
                        answer.path("partition").asInt(), answer.path("offset").asLong()),
                        answer.path("outcome").asText().intern(),
                        category.isTextual() ? category.asText().intern() : null, record.timestamp(),
                        answer.path("identity").asLong(0)));
            }
        } catch (Exception unreadable) {
            // not one of ours: nothing to remember
        }
    }

    /** A rebalance took these partitions away: their memory goes with them, to their next owner. */
    public void revoked(Collection<TopicPartition> partitions) {
        partitions.forEach(partition -> {
            byPartition.remove(partition.partition());
            AnsweredIds gone = answeredByPartition.remove(partition.partition());
            if (gone != null) {
                forgottenIds.addAndGet(gone.forgotten());
            }
            reshare(answeredByPartition.size());
            durable.remove(partition.partition());
            durableIds.remove(partition.partition());
        });
    }

    /** The last assignment's read-back, for the gauges. */
    public Rebuild lastRebuild() {
        return lastRebuild;
    }

    /** Messages remembered now, over the owned partitions. */
    public int messages() {
        return byPartition.values().stream().mapToInt(Map::size).sum();
    }

    /** Answered command ids remembered now, over the owned partitions. */
    public int answeredIds() {
        return answeredByPartition.values().stream().mapToInt(AnsweredIds::size).sum();
    }

    /** Answered ids forgotten before their window ended, for want of room ({@code max-commands}). */
    public long forgottenIds() {
        return forgottenIds.get() + answeredByPartition.values().stream().mapToLong(AnsweredIds::forgotten).sum();
    }

    /**
     * Commands whose id an earlier, different command already had (another message, or another {@code issuedAt}):
     * processed as the new commands they are, not answered as duplicates.
     */
    public long reusedIds() {
        return reusedIds.get();
    }

    /** Forgets entries older than the retention, and answered ids older than the window. */
    public void sweep() {
        for (Map<String, Applied> entries : byPartition.values()) {
            entries.values().removeIf(this::expired);
        }
        long oldestId = clock.millis() - ids.window().toMillis();
        answeredByPartition.values().forEach(answered -> answered.removeOlderThan(oldestId));
    }

    private Map<String, Object> readerConfig() {
        Map<String, Object> props = KafkaClientSettings.shared(kafka);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "mass-message-relay-stale-guard-reader");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false); // created compacted, or not at all
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        return props;
    }

    /** Stops its sweeper. */
    @PreDestroy
    public void close() {
        closed = true;
        sweeper.shutdownNow();
    }
}
