package io.massmessage.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.testing.VirtualTime;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulator's rules, dialects and rate windows, over real HTTP with an injected clock. */
class ProviderSimulatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OF_KEY = "Bearer sim-key-onlyfansapi";
    private final HttpClient http = HttpClient.newHttpClient();
    private final VirtualTime clock = new VirtualTime(Instant.parse("2026-11-22T10:00:00Z"));
    private Vertx vertx;
    private ProviderSimulator simulator;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        simulator = ProviderSimulator.start(vertx, 0, new SimulatorSettings(), clock);
    }

    @AfterEach
    void stop() {
        simulator.close();
        vertx.close();
    }

    private HttpResponse<String> put(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(simulator.baseUrl() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void onlyFansApiChecksItsKeyAndDocumentedRules() throws Exception {
        String path = "/api/acct_A/mass-messaging/1";
        assertThat(put(path, "{\"text\":\"x\"}").statusCode()).isEqualTo(401);
        assertThat(put(path, "{\"text\":\"x\"}", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> noText = put(path, "{\"price\":0}", "Authorization", OF_KEY);
        assertThat(noText.statusCode()).isEqualTo(400);
        assertThat(json(noText).path("message").asText()).isEqualTo("The text field is required.");
        assertThat(json(put(path, "{\"text\":\"x\",\"price\":2,\"mediaFiles\":[\"m\"]}", "Authorization", OF_KEY))
                .path("message").asText()).isEqualTo("The price field must be 0 or between 3 and 200.");
        assertThat(json(put(path, "{\"text\":\"x\",\"price\":10}", "Authorization", OF_KEY)).path("message").asText())
                .isEqualTo("The media files field is required when price is not 0.");
        assertThat(
                json(put(path, "{\"text\":\"x\",\"mediaFiles\":[\"a\"],\"previews\":[\"b\"]}", "Authorization", OF_KEY))
                        .path("message").asText())
                .isEqualTo("All previews must also exist in the mediaFiles array.");

        HttpResponse<String> ok = put(path, "{\"text\":\"x\",\"price\":10,\"mediaFiles\":[\"a\"],\"previews\":[\"a\"]}",
                "Authorization", OF_KEY);
        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode body = json(ok);
        assertThat(body.path("data").path("isDone").asBoolean()).isFalse();
        assertThat(body.path("_meta").path("_credits").path("used").asInt()).isEqualTo(1);
        assertThat(body.path("_meta").path("_rate_limits").path("limit_minute").asInt()).isEqualTo(1000);
        assertThat(ok.headers().firstValue("x-rate-limit-remaining-minute")).isPresent();
        assertThat(ok.headers().firstValue("x-rate-limit-limit-day")).hasValue("50000");
    }

    @Test
    void fansMetricTakesBearerOrXApiKeyAndAnswersFlatErrors() throws Exception {
        String path = "/v1/123/mass-messages/queue/456";
        assertThat(put(path, "{\"text\":\"x\"}", "Authorization", "Bearer sim-key-fansmetric").statusCode())
                .isEqualTo(200);
        assertThat(put(path, "{\"text\":\"y\"}", "X-API-Key", "sim-key-fansmetric").statusCode()).isEqualTo(200);
        HttpResponse<String> unauthorized = put(path, "{}");
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(json(unauthorized).path("error").asText()).isEqualTo("Invalid API key");
        HttpResponse<String> tooLarge = put(path, "{\"text\":\"" + "x".repeat(1024 * 1024) + "\"}", "X-API-Key",
                "sim-key-fansmetric");
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        simulator.deliver("fansmetric", "123", "456");
        HttpResponse<String> delivered = put(path, "{\"text\":\"z\"}", "X-API-Key", "sim-key-fansmetric");
        assertThat(delivered.statusCode()).isEqualTo(409);
        assertThat(json(delivered).path("error").asText()).isEqualTo("Cannot edit a delivered message");
    }

    @Test
    void fanslyAnswersInItsEnvelope() throws Exception {
        String path = "/api/fansly/acc1/mass-messaging/scheduled/s1";
        HttpResponse<String> missing = put(path, "{\"mediaIds\":[\"m\"]}", "x-api-key", "sim-key-fansly");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(json(missing).path("statusCode").asInt()).isEqualTo(400);
        assertThat(json(missing).path("message").asText()).isEqualTo("content is required");
        HttpResponse<String> ok = put(path,
                "{\"content\":\"hi\",\"scheduledFor\":" + (clock.millis() + 3_600_000) + "}",
                "x-api-key", "sim-key-fansly");
        assertThat(json(ok).path("data").path("data").path("success").asBoolean()).isTrue();
        assertThat(ok.headers().firstValue("X-RateLimit-Plan")).hasValue("pro");
        // the message is now due in an hour; once that passes it cannot be edited
        clock.advance(3_600_001);
        HttpResponse<String> late = put(path, "{\"content\":\"again\"}", "x-api-key", "sim-key-fansly");
        assertThat(late.statusCode()).isEqualTo(200);
        assertThat(json(late).path("data").path("data").path("success").asBoolean()).isFalse();
        assertThat(json(late).path("data").path("data").path("response").asText()).isEqualTo("message already sent");
    }

    @Test
    void unknownIdsAre404() throws Exception {
        assertThat(
                put("/api/acct_A/mass-messaging/missing-1", "{\"text\":\"x\"}", "Authorization", OF_KEY).statusCode())
                .isEqualTo(404);
    }

    @Test
    void onlyFansApiCountsCalendarMinutesAndSaysWhenToRetry() throws Exception {
        simulator.settings().perMinute.put("onlyfansapi", 2L);
        clock.set(Instant.parse("2026-11-22T10:00:59Z").toEpochMilli());
        String path = "/api/acct_A/mass-messaging/1";
        assertThat(put(path, "{\"text\":\"1\"}", "Authorization", OF_KEY).statusCode()).isEqualTo(200);
        assertThat(put(path, "{\"text\":\"2\"}", "Authorization", OF_KEY).headers()
                .firstValue("x-rate-limit-remaining-minute"))
                .hasValue("0");
        HttpResponse<String> limited = put(path, "{\"text\":\"3\"}", "Authorization", OF_KEY);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        clock.set(Instant.parse("2026-11-22T10:01:00Z").toEpochMilli());
        assertThat(put(path, "{\"text\":\"4\"}", "Authorization", OF_KEY).statusCode()).isEqualTo(200);
    }

    @Test
    void fansMetric429CarriesNoRetryAfter() throws Exception {
        simulator.settings().perMinute.put("fansmetric", 1L);
        String path = "/v1/1/mass-messages/queue/2";
        put(path, "{\"text\":\"1\"}", "X-API-Key", "sim-key-fansmetric");
        HttpResponse<String> limited = put(path, "{\"text\":\"2\"}", "X-API-Key", "sim-key-fansmetric");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).isEmpty();
        assertThat(json(limited).path("_meta").path("_rate_limits").path("remaining_minute").asInt()).isZero();
    }

    @Test
    void fanslyUsesASlidingSixtySecondWindow() throws Exception {
        simulator.settings().perMinute.put("fansly", 3L);
        String path = "/api/fansly/a/mass-messaging/scheduled/s";
        long start = clock.millis();
        for (int i = 0; i < 3; i++) {
            clock.set(start + i * 10_000L);
            assertThat(put(path, "{\"content\":\"" + i + "\"}", "x-api-key", "sim-key-fansly").statusCode())
                    .isEqualTo(200);
        }
        clock.set(start + 30_000);
        HttpResponse<String> limited = put(path, "{\"content\":\"x\"}", "x-api-key", "sim-key-fansly");
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("X-RateLimit-Retry-After")).hasValue("30");
        assertThat(limited.headers().firstValue("X-RateLimit-Remaining")).hasValue("0");
        clock.set(start + 60_001); // the first request has left the window; a fixed window would still be full
        assertThat(put(path, "{\"content\":\"y\"}", "x-api-key", "sim-key-fansly").statusCode()).isEqualTo(200);
        clock.set(start + 60_002);
        assertThat(put(path, "{\"content\":\"z\"}", "x-api-key", "sim-key-fansly").statusCode()).isEqualTo(429);
    }

    @Test
    void countsOrderPerMessageAndStatuses() throws Exception {
        for (int i = 0; i < 3; i++) {
            put("/api/acct_A/mass-messaging/7", "{\"text\":\"u" + i + "\"}", "Authorization", OF_KEY);
        }
        put("/api/acct_A/mass-messaging/7", "{}", "Authorization", OF_KEY);
        assertThat(simulator.counters().updatesByMessage()).containsEntry("onlyfansapi:acct_A:7",
                List.of("u0", "u1", "u2"));
        assertThat(simulator.counters().byProviderStatus()).containsEntry("onlyfansapi 200", 3L)
                .containsEntry("onlyfansapi 400", 1L);
        assertThat(simulator.counters().total()).isEqualTo(4);
        assertThat(simulator.counters().maxConcurrent()).isEqualTo(1);
    }

    @Test
    void injectsServerErrorsAndLatencyFromItsSettings() throws Exception {
        simulator.settings().serverErrorRate = 1.0;
        assertThat(put("/api/acct_A/mass-messaging/1", "{\"text\":\"x\"}", "Authorization", OF_KEY).statusCode())
                .isEqualTo(500);
        assertThat(Latency.parse("uniform:100-500")).isEqualTo(new Latency.Uniform(100, 500));
        assertThat(Latency.parse("lognormal:200,0.5")).isEqualTo(new Latency.LogNormal(200, 0.5));
        assertThat(Latency.parse("300")).isEqualTo(new Latency.Fixed(300));
    }

    @Test
    void adminApiChangesSettingsAtRunTimeAndReportsCounters() throws Exception {
        HttpResponse<String> changed = http.send(HttpRequest
                .newBuilder(URI.create(simulator.baseUrl() + "/_sim/settings"))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"latency\":\"uniform:1-2\",\"perMinute\":{\"fansly\":600},"
                        + "\"serverErrorRate\":0.0,\"fanslyPlan\":\"basic\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(simulator.settings().latency).isEqualTo(new Latency.Uniform(1, 2));
        assertThat(simulator.settings().perMinute).containsEntry("fansly", 600L);
        assertThat(json(changed).path("apiKeys").path("fansly").asText()).isEqualTo("***");
        put("/api/fansly/a/mass-messaging/scheduled/s", "{\"content\":\"c\"}", "x-api-key", "sim-key-fansly");
        HttpResponse<String> counters = http
                .send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/_sim/counters"))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json(counters).path("byProviderStatus").path("fansly 200").asInt()).isEqualTo(1);
        assertThat(json(counters).path("updatesByMessage").path("fansly:a:s").get(0).asText()).isEqualTo("c");
    }

}
