package io.massmessage.relay.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.massmessage.relay.command.MessageUpdate;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.outcome.Backoff;
import io.massmessage.relay.outcome.RecordSender;
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
import org.apache.kafka.common.serialization.ByteArraySerializer;
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

    private static AppliedUpdates instance(String topic, VirtualTime time, Duration retention) {
        Map<String, Object> settings = Map.of("bootstrap.servers", kafka.bootstrapServers());
        RecordSender<String, String> sender = new RecordSender<>(new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer()), "test-stale-guard-sender");
        return new AppliedUpdates(new TestConfigs.StaleGuardPolicy(true, topic, retention, Duration.ofSeconds(30)),
                settings, (message, partition, timestamp, value) -> sender.send(new ProducerRecord<>(topic, partition,
                        timestamp.toEpochMilli(), message, value)),
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)), time);
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
            String policy = admin.describeConfigs(Set.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                    .all().get().values().iterator().next().get("cleanup.policy").value();
            assertThat(policy).contains("compact");
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
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, "k".getBytes(),
                    "not json".getBytes())).get();
        }
        AppliedUpdates reader = instance(topic, new VirtualTime(Instant.now()), Duration.ofDays(7));
        AppliedUpdates.Rebuild rebuild = reader.assigned(List.of(partition(commands, 0)));
        assertThat(rebuild.records()).isEqualTo(1);
        assertThat(rebuild.messages()).isZero();
    }
}
