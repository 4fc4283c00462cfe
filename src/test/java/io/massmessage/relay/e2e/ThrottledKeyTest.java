package io.massmessage.relay.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static io.massmessage.relay.testing.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.intake.PendingBounds;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.RelayTestEnvironment;
import io.massmessage.relay.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.inject.Inject;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One API key throttled by its provider must not hold up other accounts; when the relay has as many
 * commands pending as it allows, it pauses the partitions instead of buffering, and resumes when
 * the budget opens.
 */
@QuarkusTest
@QuarkusTestResource(RelayTestEnvironment.class)
@TestProfile(ThrottledKeyTest.SmallLimits.class)
class ThrottledKeyTest {

    /** Few connections, few pending commands, small polls; one account with a key of its own. */
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "relay.max-in-flight", "4",
                    // the plan's limit; the fast key's provider (the simulator) reports a far higher one
                    "providers.onlyfansapi.requests-per-minute", "30",
                    "relay.max-pending", "30",
                    "relay.rate-limit.max-wait", "600s",
                    "mp.messaging.incoming.commands.max.poll.records", "5",
                    "providers.onlyfansapi.accounts.acct_slow.api-key", "test-key-slow");
        }
    }

    @Inject
    KafkaClientService kafkaClients;

    @Inject
    PendingBounds gate;

    @TestHTTPResource("/q/health")
    URL health;

    private static String limitedBody() {
        return "{\"data\":{\"id\":1},\"_meta\":{\"_rate_limits\":{\"limit_minute\":30,\"remaining_minute\":29}}}";
    }

    @Test
    void otherAccountsKeepFlowingWhileOneKeyWaitsThenThePartitionsPauseAndResume() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        var wireMock = RelayTestEnvironment.wireMock();
        // The slow key's provider allows 30 requests a minute: one every 2 s.
        wireMock.stubFor(put(urlPathMatching("/api/acct_slow/mass-messaging/.*")).atPriority(1)
                .willReturn(aResponse().withStatus(200).withBody(limitedBody())));
        List<Map.Entry<String, String>> slow = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            slow.add(Map.entry(key("onlyfansapi", "acct_slow"),
                    command(run + "-slow-" + i, "onlyfansapi", "acct_slow", "m" + i, "{\"text\":\"s\"}")));
        }
        List<Map.Entry<String, String>> fast = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String account = "acct_fast" + (i % 4);
            fast.add(Map.entry(key("onlyfansapi", account),
                    command(run + "-fast-" + i, "onlyfansapi", account, "f" + i, "{\"text\":\"f\"}")));
        }
        try (KafkaTestClient kafka = new KafkaTestClient(RelayTestEnvironment.kafka().bootstrapServers(),
                Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED)) {
            kafka.sendAll(Topics.COMMANDS, slow);
            kafka.sendAll(Topics.COMMANDS, fast);
            await().atMost(Duration.ofSeconds(60)).until(() -> count(kafka, run + "-fast-") == 40);
            assertThat(count(kafka, run + "-slow-")).as("slow-key outcomes when all fast ones were done")
                    .isLessThan(20);
            assertThat(kafka.seen(r -> text(r.value()).contains(run + "-fast-")))
                    .allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.SUCCEEDED));

            // Forty more for the slow key: its partition's share of the pending limit fills, and that partition pauses.
            List<Map.Entry<String, String>> more = new ArrayList<>();
            for (int i = 20; i < 60; i++) {
                more.add(Map.entry(key("onlyfansapi", "acct_slow"),
                        command(run + "-slow-" + i, "onlyfansapi", "acct_slow", "m" + i, "{\"text\":\"s\"}")));
            }
            kafka.sendAll(Topics.COMMANDS, more);
            await().atMost(Duration.ofSeconds(30)).until(() -> !paused().isEmpty());
            // only the slow account's partition is paused; the others stay open
            assertThat(paused()).hasSize(1);
            // counted when polled: the paused partition holds at least its share, the others' records have left
            assertThat(gate.held()).isEqualTo(paused());
            assertThat(gate.pending()).isGreaterThanOrEqualTo(gate.share());
            assertThat(kafkaClients.getConsumer("commands").getAssignments().await().atMost(Duration.ofSeconds(5)))
                    .hasSizeGreaterThan(1);
            // Waiting on one key is not a fault: liveness and readiness (Kafka channels, the throttled
            // commit's record-age check, the provider breakers) stay UP.
            HttpResponse<String> status = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(health.toURI()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
            assertThat(status.body()).contains("\"status\": \"UP\"").contains("provider-breakers")
                    .contains("onlyfansapi");

            // The provider raises the key's limit; the relay learns it from the next answer, drains and resumes.
            wireMock.stubFor(put(urlPathMatching("/api/acct_slow/mass-messaging/.*")).atPriority(1)
                    .willReturn(aResponse().withStatus(200).withBody(limitedBody().replace("\"limit_minute\":30",
                            "\"limit_minute\":60000"))));
            await().atMost(Duration.ofSeconds(60)).until(() -> count(kafka, run + "-slow-") == 60);
            await().atMost(Duration.ofSeconds(30)).until(() -> paused().isEmpty());
            await().atMost(Duration.ofSeconds(30)).until(() -> gate.pending() == 0 && gate.pendingBytes() == 0);
            assertThat(kafka.seen(r -> text(r.value()).contains(run + "-slow-")))
                    .allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.SUCCEEDED));
        }
    }

    private Set<?> paused() {
        return kafkaClients.getConsumer("commands").paused().await().atMost(Duration.ofSeconds(5));
    }

    private static long count(KafkaTestClient kafka, String prefix) {
        return kafka.poll().stream().filter(r -> text(r.value()).contains("\"commandId\":\"" + prefix)).count();
    }
}
