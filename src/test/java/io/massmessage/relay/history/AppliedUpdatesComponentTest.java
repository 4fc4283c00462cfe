package io.massmessage.relay.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.massmessage.relay.command.MessageUpdate;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.outcome.Backoff;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.outcome.RecordRef;
import io.massmessage.relay.outcome.RecordSender;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.testing.EmbeddedKafka;
import io.massmessage.relay.testing.TestConfigs;
import io.massmessage.relay.testing.VirtualTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The stale guard's memory against a real broker: what one instance applied, a new instance (the next owner of
 * the partition, after a rebalance or a restart) reads back at assignment, within the retention only; a command
 * older than the newest applied update of its message is stale, one as new or newer is not, and one without
 * {@code issuedAt} never is.
 */
class AppliedUpdatesComponentTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void broker() throws Exception {
        kafka = EmbeddedKafka.start(1);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    private static UpdateCommand command(String messageId, Instant issuedAt) {
        return new UpdateCommand("c-" + UUID.randomUUID(), "fansly", "fy_1", messageId, issuedAt,
                new MessageUpdate("text", null, null, null, null, null, null, null, null, null),
                JsonNodeFactory.instance.objectNode());
    }

    /** The answers' topic of the guard's {@code topic} in these tests. */
    private static String answersOf(String topic) {
        return topic + "-answers";
    }

    private static AppliedUpdates instance(String topic, VirtualTime time, Duration retention) {
        return instance(topic, time, retention, true, 1000);
    }

