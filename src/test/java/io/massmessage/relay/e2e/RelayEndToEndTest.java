package io.massmessage.relay.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.massmessage.relay.testing.Commands.command;
import static io.massmessage.relay.testing.Commands.key;
import static io.massmessage.relay.testing.KafkaTestClient.header;
import static io.massmessage.relay.testing.KafkaTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.massmessage.relay.command.Rfc3339;
import io.massmessage.relay.intake.PendingBounds;
import io.massmessage.relay.testing.AsyncApi;
import io.massmessage.relay.testing.KafkaTestClient;
import io.massmessage.relay.testing.RelayTestEnvironment;
import io.massmessage.relay.testing.Topics;
import io.quarkus.arc.Arc;
import io.quarkus.smallrye.reactivemessaging.runtime.ConnectorContextPropagationDecorator;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.PublisherDecorator;
import io.vertx.core.Vertx;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay against a real Kafka broker and WireMock providers: one outcome or dead letter per command. */
@QuarkusTest
@QuarkusTestResource(RelayTestEnvironment.class)
class RelayEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OK_BODY = "{\"data\":{\"id\":123,\"date\":\"2026-12-01T15:00:00+00:00\",\"isReady\":true,"
            + "\"isDone\":false,\"total\":-1,\"pending\":0,\"canUnsend\":true,\"unsendSeconds\":1000000,\"hasError\":false,"
            + "\"isCanceled\":false},\"_meta\":{\"_credits\":{\"used\":1,\"balance\":999},"
            + "\"_rate_limits\":{\"limit_minute\":1000,\"limit_day\":50000,\"remaining_minute\":998,\"remaining_day\":49942}}}";
    private static final String FANSLY_OK = "{\"statusCode\":201,\"message\":\"Success\",\"data\":{\"status_code\":200,"
            + "\"data\":{\"success\":true,\"response\":\"broadcast sent\"}},\"timestamp\":\"2026-06-19T13:42:24.655Z\"}";

    private final WireMockServer wireMock = RelayTestEnvironment.wireMock();
    @jakarta.inject.Inject
    PendingBounds gate;
    private KafkaTestClient kafka;
    private String run;

    @BeforeEach
    void connect() {
        run = UUID.randomUUID().toString().substring(0, 8);
        kafka = new KafkaTestClient(RelayTestEnvironment.kafka().bootstrapServers(),
                Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED, Topics.DEAD_LETTER);
    }

    @AfterEach
    void disconnect() {
        kafka.close();
    }

    @jakarta.inject.Inject
    Vertx vertx;

    @Test
    void runsOnTheNativeTransportWhereThePlatformHasOne() {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && (arch.equals("amd64") || arch.equals("aarch64")), "epoll is shipped for Linux x86_64 and aarch64");
        assertThat(vertx.isNativeTransportEnabled()).as("Vert.x on epoll").isTrue();
    }

    @jakarta.inject.Inject
    ObjectMapper mapper;

    @Test
    void theServicesMapperWritesInstantsWithoutTheFormatter() throws Exception {
        assertThat(mapper.getSerializerProviderInstance().findValueSerializer(Instant.class))
                .isInstanceOf(Rfc3339.Serializer.class);
        Instant at = Instant.parse("2026-12-03T19:13:47.452361740Z");
        assertThat(mapper.writeValueAsString(Map.of("at", at)))
                .isEqualTo("{\"at\":\"2026-12-03T19:13:47.452361740Z\"}");
    }

    @Test
    void appliesAnUpdateAtEachProviderAndPublishesSucceeded() throws Exception {
        String ofAccount = "acct_" + run;
        wireMock.stubFor(put(urlEqualTo("/api/" + ofAccount + "/mass-messaging/11"))
                .willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        wireMock.stubFor(put(urlEqualTo("/api/fansly/fy-" + run + "/mass-messaging/scheduled/33"))
                .willReturn(aResponse().withStatus(200).withBody(FANSLY_OK)));
        String fmAccount = String.valueOf(1_000_000 + Math.abs(run.hashCode() % 1_000_000));
        wireMock.stubFor(put(urlEqualTo("/v1/" + fmAccount + "/mass-messages/queue/22"))
                .willReturn(aResponse().withStatus(200).withBody(OK_BODY)));

        kafka.send(Topics.COMMANDS, key("onlyfansapi", ofAccount), command(run + "-of", "onlyfansapi", ofAccount, "11",
                "{\"text\":\"Hello!\",\"price\":10,\"mediaIds\":[\"m1\",\"m2\"],\"previewIds\":[\"m1\"],"
                        + "\"scheduledAt\":\"2030-12-01T15:00:00Z\"}"));
        kafka.send(Topics.COMMANDS, key("fansmetric", fmAccount), command(run + "-fm", "fansmetric", fmAccount, "22",
                "{\"price\":9.5,\"scheduledAt\":\"2030-12-01T15:00:00+01:00\"}"));
        kafka.send(Topics.COMMANDS, key("fansly", "fy-" + run), command(run + "-fy", "fansly", "fy-" + run, "33",
                "{\"text\":\"Hi\",\"mediaIds\":[\"a\",\"b\"],\"previewIds\":[\"p\"],\"price\":10,"
                        + "\"scheduledAt\":\"2030-12-01T15:00:00Z\"}"));

        List<ConsumerRecord<byte[], byte[]>> results = awaitResults(3);
        assertThat(results).allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.SUCCEEDED));
        JsonNode of = event(results, run + "-of");
        assertThat(of.path("outcome").asText()).isEqualTo("succeeded");
        assertThat(of.path("attempts").asInt()).isEqualTo(1);
        assertThat(of.path("httpStatus").asInt()).isEqualTo(200);
        assertThat(of.path("message").path("id").asInt()).isEqualTo(123);
        assertThat(of.path("credits").path("balance").asLong()).isEqualTo(999);
        assertThat(of.path("rateLimit").path("remainingMinute").asLong()).isEqualTo(998);
        assertThat(text(recordOf(results, run + "-of").key())).isEqualTo("onlyfansapi:" + ofAccount + ":11");
        assertCloudEvent(recordOf(results, run + "-of"), "succeeded", run + "-of");
        assertCloudEvent(recordOf(results, run + "-fy"), "succeeded", run + "-fy");

        wireMock.verify(putRequestedFor(urlEqualTo("/api/" + ofAccount + "/mass-messaging/11"))
                .withHeader("Authorization", equalTo("Bearer test-key-onlyfansapi"))
                .withRequestBody(equalToJson("{\"text\":\"Hello!\",\"price\":10,\"mediaFiles\":[\"m1\",\"m2\"],"
                        + "\"previews\":[\"m1\"],\"scheduledDate\":\"2030-12-01T15:00:00.000Z\"}", false, false)));
        wireMock.verify(putRequestedFor(urlEqualTo("/v1/" + fmAccount + "/mass-messages/queue/22"))
                .withHeader("Authorization", equalTo("Bearer test-key-fansmetric"))
                .withRequestBody(equalToJson("{\"price\":\"9.5\",\"scheduledDate\":\"2030-12-01T14:00:00.000Z\"}",
                        false, false)));
        wireMock.verify(putRequestedFor(urlEqualTo("/api/fansly/fy-" + run + "/mass-messaging/scheduled/33"))
                .withHeader("x-api-key", equalTo("test-key-fansly"))
                .withRequestBody(equalToJson(
                        "{\"content\":\"Hi\",\"mediaIds\":[{\"mediaId\":\"a\",\"previewId\":\"p\"},"
                                + "{\"mediaId\":\"b\",\"previewId\":null}],\"price\":10,\"scheduledFor\":1922367600000}",
                        false, false)));
    }

    @Test
    void continuesTheCommandsTraceThroughTheProviderCallToTheOutcome() throws Exception {
        String account = "acct_" + run;
        String url = "/api/" + account + "/mass-messaging/77";
        wireMock.stubFor(put(urlEqualTo(url)).willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        String traceId = "4bf92f3577b34da6a3ce929d0e0e" + run.substring(0, 4);
        String parentSpan = "00f067aa0ba902b7";
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-tr", "onlyfansapi", account, "77", "{\"text\":\"x\"}"),
                Map.of("traceparent", "00-" + traceId + "-" + parentSpan + "-01"));

        ConsumerRecord<byte[], byte[]> outcome = recordOf(awaitResults(1), run + "-tr");
        String outTrace = header(outcome, "traceparent");
        assertThat(outTrace).as("traceparent on the outcome record").isNotNull()
                .matches("00-" + traceId + "-[0-9a-f]{16}-01")
                .doesNotContain(parentSpan);
        var calls = wireMock.findAll(putRequestedFor(urlEqualTo(url)));
        assertThat(calls).hasSize(1);
        String providerTrace = calls.get(0).getHeader("traceparent");
        assertThat(providerTrace).as("traceparent sent to the provider").matches("00-" + traceId + "-[0-9a-f]{16}-01")
                .isNotEqualTo(outTrace).doesNotContain(parentSpan);
    }

    @Test
    void theCommandStreamIsNotWrappedInContextPropagation() {
        // application.properties leaves Quarkus's per-record context-propagation operator out (its cost: README
        // "Benchmark"); the trace test above shows the trace still travels with each command without it
        assertThat(Arc.container()
                .select(ConnectorContextPropagationDecorator.class).isResolvable())
                .isFalse();
        assertThat(Arc.container().select(PublisherDecorator.class).stream()
                .map(decorator -> decorator.getClass().getName()))
                .noneMatch(name -> name.contains("ContextPropagation"));
    }

    @Test
    void permanentRefusalsFailAtOnceWithTheirCategory() throws Exception {
        String account = "acct_" + run;
        wireMock.stubFor(put(urlEqualTo("/api/" + account + "/mass-messaging/404"))
                .willReturn(aResponse().withStatus(404).withBody("{\"message\":\"Queue item not found\"}")));
        wireMock.stubFor(put(urlEqualTo("/api/" + account + "/mass-messaging/409"))
                .willReturn(aResponse().withStatus(409).withBody("{\"message\":\"already sent\"}")));
        wireMock.stubFor(put(urlEqualTo("/api/fansly/f" + run + "/mass-messaging/scheduled/1"))
                .willReturn(aResponse().withStatus(200).withBody("{\"statusCode\":200,\"message\":\"Success\","
                        + "\"data\":{\"status_code\":200,\"data\":{\"success\":false,\"response\":\"media not found\"}}}")));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-404", "onlyfansapi", account, "404", "{\"text\":\"x\"}"));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-409", "onlyfansapi", account, "409", "{\"text\":\"x\"}"));
        kafka.send(Topics.COMMANDS, key("fansly", "f" + run),
                command(run + "-fy", "fansly", "f" + run, "1", "{\"text\":\"x\"}"));

        List<ConsumerRecord<byte[], byte[]>> results = awaitResults(3);
        assertThat(results).allSatisfy(r -> assertThat(r.topic()).isEqualTo(Topics.FAILED));
        assertThat(event(results, run + "-404").path("error").path("category").asText()).isEqualTo("not_found");
        assertThat(event(results, run + "-404").path("error").path("providerBody").asText())
                .contains("Queue item not found");
        assertThat(event(results, run + "-404").path("attempts").asInt()).isEqualTo(1);
        assertThat(event(results, run + "-409").path("error").path("category").asText()).isEqualTo("not_editable");
        assertCloudEvent(recordOf(results, run + "-409"), "failed", run + "-409");
        JsonNode fansly = event(results, run + "-fy");
        assertThat(fansly.path("outcome").asText()).isEqualTo("failed");
        assertThat(fansly.path("error").path("category").asText()).isEqualTo("rejected");
        assertThat(fansly.path("error").path("detail").asText()).contains("success: false").contains("media not found");
    }

    @Test
    void retriesATransientFaultThenSucceeds() throws Exception {
        String account = "acct_" + run;
        String url = "/api/" + account + "/mass-messaging/5";
        wireMock.stubFor(put(urlEqualTo(url)).inScenario(run).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        wireMock.stubFor(put(urlEqualTo(url)).inScenario(run).whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-t", "onlyfansapi", account, "5", "{\"text\":\"x\"}"));

        JsonNode event = event(awaitResults(1), run + "-t");
        assertThat(event.path("outcome").asText()).isEqualTo("succeeded");
        assertThat(event.path("attempts").asInt()).isEqualTo(2);
    }

    @Test
    void waitsOutAShort429AndReportsALongOneAsRateLimited() throws Exception {
        String account = "fy" + run;
        String shortUrl = "/api/fansly/" + account + "/mass-messaging/scheduled/short";
        wireMock.stubFor(put(urlEqualTo(shortUrl)).inScenario(run).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("X-RateLimit-Limit", "600")
                        .withHeader("X-RateLimit-Remaining", "0").withHeader("X-RateLimit-Retry-After", "1"))
                .willSetStateTo("open"));
        wireMock.stubFor(put(urlEqualTo(shortUrl)).inScenario(run).whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(200).withBody(FANSLY_OK)));
        // A 429 closes the whole API key, so the long one uses an account with a key of its own.
        wireMock.stubFor(put(urlEqualTo("/api/fansly/fylong/mass-messaging/scheduled/" + run))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")));
        kafka.send(Topics.COMMANDS, key("fansly", account),
                command(run + "-short", "fansly", account, "short", "{\"text\":\"x\"}"));
        kafka.send(Topics.COMMANDS, key("fansly", "fylong"),
                command(run + "-long", "fansly", "fylong", run, "{\"text\":\"x\"}"));

        List<ConsumerRecord<byte[], byte[]>> results = awaitResults(2);
        JsonNode waited = event(results, run + "-short");
        assertThat(waited.path("outcome").asText()).isEqualTo("succeeded");
        assertThat(waited.path("attempts").asInt()).isEqualTo(2);
        assertThat(recordOf(results, run + "-long").topic()).isEqualTo(Topics.RATE_LIMITED);
        JsonNode limited = event(results, run + "-long");
        assertThat(limited.path("outcome").asText()).isEqualTo("rate_limited");
        assertThat(limited.path("httpStatus").asInt()).isEqualTo(429);
        assertThat(limited.path("rateLimit").path("retryAfterMs").asLong()).isBetween(115_000L, 120_000L);
        assertThat(limited.path("rateLimit").path("retryAt").asText()).isNotBlank();
        assertCloudEvent(recordOf(results, run + "-long"), "rate_limited", run + "-long");
    }

    @Test
    void aRetryOlderThanAnUpdateAlreadyAppliedToItsMessageIsSupersededWithoutACall() throws Exception {
        String account = "acct_" + run;
        String url = "/api/" + account + "/mass-messaging/5";
        wireMock.stubFor(put(urlEqualTo(url)).willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                issued(run + "-newer", account, "2026-11-22T10:05:00Z", "newer"));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                issued(run + "-older", account, "2026-11-22T10:01:00Z", "older"));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                issued(run + "-same", account, "2026-11-22T10:05:00Z", "same"));

        List<ConsumerRecord<byte[], byte[]>> results = awaitResults(3);
        JsonNode older = event(results, run + "-older");
        assertThat(recordOf(results, run + "-older").topic()).isEqualTo(Topics.FAILED);
        assertThat(older.path("error").path("category").asText()).isEqualTo("superseded");
        assertThat(older.path("error").path("detail").asText()).contains("2026-11-22T10:05:00Z");
        assertThat(older.path("attempts").asInt()).isZero();
        assertThat(older.path("issuedAt").asText()).isEqualTo("2026-11-22T10:01:00Z");
        assertThat(event(results, run + "-newer").path("outcome").asText()).isEqualTo("succeeded");
        assertThat(event(results, run + "-same").path("outcome").asText()).as("as new as the applied one")
                .isEqualTo("succeeded");
        wireMock.verify(2, putRequestedFor(urlEqualTo(url)));
        wireMock.verify(0, putRequestedFor(urlEqualTo(url)).withRequestBody(containing("older")));
    }

    @Test
    void aCommandIdAnsweredForGoodIsNotSentAgainAndItsOutcomeIsRepeatedWithDuplicateOf() throws Exception {
        String account = "acct_" + run;
        String url = "/api/" + account + "/mass-messaging/5";
        wireMock.stubFor(put(urlEqualTo(url)).willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        String missing = "/api/" + account + "/mass-messaging/6";
        wireMock.stubFor(put(urlEqualTo(missing)).willReturn(aResponse().withStatus(404).withBody("{}")));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account), issued(run + "-once", account, "2026-11-22T10:05:00Z",
                "first"));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-gone", "onlyfansapi", account, "6", "{\"text\":\"x\"}"));
        List<ConsumerRecord<byte[], byte[]>> first = awaitResults(2);
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account), issued(run + "-once", account, "2026-11-22T10:05:00Z",
                "first again"));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-gone", "onlyfansapi", account, "6", "{\"text\":\"x\"}"));

        List<ConsumerRecord<byte[], byte[]>> results = awaitResults(4);
        for (String id : List.of(run + "-once", run + "-gone")) {
            ConsumerRecord<byte[], byte[]> earlier = recordOf(first, id);
            ConsumerRecord<byte[], byte[]> repeated = results.stream()
                    .filter(r -> event(r).path("commandId").asText().equals(id) && event(r).has("duplicateOf"))
                    .findFirst().orElseThrow();
            assertThat(repeated.topic()).isEqualTo(earlier.topic());
            JsonNode marker = event(repeated).path("duplicateOf");
            assertThat(marker.path("topic").asText()).isEqualTo(earlier.topic());
            assertThat(marker.path("partition").asInt()).isEqualTo(earlier.partition());
            assertThat(marker.path("offset").asLong()).isEqualTo(earlier.offset());
            ObjectNode unchanged = ((ObjectNode) event(repeated).deepCopy());
            unchanged.remove("duplicateOf");
            assertThat(unchanged).as("the earlier outcome, unchanged but for duplicateOf").isEqualTo(event(earlier));
        }
        wireMock.verify(1, putRequestedFor(urlEqualTo(url)));
        wireMock.verify(0, putRequestedFor(urlEqualTo(url)).withRequestBody(containing("again")));
        wireMock.verify(1, putRequestedFor(urlEqualTo(missing)));
    }

    @Test
    void aCommandIdThatEndedUnavailableIsALegitimateRetry() throws Exception {
        String account = "acct_" + run;
        String url = "/api/" + account + "/mass-messaging/5";
        wireMock.stubFor(put(urlEqualTo(url)).willReturn(aResponse().withStatus(503)));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account), issued(run + "-retry", account,
                "2026-11-22T10:05:00Z", "try"));
        JsonNode unavailable = event(awaitResults(1), run + "-retry");
        assertThat(unavailable.path("error").path("category").asText()).isEqualTo("unavailable");
        int calls = wireMock.findAll(putRequestedFor(urlEqualTo(url))).size();
        wireMock.stubFor(put(urlEqualTo(url)).willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account), issued(run + "-retry", account,
                "2026-11-22T10:05:00Z", "try"));

        List<ConsumerRecord<byte[], byte[]>> results = awaitResults(2);
        assertThat(results).extracting(r -> event(r).path("outcome").asText()).containsExactly("failed", "succeeded");
        assertThat(results).noneMatch(r -> event(r).has("duplicateOf"));
        wireMock.verify(calls + 1, putRequestedFor(urlEqualTo(url)));
    }

    @Test
    void commandsWaitingBehindARequestAreSentAsOneMergedUpdateAndEachGetsItsOutcome() throws Exception {
        String account = "acct_" + run;
        String url = "/api/" + account + "/mass-messaging/9";
        // each request takes a while: the commands sent meanwhile wait behind it for their message's turn
        wireMock.stubFor(put(urlEqualTo(url))
                .willReturn(aResponse().withStatus(200).withBody(OK_BODY).withFixedDelay(1500)));
        String[] updates = {"{\"text\":\"one\"}", "{\"text\":\"two\",\"price\":10,\"mediaIds\":[\"m1\"]}",
                "{\"text\":\"three\",\"giphyId\":\"g3\"}",
                // with two's price and no media, merged it breaks onlyfansapi's rules: sent on its own turn
                "{\"text\":\"four\",\"mediaIds\":[]}",
                "{\"text\":\"five\",\"price\":0}"};
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-c1", "onlyfansapi", account, "9", updates[0]));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !wireMock.findAll(putRequestedFor(urlEqualTo(url))).isEmpty());
        for (int i = 1; i < updates.length; i++) {
            kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                    command(run + "-c" + (i + 1), "onlyfansapi", account, "9", updates[i]));
        }

        List<ConsumerRecord<byte[], byte[]>> results = awaitResults(5);
        assertThat(results).extracting(r -> event(r).path("commandId").asText()).as("one outcome each, in order")
                .containsExactly(run + "-c1", run + "-c2", run + "-c3", run + "-c4", run + "-c5");
        assertThat(results).extracting(r -> event(r).path("outcome").asText()).containsOnly("succeeded");
        assertThat(results).extracting(r -> event(r).path("coalescedInto").asText(null))
                .containsExactly(null, null, run + "-c2", null, run + "-c4");
        assertThat(results).extracting(r -> event(r).path("attempts").asInt()).containsExactly(1, 1, 0, 1, 0);
        List<JsonNode> bodies = wireMock.findAll(putRequestedFor(urlEqualTo(url))).stream()
                .map(request -> {
                    try {
                        return JSON.readTree(request.getBodyAsString());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
        assertThat(bodies).as("five commands, three requests").hasSize(3);
        assertThat(bodies.get(0)).isEqualTo(JSON.readTree("{\"text\":\"one\"}"));
        assertThat(bodies.get(1)).as("two then three: later fields override, the others stay")
                .isEqualTo(
                        JSON.readTree("{\"text\":\"three\",\"price\":10,\"mediaFiles\":[\"m1\"],\"giphyId\":\"g3\"}"));
        assertThat(bodies.get(2)).isEqualTo(JSON.readTree("{\"text\":\"five\",\"price\":0,\"mediaFiles\":[]}"));
    }

    private static String issued(String commandId, String account, String issuedAt, String text) {
        return "{\"commandId\":\"" + commandId + "\",\"provider\":\"onlyfansapi\",\"account\":\"" + account
                + "\",\"messageId\":\"5\",\"issuedAt\":\"" + issuedAt + "\",\"update\":{\"text\":\"" + text
                + "\"}}";
    }

    @Test
    void deadLettersInvalidPayloadsUnchangedWhileValidNeighboursSucceed() throws Exception {
        String account = "acct_" + run;
        wireMock.stubFor(put(urlEqualTo("/api/" + account + "/mass-messaging/1"))
                .willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        String badPrice = command(run + "-price", "onlyfansapi", account, "1", "{\"text\":\"x\",\"price\":2}");
        byte[] notJson = ("not json " + run).getBytes(StandardCharsets.UTF_8);
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-ok1", "onlyfansapi", account, "1", "{\"text\":\"a\"}"));
        kafka.send(Topics.COMMANDS, "k-" + run, notJson);
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account), badPrice);
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account), "{\"commandId\":\"" + run + "-missing\"}");
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-ok2", "onlyfansapi", account, "1", "{\"text\":\"b\"}"));

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            kafka.poll();
            return mine().size() >= 2 && deadLetters().size() >= 3;
        });
        assertThat(mine()).extracting(r -> event(r).path("commandId").asText())
                .containsExactlyInAnyOrder(run + "-ok1", run + "-ok2");
        List<ConsumerRecord<byte[], byte[]>> dead = deadLetters();
        assertThat(dead).hasSize(3);
        ConsumerRecord<byte[], byte[]> garbage = dead.stream().filter(r -> text(r.value()).startsWith("not json"))
                .findFirst().orElseThrow();
        assertThat(garbage.value()).isEqualTo(notJson);
        assertThat(text(garbage.key())).isEqualTo("k-" + run);
        assertThat(header(garbage, "dead-letter-reason")).startsWith("payload: not valid JSON");
        assertThat(header(garbage, "dead-letter-cause")).isEqualTo("malformed");
        assertThat(header(garbage, "dead-letter-topic")).isEqualTo(Topics.COMMANDS);
        assertThat(header(garbage, "dead-letter-partition")).isNotBlank();
        assertThat(header(garbage, "dead-letter-offset")).isNotBlank();
        dead.forEach(r -> assertThat(AsyncApi.problems("DeadLetterHeaders", AsyncApi.headers(r))).isEmpty());
        ConsumerRecord<byte[], byte[]> price = dead.stream().filter(r -> text(r.value()).equals(badPrice)).findFirst()
                .orElseThrow();
        assertThat(header(price, "dead-letter-reason"))
                .isEqualTo("update.price: must be 0 or between 3 and 200 for onlyfansapi, got 2");
        assertThat(header(price, "dead-letter-cause")).isEqualTo("invalid");
        ConsumerRecord<byte[], byte[]> missing = dead.stream().filter(r -> text(r.value()).contains("-missing"))
                .findFirst().orElseThrow();
        assertThat(header(missing, "dead-letter-reason")).isEqualTo(
                "provider: is required; account: is required; messageId: is required; update: is required");
        // each record counted against the pending bound when polled has left it, the dead-lettered ones too
        // (a record that never counted would drive the count below zero)
        await().atMost(Duration.ofSeconds(30)).until(() -> gate.pending() == 0 && gate.pendingBytes() == 0);
    }

    @TestHTTPResource("/q/metrics")
    URL metrics;

    @Test
    void exposesPrometheusMetricsWithBoundedTags() throws Exception {
        String account = "acct_" + run;
        wireMock.stubFor(put(urlEqualTo("/api/" + account + "/mass-messaging/1"))
                .willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        String retried = "/api/" + account + "/mass-messaging/2";
        wireMock.stubFor(put(urlEqualTo(retried)).inScenario(run).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        wireMock.stubFor(put(urlEqualTo(retried)).inScenario(run).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody(OK_BODY)));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-m", "onlyfansapi", account, "1", "{\"text\":\"a\"}"));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-r", "onlyfansapi", account, "2", "{\"text\":\"b\"}"));
        kafka.send(Topics.COMMANDS, key("onlyfansapi", account),
                command(run + "-bad", "onlyfansapi", account, "1", "{}"));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            kafka.poll();
            return mine().size() >= 2 && deadLetters().size() >= 1;
        });
        // per-key budget gauges are registered within a second of a key's first use
        String text = await().atMost(Duration.ofSeconds(10)).until(() -> HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(metrics.toURI()).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body(), t -> t.contains("relay_budget_limit_minute{"));
        assertThat(text).contains("relay_commands_consumed_total")
                .containsPattern(
                        "relay_outcomes_total\\{category=\"none\",outcome=\"succeeded\",provider=\"onlyfansapi\"[^}]*} [1-9]")
                .containsPattern("relay_dead_letters_total\\{kind=\"invalid\"[^}]*} [1-9]")
                .contains("relay_provider_requests_seconds_bucket{")
                .contains("relay_breaker_state{provider=\"fansly\"")
                .contains("relay_provider_requests_in_flight{provider=\"onlyfansapi\"")
                // every command has its outcome: each connection taken with a slot was given back
                .containsPattern("relay_provider_connections_in_use\\{provider=\"onlyfansapi\"[^}]*} 0\\.0\n")
                .containsPattern("relay_provider_connections_queued_keys\\{provider=\"onlyfansapi\"[^}]*} 0\\.0\n")
                .contains("relay_commands_pending")
                .contains("relay_budget_waiting")
                .containsPattern("relay_partitions_held [0-9]")
                .containsPattern("relay_partition_share [1-9][0-9]")
                .containsPattern("relay_partition_pending [0-9]")
                .containsPattern("relay_partition_pending_bytes [0-9]")
                .containsPattern("relay_budget_wait_seconds_count\\{provider=\"onlyfansapi\"[^}]*} [1-9]")
                .contains("relay_budget_limit_minute{key=\""
                        + io.massmessage.relay.limits.RateBudgets.fingerprint("test-key-onlyfansapi")
                        + "\",provider=\"onlyfansapi\"")
                .contains("relay_budget_remaining_day{")
                .contains("jvm_memory_used_bytes");
        // the consumer's lag: client-level or per partition, whichever Kafka has now (refreshed every 5 s)
        String withLag = await().atMost(Duration.ofSeconds(30)).until(() -> HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(metrics.toURI()).build(),
                        HttpResponse.BodyHandlers.ofString())
                .body(),
                t -> Pattern.compile(
                        "kafka_consumer_fetch_manager_records_lag_max\\{client_id=\"kafka-consumer-commands\"[^}]*} ")
                        .matcher(t).find());
        assertThat(text).as("no account ids in tags").doesNotContain(run);
        assertThat(text).as("no API keys in tags").doesNotContain("test-key-");
        // every metric the Grafana dashboard (deploy/) and the operations guide query is exposed
        String queries = Files.readString(Path.of("deploy", "grafana-dashboard.json"))
                + Files.readString(Path.of("docs", "operations.md"));
        var names = Pattern.compile("\\b(?:relay|kafka_consumer|jvm)_[a-z_]+").matcher(queries).results()
                .map(MatchResult::group).collect(Collectors.toSet());
        assertThat(names).contains("relay_retries_total", "kafka_consumer_fetch_manager_records_lag_max");
        for (String name : names) {
            assertThat(withLag).as("metric %s queried by the dashboard or the operations guide", name).contains(name);
        }
    }

    private List<ConsumerRecord<byte[], byte[]>> mine() {
        return kafka.seen(r -> !r.topic().equals(Topics.DEAD_LETTER) && text(r.value()).contains("\"" + run + "-"));
    }

    private List<ConsumerRecord<byte[], byte[]>> deadLetters() {
        return kafka.seen(r -> r.topic().equals(Topics.DEAD_LETTER) && text(r.value()).contains(run));
    }

    /** The record is a binary-mode CloudEvent whose attributes match its JSON body. */
    private static void assertCloudEvent(ConsumerRecord<byte[], byte[]> record, String outcome, String commandId)
            throws Exception {
        JsonNode body = JSON.readTree(record.value());
        assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(record, "ce_id")).isEqualTo(commandId);
        assertThat(header(record, "ce_type")).isEqualTo("io.massmessage.relay.update." + outcome);
        assertThat(header(record, "ce_source")).isEqualTo("/mass-message-relay");
        assertThat(header(record, "ce_subject")).isEqualTo(text(record.key()));
        assertThat(OffsetDateTime.parse(header(record, "ce_time")).toInstant())
                .isEqualTo(Instant.parse(body.path("occurredAt").asText()));
        assertThat(header(record, "content-type")).isEqualTo("application/json");
        assertThat(body.path("outcome").asText()).isEqualTo(outcome);
    }

    private List<ConsumerRecord<byte[], byte[]>> awaitResults(int count) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            kafka.poll();
            return mine().size() >= count;
        });
        List<ConsumerRecord<byte[], byte[]>> results = mine();
        assertThat(results).hasSize(count);
        // every outcome record the service produced matches the AsyncAPI document (docs/asyncapi.yaml)
        results.forEach(
                r -> assertThat(AsyncApi.outcomeProblems(r)).as("AsyncAPI problems of %s", text(r.value())).isEmpty());
        return results;
    }

    private static ConsumerRecord<byte[], byte[]> recordOf(List<ConsumerRecord<byte[], byte[]>> records,
            String commandId) {
        return records.stream().filter(r -> event(r).path("commandId").asText().equals(commandId)).findFirst()
                .orElseThrow();
    }

    private static JsonNode event(List<ConsumerRecord<byte[], byte[]>> records, String commandId) {
        return event(recordOf(records, commandId));
    }

    private static JsonNode event(ConsumerRecord<byte[], byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
