package io.massmessage.relay.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.RelayTestEnvironment;
import io.massmessage.relay.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A record that stays unfinished longer than the throttled commit's
 * {@code unprocessed-record-max-age.ms} (a wedged consumer: its offsets can no longer move) turns
 * liveness DOWN, so Kubernetes restarts the pod; readiness and liveness are UP before.
 */
@QuarkusTest
@QuarkusTestResource(RelayTestEnvironment.class)
@TestProfile(WedgedConsumerLivenessTest.ShortMaxAge.class)
class WedgedConsumerLivenessTest {

    /** Records older than 2 s count as wedged; the command below waits 120 s for its budget. */
    public static class ShortMaxAge implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "mp.messaging.incoming.commands.throttled.unprocessed-record-max-age.ms", "2000",
                    "relay.rate-limit.max-wait", "600s",
                    "providers.fansly.accounts.fywedged.api-key", "test-key-wedged");
        }
    }

    @TestHTTPResource("/q/health/live")
    URL live;

    @Test
    void livenessGoesDownWhenARecordStaysUnfinishedPastItsMaxAge() throws Exception {
        assertThat(status(live.toURI())).isEqualTo(200);
        RelayTestEnvironment.wireMock().stubFor(put(urlEqualTo("/api/fansly/fywedged/mass-messaging/scheduled/1"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));
        try (var kafka = new KafkaTestClient(RelayTestEnvironment.kafka().bootstrapServers())) {
            kafka.send(Topics.COMMANDS, key("fansly", "fywedged"), command("wedged-1", "fansly", "fywedged", "1", "{\"text\":\"x\"}"));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> status(live.toURI()) == 503);
        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(live.toURI()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(body).contains("\"status\": \"DOWN\"").contains("commands");
    }

    private static int status(URI uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
