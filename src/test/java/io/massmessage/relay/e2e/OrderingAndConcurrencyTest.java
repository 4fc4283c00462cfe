package io.massmessage.relay.e2e;

import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static io.massmessage.relay.testing.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.RelayTestEnvironment;
import io.massmessage.relay.testing.Topics;
import io.massmessage.simulator.Latency;
import io.massmessage.simulator.ProviderSimulator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * 1,000 commands over 50 messages of three providers, through the real broker to the simulator:
 * exactly 1,000 outcomes, each message's updates applied in command order, and different messages
 * in flight together far beyond the partition count.
 */
@QuarkusTest
@QuarkusTestResource(RelayTestEnvironment.class)
class OrderingAndConcurrencyTest {

    private static final int MESSAGES = 50;
    private static final int UPDATES_PER_MESSAGE = 20;

    private final ProviderSimulator simulator = RelayTestEnvironment.simulator();

    @AfterEach
    void quiet() {
        simulator.settings().latency = new Latency.Fixed(0);
    }

    @Test
    void keepsEachMessagesOrderWhileRunningMessagesConcurrently() {
        String run = UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        simulator.settings().latency = new Latency.Uniform(100, 150);
        List<String> messageKeys = new ArrayList<>();
        Map<String, String[]> messages = new HashMap<>();
        for (int m = 0; m < MESSAGES; m++) {
            String[] target = switch (m % 3) {
                case 0 -> new String[]{"onlyfansapi", "acct_" + run + (m % 5)};
                case 1 -> new String[]{"fansmetric", String.valueOf(700_000 + (m % 5))};
                default -> new String[]{"fansly", "fy" + run + (m % 5)};
            };
            String id = String.valueOf(Math.abs((long) run.hashCode()) * 100 + m); // numeric, as fansmetric needs
            String messageKey = target[0] + ":" + target[1] + ":" + id;
            messageKeys.add(messageKey);
            messages.put(messageKey, new String[]{target[0], target[1], id});
        }
        // Commands interleave messages, as a CRM emitting many changes would.
        List<Map.Entry<String, String>> records = new ArrayList<>();
        for (int seq = 0; seq < UPDATES_PER_MESSAGE; seq++) {
            for (String messageKey : messageKeys) {
                String[] t = messages.get(messageKey);
                records.add(Map.entry(key(t[0], t[1]), command(run + "-" + messageKey + "-" + seq, t[0], t[1], t[2],
                        "{\"text\":\"" + run + "-seq-" + String.format("%02d", seq) + "\"}")));
            }
        }
        List<byte[]> outcomes = new ArrayList<>();
        try (KafkaTestClient kafka = new KafkaTestClient(RelayTestEnvironment.kafka().bootstrapServers(),
                Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED, Topics.DEAD_LETTER)) {
            long t0 = System.nanoTime();
            kafka.sendAll(Topics.COMMANDS, records);
            long t1 = System.nanoTime();
            await().atMost(Duration.ofSeconds(120)).until(() -> kafka.poll().stream()
                    .filter(r -> text(r.value()).contains("\"commandId\":\"" + run + "-")).count() >= records.size());
            System.out.printf("ordering test: produced in %d ms, all outcomes after %d ms%n",
                    (t1 - t0) / 1_000_000, (System.nanoTime() - t0) / 1_000_000);
            var mine = kafka.seen(r -> text(r.value()).contains("\"commandId\":\"" + run + "-"));
            outcomes.addAll(mine.stream().map(r -> r.value()).toList());
            assertThat(mine).hasSize(MESSAGES * UPDATES_PER_MESSAGE);
            assertThat(mine).allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.SUCCEEDED));
            assertThat(mine.stream().map(r -> text(r.value())).distinct().count()).isEqualTo(mine.size());
        }

        List<String> expected = IntStream.range(0, UPDATES_PER_MESSAGE)
                .mapToObj(seq -> run + "-seq-" + String.format("%02d", seq)).collect(Collectors.toList());
        Map<String, List<String>> applied = simulator.counters().updatesByMessage();
        for (String messageKey : messageKeys) {
            List<String> sent = applied.get(messageKey);
            if (messageKey.startsWith("fansly:")) {
                // fansly's update replaces the message: never coalesced, every update sent in turn
                assertThat(sent).as("updates applied to %s", messageKey).isEqualTo(expected);
            } else {
                // commands that waited behind a request were merged into the next one: what the provider saw is
                // a subsequence of the commands, in their order, ending with the last
                assertThat(sent).as("updates applied to %s", messageKey).doesNotHaveDuplicates()
                        .endsWith(expected.get(expected.size() - 1));
                assertThat(expected).as("updates applied to %s, in order", messageKey).containsSubsequence(sent);
            }
        }
        for (String messageKey : messageKeys) {
            String prefix = run + "-" + messageKey + "-";
            List<Integer> outcomeOrder = outcomes.stream().map(OrderingAndConcurrencyTest::commandId)
                    .filter(id -> id.startsWith(prefix)).map(id -> Integer.parseInt(id.substring(prefix.length())))
                    .toList();
            assertThat(outcomeOrder).as("outcomes of %s in the order of its commands", messageKey).isSorted()
                    .hasSize(UPDATES_PER_MESSAGE);
        }
        System.out.printf("ordering test: %d commands, %d messages, max concurrent provider requests %d%n",
                MESSAGES * UPDATES_PER_MESSAGE, MESSAGES, simulator.counters().maxConcurrent());
        assertThat(simulator.counters().maxConcurrent())
                .as("requests open at once (partitions: %d)", RelayTestEnvironment.PARTITIONS)
                .isGreaterThanOrEqualTo(4 * RelayTestEnvironment.PARTITIONS);
    }

    private static String commandId(byte[] outcome) {
        try {
            return new ObjectMapper().readTree(outcome).path("commandId").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
