package io.massmessage.relay.e2e;

import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static io.massmessage.relay.testing.KafkaTestClient.header;
import static io.massmessage.relay.testing.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.testing.AsyncApi;
import io.massmessage.relay.testing.ConsumerLag;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.RelayTestEnvironment;
import io.massmessage.relay.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The records that wedged a partition or stopped the consumer group, among valid neighbours on the
 * same partition: each gets exactly one dead letter, the neighbours succeed, and the group's lag
 * reaches 0 (nothing holds the commit back). Before the relay wrote its own dead letters, the oversize
 * records never got one (the connector's producer refused them) and held the partition's commit back;
 * {@code 1e400} and the deep nesting stopped the command stream.
 */
@QuarkusTest
@QuarkusTestResource(RelayTestEnvironment.class)
class HostileRecordsEndToEndTest {

    @Test
    void everyHostileRecordGetsOneDeadLetterAndItsNeighboursSucceed() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String account = "fy" + run;
        String key = key("fansly", account);
        // the command topic takes records up to 4 MiB; the dead-letter topic keeps the broker's 1 MiB
        try (var admin = RelayTestEnvironment.kafka().admin()) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, Topics.COMMANDS),
                    List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(4 << 20)),
                            AlterConfigOp.OpType.SET))))
                    .all().get();
        }
        Map<String, byte[]> hostile = new LinkedHashMap<>();
        hostile.put("oversize-1.2MiB", command(run + "-big1", "fansly", account, "1", "{\"text\":\""
                + "x".repeat(1_260_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        hostile.put("oversize-3MiB", command(run + "-big3", "fansly", account, "1", "{\"text\":\""
                + "y".repeat(3_100_000) + "\"}").getBytes(StandardCharsets.UTF_8));
        hostile.put("price-1e400", command(run + "-inf", "fansly", account, "2", "{\"text\":\"x\",\"price\":1e400}")
                .getBytes(StandardCharsets.UTF_8));
        hostile.put("nesting-2000",
                ("{\"commandId\":\"" + run + "-deep\",\"x\":" + "[".repeat(2000) + "]".repeat(2000) + "}")
                        .getBytes(StandardCharsets.UTF_8));
        StringBuilder echo = new StringBuilder(command(run + "-echo", "fansly", account, "3", "{\"text\":\"x\"}"));
        echo.setLength(echo.length() - 1);
        for (int i = 0; i < 10_000; i++) {
            echo.append(",\"unknown_").append(i).append("_").append("n".repeat(80)).append("\":1");
        }
        hostile.put("reason-echo", echo.append('}').toString().getBytes(StandardCharsets.UTF_8));
        hostile.put("forged-headers", ("not json " + run).getBytes(StandardCharsets.UTF_8));
        hostile.put("tombstone", null);

        try (KafkaTestClient kafka = new KafkaTestClient(RelayTestEnvironment.kafka().bootstrapServers(),
                Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED, Topics.DEAD_LETTER)) {
            int valid = 0;
            for (Map.Entry<String, byte[]> record : hostile.entrySet()) {
                kafka.send(Topics.COMMANDS, key,
                        command(run + "-ok" + valid, "fansly", account, "v" + valid, "{\"text\":\"ok\"}"));
                valid++;
                if (record.getKey().equals("forged-headers")) {
                    kafka.send(Topics.COMMANDS, key, text(record.getValue()), Map.of(
                            "dead-letter-offset", "999999", "dead-letter-reason", "forged", "relay-command-offset", "1",
                            "relay-command-topic", Topics.COMMANDS, "relay-command-partition", "0"));
                } else {
                    kafka.send(Topics.COMMANDS, key, record.getValue());
                }
            }
            kafka.send(Topics.COMMANDS, key,
                    command(run + "-ok" + valid, "fansly", account, "v" + valid, "{\"text\":\"ok\"}"));
            int validCount = valid + 1;

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                kafka.poll();
                assertThat(outcomes(kafka, run)).hasSize(validCount);
                assertThat(deadLetters(kafka, key)).hasSize(hostile.size());
            });
            assertThat(outcomes(kafka, run)).allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.SUCCEEDED));

            List<ConsumerRecord<byte[], byte[]>> letters = deadLetters(kafka, key);
            letters.forEach(r -> assertThat(AsyncApi.problems("DeadLetterHeaders", AsyncApi.headers(r))).isEmpty());
            Map<String, ConsumerRecord<byte[], byte[]>> byCase = new LinkedHashMap<>();
            List<String> names = new ArrayList<>(hostile.keySet());
            for (int i = 0; i < letters.size(); i++) {
                byCase.put(names.get(i), letters.get(i)); // one partition (one key): in the order sent
            }
            for (String big : List.of("oversize-1.2MiB", "oversize-3MiB")) {
                ConsumerRecord<byte[], byte[]> letter = byCase.get(big);
                byte[] original = hostile.get(big);
                assertThat(header(letter, "dead-letter-cause")).as(big).isEqualTo("too_large");
                assertThat(header(letter, "dead-letter-truncated")).as(big).isEqualTo("true");
                assertThat(header(letter, "dead-letter-original-size")).as(big)
                        .isEqualTo(String.valueOf(original.length));
                assertThat(header(letter, "dead-letter-original-sha256")).as(big)
                        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original)));
                assertThat(letter.value().length).as(big).isLessThan(1 << 20).isPositive();
                assertThat(text(letter.value())).as("a prefix of the original").isEqualTo(
                        new String(original, 0, letter.value().length, StandardCharsets.UTF_8));
            }
            assertThat(header(byCase.get("price-1e400"), "dead-letter-reason"))
                    .isEqualTo("update.price: must be less than 1000000000000 in magnitude");
            assertThat(header(byCase.get("nesting-2000"), "dead-letter-reason"))
                    .startsWith("payload: over a parser limit (");
            assertThat(header(byCase.get("reason-echo"), "dead-letter-reason")).hasSizeLessThanOrEqualTo(4096)
                    .endsWith(" more problems");
            assertThat(byCase.get("tombstone").value()).isNull();
            assertThat(header(byCase.get("tombstone"), "dead-letter-reason"))
                    .startsWith("payload: is null (a tombstone)");

            ConsumerRecord<byte[], byte[]> forged = byCase.get("forged-headers");
            for (String name : List.of("dead-letter-offset", "dead-letter-reason", "relay-command-offset")) {
                List<Header> all = new ArrayList<>();
                forged.headers().headers(name).forEach(all::add);
                assertThat(all).as("%s: the relay's own only", name).hasSizeLessThanOrEqualTo(1);
            }
            assertThat(header(forged, "dead-letter-reason")).startsWith("payload: not valid JSON");
            assertThat(header(forged, "dead-letter-offset")).isNotEqualTo("999999");
            assertThat(forged.headers().lastHeader("relay-command-offset")).isNull();

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                            ConsumerLag.of(RelayTestEnvironment.kafka(), "mass-message-relay", Topics.COMMANDS))
                            .as("every record committed").isZero());
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> outcomes(KafkaTestClient kafka, String run) {
        return kafka.seen(r -> !r.topic().equals(Topics.DEAD_LETTER) && text(r.value()).contains("\"" + run + "-ok"));
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(KafkaTestClient kafka, String key) {
        return kafka.seen(r -> r.topic().equals(Topics.DEAD_LETTER) && key.equals(text(r.key())));
    }
}
