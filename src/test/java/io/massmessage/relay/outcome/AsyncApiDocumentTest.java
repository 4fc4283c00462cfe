package io.massmessage.relay.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.testing.AsyncApi;
import io.massmessage.relay.testing.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The AsyncAPI document names the topics the channels use, and its schemas accept what the relay and
 * the contract produce and reject what they must not. The end-to-end tests validate every outcome and
 * dead-letter record the running service produces against the same schemas.
 */
class AsyncApiDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    @Test
    void channelAddressesAreTheConfiguredTopics() throws IOException {
        Properties app = new Properties();
        try (var in = Files.newInputStream(Path.of("src/main/resources/application.properties"))) {
            app.load(in);
        }
        JsonNode channels = AsyncApi.document().path("channels");
        Map<String, String> expected = Map.of(
                "commands", "mp.messaging.incoming.commands.topic",
                "deadLetter", "mp.messaging.incoming.commands.dead-letter-queue.topic",
                "succeeded", "relay.topics.succeeded",
                "failed", "relay.topics.failed",
                "rateLimited", "relay.topics.rate-limited");
        expected.forEach((channel, property) -> assertThat(channels.at("/" + channel + "/address").asText()).as(channel)
                .isEqualTo(app.getProperty(property)));
        assertThat(channels.size()).isEqualTo(expected.size());
        assertThat(AsyncApi.document().path("asyncapi").asText()).startsWith("3.");
    }

    @Test
    void theCommandSchemaAcceptsContractCommandsAndRejectsIncompleteOnes() throws IOException {
        String contractExample = "{\"commandId\":\"0b5d7c1e\",\"provider\":\"onlyfansapi\",\"account\":\"acct_X\","
                + "\"messageId\":\"1234567890\",\"issuedAt\":\"2026-11-22T10:00:00Z\",\"update\":{\"text\":\"Hello!\","
                + "\"lockedText\":true,\"price\":10,\"mediaIds\":[\"m1\"],\"previewIds\":[\"m1\"],\"userLists\":[\"fans\"],"
                + "\"userIds\":[\"1\"],\"excludedLists\":[],\"giphyId\":\"g\",\"scheduledAt\":\"2026-12-01T15:00:00Z\"},"
                + "\"providerOptions\":{}}";
        assertThat(AsyncApi.problems("UpdateCommand", JSON.readTree(contractExample))).isEmpty();
        assertThat(AsyncApi.problems("UpdateCommand",
                JSON.readTree(Commands.command("c1", "fansly", "f1", "9", "{\"text\":\"x\"}")))).isEmpty();
        assertThat(AsyncApi.problems("UpdateCommand", JSON.readTree("{\"commandId\":\"c\",\"provider\":\"myspace\","
                + "\"account\":\"a\",\"messageId\":\"1\",\"update\":{}}"))).hasSize(2);
    }

    @Test
    void theOutcomeSchemaAcceptsEventsTheRelayWritesAndRejectsDrift() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree("{\"commandId\":\"c\",\"provider\":\"fansly\",\"account\":\"a\","
                + "\"messageId\":\"1\",\"outcome\":\"rate_limited\",\"attempts\":1,\"occurredAt\":\"2026-11-22T10:00:01.234Z\","
                + "\"durationMs\":231,\"httpStatus\":429,\"rateLimit\":{\"limitMinute\":600,\"remainingMinute\":0,"
                + "\"retryAfterMs\":30000,\"retryAt\":\"2026-11-22T10:00:31.234Z\"},\"credits\":{\"used\":1,\"balance\":9}}");
        assertThat(AsyncApi.problems("OutcomeEvent", event)).isEmpty();
        event.put("empty", false); // the kind of field a stray getter once leaked into events
        assertThat(AsyncApi.problems("OutcomeEvent", event)).hasSize(1);
        event.remove("empty");
        event.put("outcome", "maybe");
        assertThat(AsyncApi.problems("OutcomeEvent", event)).hasSize(1);
        event.put("outcome", "failed");
        event.putObject("error").put("category", "teapot").put("detail", "x");
        assertThat(AsyncApi.problems("OutcomeEvent", event)).hasSize(1);
    }
}
