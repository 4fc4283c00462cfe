package io.massmessage.relay.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.outcome.Origin;
import io.massmessage.relay.testing.EmbeddedKafka;
import io.massmessage.relay.testing.TestConfigs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ReplayCheck} against a real broker: commands after a committed offset, outcome records and a
 * dead letter naming some of them, and answers that must not count (before the committed offset, of
 * another topic, of a partition with nothing to replay, older than the window, without headers).
 */
class ReplayCheckComponentTest {

    private static final String COMMANDS = "replay-commands";
    private static final String SUCCEEDED = "replay-succeeded";
    private static final List<String> OTHER_ANSWERS = List.of("replay-failed", "replay-rate-limited",
            "replay-dead-letter");
    private static final TopicPartition P0 = new TopicPartition(COMMANDS, 0);
    private static final TopicPartition P1 = new TopicPartition(COMMANDS, 1);
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() throws Exception {
        kafka = EmbeddedKafka.start(1);
        kafka.createTopics(2, COMMANDS);
        kafka.createTopics(1, SUCCEEDED);
        kafka.createTopics(1, OTHER_ANSWERS.toArray(String[]::new));
        long now = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // an answer written long before the first uncommitted command (beyond the 30 s allowed for clocks): not read
            producer.send(answer("replay-succeeded", now - 120_000, new Origin(COMMANDS, 0, 8))).get();
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>(COMMANDS, 0, now - 60_000 + i, null, bytes("command " + i))).get();
            }
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(COMMANDS, 1, now - 60_000 + i, null, bytes("command " + i))).get();
            }
            producer.send(answer("replay-succeeded", now - 50_000, new Origin(COMMANDS, 0, 5)));
            producer.send(answer("replay-failed", now - 50_000, new Origin(COMMANDS, 0, 7)));
            producer.send(answer("replay-succeeded", now - 50_000, new Origin(COMMANDS, 0, 3))); // committed already
            producer.send(answer("replay-succeeded", now - 50_000, new Origin("another-topic", 0, 6)));
            producer.send(answer("replay-rate-limited", now - 50_000, new Origin(COMMANDS, 1, 2))); // partition 1 replays nothing
            producer.send(new ProducerRecord<>("replay-rate-limited", 0, now - 50_000, null, bytes("{}"))); // no headers
            RecordHeaders deadLetter = new RecordHeaders();
            deadLetter.add("dead-letter-reason", bytes("payload: not valid JSON"));
            deadLetter.add("dead-letter-topic", bytes(COMMANDS));
            deadLetter.add("dead-letter-partition", bytes("0"));
            deadLetter.add("dead-letter-offset", bytes("9"));
            producer.send(
                    new ProducerRecord<>("replay-dead-letter", 0, now - 50_000, null, bytes("not json"), deadLetter));
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void findsTheReplayedRecordsAlreadyAnsweredAndKeepsOrderPerMessage() {
        String group = "g-" + UUID.randomUUID();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(group)) {
            consumer.commitSync(Map.of(P0, new OffsetAndMetadata(5), P1, new OffsetAndMetadata(10)));
            ReplayCheck check = check(true);

            check.assigned(consumer, List.of(P0, P1));

            assertThat(check.replays()).containsOnlyKeys(P0);
            ReplayCheck.Replay replay = check.replays().get(P0);
            assertThat(replay.from()).isEqualTo(5);
            assertThat(replay.to())
                    .as("one past the last answered offset: nothing after it is skipped, nothing after it is kept")
                    .isEqualTo(10);
            assertThat(replay.answered())
                    .as("5 and 7 by outcomes, 9 by a dead letter; 8's answer is too old to be read")
                    .containsExactly(5L, 7L, 9L);
            assertThat(replay.applied()).as("5's outcome succeeded").containsExactly(5L);

            assertThat(check.alreadyAnswered(P0, 4, "m0")).as("committed before the replay").isFalse();
            assertThat(check.earlier(P0, 5, "m1")).as("succeeded: applied, which the stale guard must know")
                    .isEqualTo(ReplayCheck.Earlier.APPLIED);
            assertThat(check.alreadyAnswered(P0, 6, "m2")).as("not answered: processed again").isFalse();
            assertThat(check.alreadyAnswered(P0, 7, "m2"))
                    .as("answered, but an earlier command of its message is processed again: so is this one").isFalse();
            assertThat(check.earlier(P0, 9, null)).as("an invalid record already dead-lettered")
                    .isEqualTo(ReplayCheck.Earlier.ANSWERED);
            assertThat(check.alreadyAnswered(P1, 2, "m3")).as("nothing replayed on partition 1").isFalse();
            assertThat(check.alreadyAnswered(P0, 12, "m4")).as("past the last answered offset").isFalse();
            assertThat(check.replays()).as("the replay is over: its memory is freed").doesNotContainKey(P0);
            assertThat(check.replays()).as("a replay is forgotten once passed").isEmpty();
        }
    }

    @Test
    void aPartitionNeverCommittedIsCheckedFromItsBeginning() {
        // an earlier owner may have published outcomes and been killed before its first commit
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("g-" + UUID.randomUUID())) {
            ReplayCheck check = check(true);
            check.assigned(consumer, List.of(P0, P1));
            assertThat(check.replays()).containsOnlyKeys(P0, P1);
            assertThat(check.replays().get(P0).from()).isZero();
            assertThat(check.replays().get(P0).answered()).containsExactly(3L, 5L, 7L, 9L);
            assertThat(check.replays().get(P1).answered()).containsExactly(2L);
            assertThat(check.alreadyAnswered(P0, 3, "m1")).isTrue();
            assertThat(check.earlier(P0, 7, "m2")).as("failed: answered, nothing applied")
                    .isEqualTo(ReplayCheck.Earlier.ANSWERED);
            assertThat(check.earlier(P1, 2, "m3")).as("rate_limited: answered, nothing applied")
                    .isEqualTo(ReplayCheck.Earlier.ANSWERED);
        }
    }

    @Test
    void nothingIsSkippedAfterRevocationOrWhenDisabled() {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("g-" + UUID.randomUUID())) {
            ReplayCheck check = check(true);
            consumer.commitSync(Map.of(P0, new OffsetAndMetadata(5)));
            check.assigned(consumer, List.of(P0));
            assertThat(check.replays()).containsOnlyKeys(P0);
            check.revoked(List.of(P0));
            assertThat(check.alreadyAnswered(P0, 5, "m1")).as("revoked: the partition's next owner decides").isFalse();

            ReplayCheck disabled = check(false);
            disabled.assigned(consumer, List.of(P0));
            assertThat(disabled.replays()).isEmpty();
            assertThat(disabled.alreadyAnswered(P0, 5, "m1")).isFalse();
        }
    }

    private static ReplayCheck check(boolean enabled) {
        return new ReplayCheck(
                new TestConfigs.ReplayCheckPolicy(enabled, 500_000, Duration.ofSeconds(15), Duration.ofSeconds(30)),
                Map.of("bootstrap.servers", kafka.bootstrapServers()), COMMANDS, SUCCEEDED, OTHER_ANSWERS);
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static ProducerRecord<byte[], byte[]> answer(String topic, long timestamp, Origin origin) {
        RecordHeaders headers = new RecordHeaders();
        origin.writeTo(headers);
        return new ProducerRecord<>(topic, 0, timestamp, null, bytes("{\"outcome\":\"x\"}"), headers);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