    private static AppliedUpdates instance(String topic, VirtualTime time, Duration retention, boolean idsOn,
            int maxCommands) {
        var ids = new TestConfigs.IdempotencyPolicy(idsOn, answersOf(topic), Duration.ofHours(24), maxCommands);
        Map<String, Object> settings = Map.of("bootstrap.servers", kafka.bootstrapServers());
        RecordSender<String, String> sender = new RecordSender<>(new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer()), "test-stale-guard-sender");
        return new AppliedUpdates(new TestConfigs.StaleGuardPolicy(true, topic, retention, Duration.ofSeconds(30)),
                ids, settings,
                (target, key, partition, timestamp, value) -> sender.send(new ProducerRecord<>(target, partition,
                        timestamp.toEpochMilli(), key, value)),
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)), time);
    }

    /** Writes one record to partition 0 of {@code topic} as another writer than the relay would. */
    private static void writeRaw(String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, key, value)).get();
        }
    }

    private static TopicPartition partition(String commands, int number) {
        return new TopicPartition(commands, number);
    }

    @Test
    void whatOneOwnerAppliedTheNextOwnerReadsBackAndGuards() throws Exception {
        String commands = "guard-commands-" + UUID.randomUUID();
        String topic = "guard-applied-" + UUID.randomUUID();
        kafka.createTopics(3, commands);
        VirtualTime time = new VirtualTime(T0);
        TopicPartition p1 = partition(commands, 1);
        AppliedUpdates first = instance(topic, time, Duration.ofDays(7));
        first.assigned(List.of(partition(commands, 0), p1, partition(commands, 2)));
        first.applied(p1, command("m1", T0.plusSeconds(20)), () -> true).await().atMost(Duration.ofSeconds(30));
        first.applied(p1, command("m1", T0.plusSeconds(10)), () -> true).await().atMost(Duration.ofSeconds(30));
        first.applied(p1, command("m2", T0.plusSeconds(5)), () -> true).await().atMost(Duration.ofSeconds(30));
        assertThat(first.newerApplied(p1, command("m1", T0.plusSeconds(15)))).contains(T0.plusSeconds(20));
        first.revoked(List.of(p1));
        assertThat(first.newerApplied(p1, command("m1", T0.plusSeconds(15)))).as("revoked: no longer this owner's")
                .isEmpty();

        AppliedUpdates next = instance(topic, time, Duration.ofDays(7));
        AppliedUpdates.Rebuild rebuild = next.assigned(List.of(p1));
        assertThat(rebuild.complete()).isTrue();
        assertThat(rebuild.messages()).as("two messages applied on that partition").isEqualTo(2);
        assertThat(next.newerApplied(p1, command("m1", T0.plusSeconds(15)))).as("older than the applied update")
                .contains(T0.plusSeconds(20));
        assertThat(next.newerApplied(p1, command("m1", T0.plusSeconds(20)))).as("as new").isEmpty();
        assertThat(next.newerApplied(p1, command("m1", T0.plusSeconds(25)))).as("newer").isEmpty();
        assertThat(next.newerApplied(p1, command("m1", null))).as("no issuedAt: never stale").isEmpty();
        assertThat(next.newerApplied(p1, command("m3", T0))).as("another message").isEmpty();
        assertThat(next.newerApplied(partition(commands, 2), command("m1", T0))).as("another partition").isEmpty();

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            TopicDescription created = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
            assertThat(created.partitions()).as("as many partitions as the command topic").hasSize(3);
            var guard = admin.describeConfigs(Set.of(new ConfigResource(ConfigResource.Type.TOPIC, topic))).all().get()
                    .values().iterator().next();
            assertThat(guard.get("cleanup.policy").value()).isEqualTo("compact,delete");
            assertThat(guard.get("retention.ms").value()).as("the guard's retention").isEqualTo("604800000");
            assertThat(guard.get("segment.ms").value()).as("a day: compaction runs before the retention ends")
                    .isEqualTo("86400000");
            String answers = answersOf(topic);
            assertThat(admin.describeTopics(Set.of(answers)).allTopicNames().get().get(answers).partitions())
                    .as("the answers' topic, as many partitions too").hasSize(3);
            var answersConfig = admin.describeConfigs(Set.of(new ConfigResource(ConfigResource.Type.TOPIC, answers)))
                    .all().get().values().iterator().next();
            assertThat(answersConfig.get("cleanup.policy").value()).isEqualTo("delete");
            assertThat(answersConfig.get("retention.ms").value()).as("the window").isEqualTo("86400000");
        }
    }

    @Test
    void whatIsOlderThanTheRetentionIsForgotten() throws Exception {
        String commands = "guard-commands-" + UUID.randomUUID();
        String topic = "guard-applied-" + UUID.randomUUID();
        kafka.createTopics(1, commands);
        TopicPartition p0 = partition(commands, 0);
        VirtualTime time = new VirtualTime(Instant.now());
        AppliedUpdates first = instance(topic, time, Duration.ofHours(1));
        first.assigned(List.of(p0));
        first.applied(p0, command("m1", T0.plusSeconds(20)), () -> true).await().atMost(Duration.ofSeconds(30));
        time.advance(Duration.ofMinutes(61).toMillis());
        assertThat(first.newerApplied(p0, command("m1", T0))).as("past the retention").isEmpty();
        first.sweep();
        assertThat(first.messages()).isZero();
        AppliedUpdates next = instance(topic, time, Duration.ofHours(1));
        assertThat(next.assigned(List.of(p0)).messages()).as("not read back past the retention").isZero();
    }

    @Test
    void aRecordOfAnotherShapeOnTheTopicIsIgnored() throws Exception {
        String commands = "guard-commands-" + UUID.randomUUID();
        String topic = "guard-applied-" + UUID.randomUUID();
        kafka.createTopics(1, commands);
        kafka.createTopics(1, topic);
        writeRaw(topic, "k", "not json");
        AppliedUpdates reader = instance(topic, new VirtualTime(Instant.now()), Duration.ofDays(7));
        AppliedUpdates.Rebuild rebuild = reader.assigned(List.of(partition(commands, 0)));
        assertThat(rebuild.records()).isEqualTo(1);
        assertThat(rebuild.messages()).isZero();
    }

    private static Outcome succeeded(UpdateCommand command) {
        return new Outcome.Succeeded(command, 1, 5, 200, null, null, null);
    }

    private static Outcome failed(UpdateCommand command, ErrorCategory category) {
        return Outcome.Failed.of(command, 1, 5, category, "test");
    }

    @Test
    void anIdAnsweredForGoodIsReadBackByTheNextOwnerAndARetryableOneIsNot() throws Exception {
        String commands = "ids-commands-" + UUID.randomUUID();
        String topic = "ids-history-" + UUID.randomUUID();
        kafka.createTopics(2, commands);
        VirtualTime time = new VirtualTime(Instant.now());
        TopicPartition p0 = partition(commands, 0);
        TopicPartition p1 = partition(commands, 1);
        AppliedUpdates first = instance(topic, time, Duration.ofDays(7));
        first.assigned(List.of(p0, p1));
        UpdateCommand applied = command("m1", null);
        UpdateCommand refused = command("m2", null);
        UpdateCommand unavailable = command("m3", null);
        UpdateCommand expired = command("m4", null);
        UpdateCommand rateLimited = command("m5", null);
        RecordRef at = new RecordRef("mass-message.update.succeeded", 4, 1200);
        first.answered(p1, succeeded(applied), at, () -> true).await().atMost(Duration.ofSeconds(30));
        first.answered(p1, failed(refused, ErrorCategory.rejected), new RecordRef("f", 0, 7), () -> true).await()
                .atMost(Duration.ofSeconds(30));
        first.answered(p1, failed(unavailable, ErrorCategory.unavailable), new RecordRef("f", 0, 8), () -> true)
                .await().atMost(Duration.ofSeconds(30));
        first.answered(p1, failed(expired, ErrorCategory.expired), new RecordRef("f", 0, 9), () -> true).await()
                .atMost(Duration.ofSeconds(30));
        first.answered(p1, new Outcome.RateLimited(rateLimited, 1, 5, 429, null, null), new RecordRef("r", 0, 1),
                () -> true).await().atMost(Duration.ofSeconds(30));
        assertThat(first.answeredIds()).as("only the settled ones").isEqualTo(2);
        first.revoked(List.of(p1));
        assertThat(first.answeredBefore(p1, applied)).as("revoked: no longer this owner's").isEmpty();

        AppliedUpdates next = instance(topic, time, Duration.ofDays(7));
        next.assigned(List.of(p1));
        assertThat(next.answeredBefore(p1, applied)).get().satisfies(earlier -> {
            assertThat(earlier.record()).isEqualTo(at);
            assertThat(earlier.outcome()).isEqualTo("succeeded");
            assertThat(earlier.category()).isNull();
        });
        assertThat(next.answeredBefore(p1, refused)).get().satisfies(earlier -> {
            assertThat(earlier.outcome()).isEqualTo("failed");
            assertThat(earlier.category()).isEqualTo("rejected");
        });
        assertThat(next.answeredBefore(p1, unavailable)).as("failed/unavailable: a legitimate retry").isEmpty();
        assertThat(next.answeredBefore(p1, expired)).as("expired: a legitimate retry").isEmpty();
        assertThat(next.answeredBefore(p1, rateLimited)).as("rate_limited: a legitimate retry").isEmpty();
        assertThat(next.answeredBefore(p0, applied)).as("another partition").isEmpty();

        time.advance(Duration.ofHours(25).toMillis());
        assertThat(next.answeredBefore(p1, applied)).as("past the window").isEmpty();
        next.sweep();
        assertThat(next.answeredIds()).isZero();
        assertThat(instance(topic, time, Duration.ofDays(7)).assigned(List.of(p1)).messages()).isZero();
        AppliedUpdates late = instance(topic, time, Duration.ofDays(7));
        late.assigned(List.of(p1));
        assertThat(late.answeredIds()).as("not read back past the window").isZero();
    }

    @Test
    void theOldestIdsAreForgottenBeyondTheBoundAndCounted() throws Exception {
        String commands = "ids-commands-" + UUID.randomUUID();
        String topic = "ids-history-" + UUID.randomUUID();
        kafka.createTopics(1, commands);
        TopicPartition p0 = partition(commands, 0);
        AppliedUpdates history = instance(topic, new VirtualTime(Instant.now()), Duration.ofDays(7), true, 3);
        history.assigned(List.of(p0));
        List<UpdateCommand> sent = List.of(command("a", null), command("b", null), command("c", null),
                command("d", null), command("e", null));
        for (int i = 0; i < sent.size(); i++) {
            history.answered(p0, succeeded(sent.get(i)), new RecordRef("s", 0, i), () -> true).await()
                    .atMost(Duration.ofSeconds(30));
        }
        assertThat(history.answeredIds()).isEqualTo(3);
        assertThat(history.forgottenIds()).isEqualTo(2);
        assertThat(history.answeredBefore(p0, sent.get(0))).as("the oldest went first").isEmpty();
        assertThat(history.answeredBefore(p0, sent.get(4))).isPresent();

        // one record per id (each written alone): the next owner reads back the newest three records only
        AppliedUpdates next = instance(topic, new VirtualTime(Instant.now()), Duration.ofDays(7), true, 3);
        AppliedUpdates.Rebuild rebuild = next.assigned(List.of(p0));
        assertThat(rebuild.records()).as("the partition's share of ids, in records: not all five").isEqualTo(3);
        assertThat(next.answeredIds()).isEqualTo(3);
        assertThat(next.answeredBefore(p0, sent.get(1))).as("older than the newest three").isEmpty();
        assertThat(next.answeredBefore(p0, sent.get(2))).isPresent();
        assertThat(next.answeredBefore(p0, sent.get(4))).isPresent();
    }

    @Test
    void idempotencyOffRemembersNothing() {
        String commands = "ids-commands-" + UUID.randomUUID();
        kafka.createTopics(1, commands);
        TopicPartition p0 = partition(commands, 0);
        AppliedUpdates history = instance("ids-history-" + UUID.randomUUID(), new VirtualTime(Instant.now()),
                Duration.ofDays(7), false, 3);
        history.assigned(List.of(p0));
        UpdateCommand command = command("a", null);
        history.answered(p0, succeeded(command), new RecordRef("s", 0, 1), () -> true).await()
                .atMost(Duration.ofSeconds(30));
        assertThat(history.answeredBefore(p0, command)).isEmpty();
    }

    @Test
    void idsAnsweredWhileAWriteIsOnItsWayGoTogetherInTheNextRecordAndAllAreReadBack() throws Exception {
        String commands = "ids-commands-" + UUID.randomUUID();
        String topic = "ids-history-" + UUID.randomUUID();
        kafka.createTopics(1, commands);
        TopicPartition p0 = partition(commands, 0);
        VirtualTime time = new VirtualTime(Instant.now());
        AppliedUpdates history = instance(topic, time, Duration.ofDays(7));
        history.assigned(List.of(p0));
        List<UpdateCommand> answered = new java.util.ArrayList<>();
        List<io.smallrye.mutiny.Uni<Void>> writes = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            UpdateCommand command = command("m" + i, null);
            answered.add(command);
            writes.add(history.answered(p0, succeeded(command), new RecordRef("s", 0, i), () -> true));
        }
        io.smallrye.mutiny.Uni.join().all(writes).andFailFast().await().atMost(Duration.ofSeconds(30));
        assertThat(history.answeredIds()).isEqualTo(300);

        AppliedUpdates next = instance(topic, time, Duration.ofDays(7));
        AppliedUpdates.Rebuild rebuild = next.assigned(List.of(p0));
        assertThat(rebuild.records()).as("fewer records than ids: those answered meanwhile went together")
                .isLessThan(300).isPositive();
        for (int i = 0; i < answered.size(); i++) {
            assertThat(next.answeredBefore(p0, answered.get(i))).get().extracting(AppliedUpdates.Answered::record)
                    .isEqualTo(new RecordRef("s", 0, i));
        }
    }

    private static UpdateCommand sameId(UpdateCommand command, String messageId, Instant issuedAt, String text) {
        return new UpdateCommand(command.commandId(), command.provider(), command.account(), messageId, issuedAt,
                new MessageUpdate(text, null, null, null, null, null, null, null, null, null),
                JsonNodeFactory.instance.objectNode());
    }

    @Test
    void anIdReusedForAnotherMessageOrIssuedAtIsANewCommandAndAResendIsADuplicate() throws Exception {
        String commands = "ids-commands-" + UUID.randomUUID();
        String topic = "ids-history-" + UUID.randomUUID();
        kafka.createTopics(1, commands);
        TopicPartition p0 = partition(commands, 0);
        VirtualTime time = new VirtualTime(Instant.now());
        AppliedUpdates first = instance(topic, time, Duration.ofDays(7));
        first.assigned(List.of(p0));
        UpdateCommand original = command("m1", T0);
        first.answered(p0, succeeded(original), new RecordRef("s", 0, 3), () -> true).await()
                .atMost(Duration.ofSeconds(30));

        AppliedUpdates next = instance(topic, time, Duration.ofDays(7));
        next.assigned(List.of(p0));
        for (AppliedUpdates history : List.of(first, next)) {
            assertThat(history.answeredBefore(p0, sameId(original, "m1", T0, "text rewritten")))
                    .as("a resend, its text rewritten: the same command").isPresent();
            assertThat(history.answeredBefore(p0, sameId(original, "m1", T0.plusSeconds(60), "text")))
                    .as("issued at another time: another command").isEmpty();
            assertThat(history.answeredBefore(p0, sameId(original, "m2", T0, "text")))
                    .as("for another message: another command").isEmpty();
            assertThat(history.answeredBefore(p0, sameId(original, "m1", null, "text")))
                    .as("without issuedAt: another command").isEmpty();
            assertThat(history.reusedIds()).isEqualTo(3);
        }
    }

    /** The guard's topic holds what was applied, never answers: a record of answers there answers nothing. */
    @Test
    void aRecordOfAnswersInTheGuardsTopicAnswersNoCommand() throws Exception {
        String commands = "ids-commands-" + UUID.randomUUID();
        String topic = "ids-history-" + UUID.randomUUID();
        kafka.createTopics(1, commands);
        kafka.createTopics(1, topic);
        writeRaw(topic, "command:old-1", "{\"answers\":[{\"commandId\":\"old-1\",\"outcome\":\"succeeded\","
                + "\"category\":null,\"topic\":\"s\",\"partition\":0,\"offset\":9}]}");
        AppliedUpdates reader = instance(topic, new VirtualTime(Instant.now()), Duration.ofDays(7));
        reader.assigned(List.of(partition(commands, 0)));
        UpdateCommand command = command("m9", T0);
        assertThat(reader.answeredBefore(partition(commands, 0), sameId(new UpdateCommand("old-1", "fansly", "fy_1",
                "m9", T0, command.update(), command.providerOptions()), "m9", T0, "t"))).isEmpty();
        assertThat(reader.newerApplied(partition(commands, 0), command("m9", T0))).isEmpty();
    }
}
