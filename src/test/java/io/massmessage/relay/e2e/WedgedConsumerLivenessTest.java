package io.massmessage.relay.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.flow.StallWatch;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.OutcomeRecords;
import io.massmessage.relay.testing.RelayTestEnvironment;
import io.massmessage.relay.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Liveness tells a wedged command from one waiting by design: a command waiting minutes for its key's budget
 * after a 429 (as one waits through a long provider outage behind an open breaker) keeps liveness UP past
 * {@code relay.stall-limit}; a stage stuck working past it turns liveness DOWN, so Kubernetes restarts the pod.
 */
@QuarkusTest
@QuarkusTestResource(RelayTestEnvironment.class)
@TestProfile(WedgedConsumerLivenessTest.ShortStallLimit.class)
class WedgedConsumerLivenessTest {

    /** Stages working for more than 2 s count as stalled; the command below waits 120 s for its budget. */
    public static class ShortStallLimit implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "relay.stall-limit", "2s",
                    "relay.rate-limit.max-wait", "600s",
                    "providers.fansly.accounts.fywedged.api-key", "test-key-wedged");
        }
    }

    @TestHTTPResource("/q/health/live")
    URL live;

    @Inject
    StallWatch watch;

    @Test
    void aCommandWaitingMinutesForItsBudgetKeepsLivenessUp() throws Exception {
        assertThat(status(live.toURI())).isEqualTo(200);
        int watchedBefore = watch.size();
        RelayTestEnvironment.wireMock().stubFor(put(urlEqualTo("/api/fansly/fywedged/mass-messaging/scheduled/1"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));
        try (var kafka = new KafkaTestClient(RelayTestEnvironment.kafka().bootstrapServers(),
                Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED)) {
            kafka.send(Topics.COMMANDS, key("fansly", "fywedged"),
                    command("wedged-1", "fansly", "fywedged", "1", "{\"text\":\"x\"}"));
            await().atMost(Duration.ofSeconds(20)).until(() -> !RelayTestEnvironment.wireMock()
                    .findAll(putRequestedFor(urlEqualTo("/api/fansly/fywedged/mass-messaging/scheduled/1"))).isEmpty());
            // twice the stall limit and more: it waits for its budget, by design, and liveness stays UP
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                    .until(() -> status(live.toURI()) == 200);
            assertThat(watch.size()).as("the command is still waiting").isGreaterThan(watchedBefore);
            assertThat(OutcomeRecords.commandIds(kafka)).as("no outcome yet").doesNotContain("wedged-1");
        }
    }

    @Test
    void aStageStuckWorkingPastTheStallLimitTurnsLivenessDown() throws Exception {
        assertThat(status(live.toURI())).isEqualTo(200);
        StallWatch.Watched stuck = watch.begin(() -> "commands-0@42 (a stage that lost its completion)");
        stuck.working();
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> status(live.toURI()) == 503);
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(live.toURI()).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(body).contains("\"status\": \"DOWN\"").contains("stalled-commands").contains("commands-0@42");
        } finally {
            stuck.ended();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> status(live.toURI()) == 200);
    }

    private static int status(URI uri) throws Exception {
        return HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
