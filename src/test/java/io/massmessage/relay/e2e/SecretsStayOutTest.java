package io.massmessage.relay.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static io.massmessage.relay.testing.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.RelayTestEnvironment;
import io.massmessage.relay.testing.Topics;
import io.quarkus.logging.json.runtime.JsonFormatter;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A provider that echoes the API key and the message text back in its errors: neither may reach the
 * logs (captured at DEBUG), the outcome events, or the dead-letter reasons.
 */
@QuarkusTest
@QuarkusTestResource(RelayTestEnvironment.class)
@TestProfile(SecretsStayOutTest.CanaryKey.class)
class SecretsStayOutTest {

    static final String CANARY_KEY = "canary-key-5f1e2d9c";
    static final String CANARY_TEXT = "canary text 7d3a: secret offer";

    /** The canary key for FansMetric, and every relay log at DEBUG. */
    public static class CanaryKey implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("providers.fansmetric.api-key", CANARY_KEY,
                    "quarkus.log.category.\"io.massmessage\".level", "DEBUG",
                    "quarkus.log.category.\"io.massmessage.relay.flow.RelayPipeline\".level", "DEBUG",
                    "quarkus.log.category.\"io.massmessage.relay.outcomes\".level", "DEBUG");
        }
    }

    @Test
    void neitherTheKeyNorTheMessageTextLeaks() throws Exception {
        List<String> logs = new CopyOnWriteArrayList<>();
        List<String> jsonLines = new CopyOnWriteArrayList<>();
        var json = new JsonFormatter(); // the formatter production writes with
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                jsonLines.add(json.format(record)); // what production writes for this record
                String message = record.getMessage();
                Object[] params = record.getParameters();
                logs.add(params == null ? String.valueOf(message) : message + " " + Arrays.toString(params));
                if (record.getThrown() != null) {
                    logs.add(String.valueOf(record.getThrown()));
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger root = Logger.getLogger("");
        root.addHandler(capture);
        try {
            String run = UUID.randomUUID().toString().substring(0, 8);
            String echo = "{\"error\":\"bad key " + CANARY_KEY + " for text " + CANARY_TEXT + "\"}";
            var wireMock = RelayTestEnvironment.wireMock();
            String path = "/v1/5550001/mass-messages/queue/.*";
            wireMock.stubFor(
                    put(urlPathMatching(path)).atPriority(1).inScenario(run).whenScenarioStateIs(Scenario.STARTED)
                            .willReturn(aResponse().withStatus(503).withBody(echo)).willSetStateTo("refusing"));
            wireMock.stubFor(put(urlPathMatching(path)).atPriority(1).inScenario(run).whenScenarioStateIs("refusing")
                    .willReturn(aResponse().withStatus(400).withBody(echo)));
            try (KafkaTestClient kafka = new KafkaTestClient(RelayTestEnvironment.kafka().bootstrapServers(),
                    Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED, Topics.DEAD_LETTER)) {
                kafka.send(Topics.COMMANDS, key("fansmetric", "5550001"),
                        command(run + "-c", "fansmetric", "5550001", "1",
                                "{\"text\":\"" + CANARY_TEXT + "\"}"));
                kafka.send(Topics.COMMANDS, key("fansmetric", "5550001"),
                        command(run + "-bad", "fansmetric", "5550001", "1",
                                "{\"text\":\"" + CANARY_TEXT + "\",\"giphyId\":7}"));
                await().atMost(Duration.ofSeconds(60)).until(() -> kafka.poll().stream()
                        .filter(r -> text(r.value()).contains(run)).count() >= 2);
                var event = kafka.seen(r -> r.topic().equals(Topics.FAILED) && text(r.value()).contains(run + "-c"))
                        .get(0);
                assertThat(text(event.value())).contains("[redacted]").contains("[message text]")
                        .doesNotContain(CANARY_KEY).doesNotContain(CANARY_TEXT).contains("\"attempts\":2");
                var dead = kafka
                        .seen(r -> r.topic().equals(Topics.DEAD_LETTER) && text(r.value()).contains(run + "-bad"))
                        .get(0);
                dead.headers().forEach(
                        h -> assertThat(text(h.value())).doesNotContain(CANARY_KEY).doesNotContain(CANARY_TEXT));
            }
            assertThat(logs).anyMatch(line -> line.contains(run + "-c")); // the capture sees the relay's lines
            assertThat(logs).anyMatch(line -> line.contains("retrying in")); // including DEBUG
            assertThat(logs).anyMatch(line -> line.contains("outcome failed")); // and the line per outcome
            assertThat(logs).noneMatch(line -> line.contains(CANARY_KEY)).noneMatch(line -> line.contains(CANARY_TEXT));
            assertThat(jsonLines).noneMatch(line -> line.contains(CANARY_KEY))
                    .noneMatch(line -> line.contains(CANARY_TEXT));
            // every line about the command carries its identity in the MDC: the retry and the outcome
            var mapper = new ObjectMapper();
            List<JsonNode> aboutIt = new ArrayList<>();
            for (String line : jsonLines) {
                var node = mapper.readTree(line);
                if (node.path("message").asText().contains(run + "-c")) {
                    aboutIt.add(node);
                }
            }
            assertThat(aboutIt).hasSizeGreaterThanOrEqualTo(2).allSatisfy(node -> {
                assertThat(node.at("/mdc/commandId").asText()).isEqualTo(run + "-c");
                assertThat(node.at("/mdc/provider").asText()).isEqualTo("fansmetric");
                assertThat(node.at("/mdc/account").asText()).isEqualTo("5550001");
                assertThat(node.at("/mdc/messageId").asText()).isEqualTo("1");
            });
            assertThat(aboutIt).anyMatch(node -> node.path("message").asText().contains("retrying in"))
                    .anyMatch(node -> node.path("message").asText().startsWith("outcome failed"));
        } finally {
            root.removeHandler(capture);
        }
    }
}
