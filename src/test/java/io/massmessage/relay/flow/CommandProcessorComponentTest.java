package io.massmessage.relay.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.limits.ProviderBreakers;
import io.massmessage.relay.limits.ProviderConnections;
import io.massmessage.relay.limits.RateBudgets;
import io.massmessage.relay.metrics.RelayMetrics;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.ProviderClient;
import io.massmessage.relay.provider.ProviderRegistry;
import io.massmessage.relay.provider.fansly.FanslyAdapter;
import io.massmessage.relay.provider.fansmetric.FansMetricAdapter;
import io.massmessage.relay.provider.onlyfansapi.OnlyFansApiAdapter;
import io.massmessage.relay.testing.TestConfigs;
import io.massmessage.relay.testing.VirtualTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.context.Context;
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Each adapter through the real Vert.x Web Client against WireMock: successes, every refusal,
 * 429 in each dialect, transient faults retried, connection resets and timeouts.
 */
class CommandProcessorComponentTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:15Z");
    private static final String OK = "{\"data\":{\"id\":1},\"_meta\":{\"_credits\":{\"used\":1,\"balance\":5}}}";
    private static WireMockServer wireMock;
    private static Vertx vertx;
    private static List<ProviderAdapter> adapters;
    private static CommandParser parser;
    private VirtualTime time;
    private CommandProcessor processor;

    @BeforeAll
    static void startServers() {
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        wireMock.start();
        vertx = Vertx.vertx();
        adapters = List.of(new OnlyFansApiAdapter(MAPPER), new FansMetricAdapter(MAPPER), new FanslyAdapter(MAPPER));
        parser = new CommandParser(1 << 20,
                name -> adapters.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null),
                List.of("fansly", "fansmetric", "onlyfansapi"));
        warmUp();
    }

    @AfterAll
    static void stopServers() {
        wireMock.stop();
        vertx.closeAndAwait();
    }

    /**
     * One exchange through the whole path before any test: the first one in a JVM loads and compiles the
     * client and the server's request handling, which on a loaded 2-core machine took longer than the tests'
     * request timeout and turned a test's first attempt into a timeout.
     */
    private static void warmUp() {
        wireMock.stubFor(put(urlEqualTo("/api/acct_WARM/mass-messaging/0"))
                .willReturn(aResponse().withStatus(200).withBody(OK)));
        String base = "http://127.0.0.1:" + wireMock.port();
        Duration patient = Duration.ofSeconds(30);
        var providers = new TestConfigs.Providers(TestConfigs.Endpoint.of(base, "of-key", patient),
                TestConfigs.Endpoint.of(base, "fm-key", patient), TestConfigs.Endpoint.of(base, null, patient));
        var relay = TestConfigs.Relay.of(1, Duration.ofSeconds(30), Duration.ofSeconds(60));
        var registry = new ProviderRegistry(adapters, providers);
        VirtualTime warmTime = new VirtualTime(NOW);
        new CommandProcessor(registry, new ProviderClient(vertx, registry, relay, warmTime), relay, warmTime, warmTime,
                () -> 0.5,
                new RateBudgets(warmTime, warmTime, 0.0, new ProviderConnections(provider -> Integer.MAX_VALUE)),
                new ProviderBreakers(warmTime, warmTime, 1000, Duration.ofSeconds(30)),
                new RelayMetrics(new SimpleMeterRegistry()))
                .process(parser.parse(("{\"commandId\":\"warm\",\"provider\":\"onlyfansapi\",\"account\":\"acct_WARM\","
                        + "\"messageId\":\"0\",\"update\":{\"text\":\"x\"}}").getBytes(StandardCharsets.UTF_8)))
                .await().atMost(Duration.ofSeconds(60));
    }

    @BeforeEach
    void build() {
        wireMock.resetAll();
        String base = "http://127.0.0.1:" + wireMock.port();
        Duration timeout = Duration.ofMillis(500);
        var providers = new TestConfigs.Providers(
                TestConfigs.Endpoint.of(base, "of-key", timeout).withAccountKey("acct_OWN", "own-key"),
                TestConfigs.Endpoint.of(base, "fm-key", timeout),
                TestConfigs.Endpoint.of(base, null, timeout));
        var relay = TestConfigs.Relay.of(3, Duration.ofSeconds(30), Duration.ofSeconds(60));
        var registry = new ProviderRegistry(adapters, providers);
        time = new VirtualTime(NOW);
        var client = new ProviderClient(vertx, registry, relay, time);
        processor = new CommandProcessor(registry, client, relay, time, time, () -> 0.5,
                new RateBudgets(time, time, 0.0, new ProviderConnections(provider -> Integer.MAX_VALUE)),
                new ProviderBreakers(time, time, 1000, Duration.ofSeconds(30)),
                new RelayMetrics(new SimpleMeterRegistry()));
    }

    private UpdateCommand of(String messageId) {
        return parse(
                "{\"commandId\":\"c1\",\"provider\":\"onlyfansapi\",\"account\":\"acct_A\",\"messageId\":\"" + messageId
                        + "\",\"update\":{\"text\":\"secret words here\"}}");
    }

    private UpdateCommand parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private Outcome run(UpdateCommand command) {
        return processor.process(command).await().atMost(Duration.ofSeconds(20));
    }

    @Test
    void succeedsAndReportsCredits() {
        wireMock.stubFor(
                put(urlEqualTo("/api/acct_A/mass-messaging/1")).willReturn(aResponse().withStatus(200).withBody(OK)));
        Outcome outcome = run(of("1"));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Succeeded.class, s -> {
            assertThat(s.attempts()).isEqualTo(1);
            assertThat(s.credits().balance()).isEqualTo(5L);
        });
        wireMock.verify(putRequestedFor(urlEqualTo("/api/acct_A/mass-messaging/1")).withHeader("Authorization",
                equalTo("Bearer of-key")));
    }

    @Test
    void usesTheAccountsOwnKeyWhenConfigured() {
        wireMock.stubFor(
                put(urlEqualTo("/api/acct_OWN/mass-messaging/1")).willReturn(aResponse().withStatus(200).withBody(OK)));
        run(parse(
                "{\"commandId\":\"c\",\"provider\":\"onlyfansapi\",\"account\":\"acct_OWN\",\"messageId\":\"1\",\"update\":{\"text\":\"x\"}}"));
        wireMock.verify(putRequestedFor(urlEqualTo("/api/acct_OWN/mass-messaging/1")).withHeader("Authorization",
                equalTo("Bearer own-key")));
    }

    @ParameterizedTest(name = "HTTP {0} fails at once as {1}")
    @CsvSource({"400, rejected", "401, unauthorized", "403, unauthorized", "404, not_found", "409, not_editable",
            "413, rejected", "424, account_unavailable"})
    void permanentRefusalsFailAtOnce(int status, ErrorCategory category) {
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/2")).willReturn(aResponse().withStatus(status)
                .withBody("{\"message\":\"refused: secret words here by of-key " + "x".repeat(200) + "\"}")));
        Outcome outcome = run(of("2"));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.category()).isEqualTo(category);
            assertThat(f.attempts()).isEqualTo(1);
            assertThat(f.httpStatus()).isEqualTo(status);
            assertThat(f.providerBody()).startsWith("{\"message\":\"refused: [message text] by [redacted] xxx")
                    .endsWith("… (truncated)").doesNotContain("of-key").doesNotContain("secret words");
            assertThat(f.providerBody()).hasSize(80 + "… (truncated)".length());
        });
        assertThat(time.asked).isEmpty();
    }

    /** A command for {@code provider} and the path its adapter calls. */
    private record Target(UpdateCommand command, String path, String okBody) {}

    private Target target(String provider, String id) {
        return switch (provider) {
            case "onlyfansapi" -> new Target(of(id), "/api/acct_A/mass-messaging/" + id, OK);
            case "fansmetric" -> new Target(
                    parse("{\"commandId\":\"c\",\"provider\":\"fansmetric\",\"account\":\"123\","
                            + "\"messageId\":\"" + id + "\",\"update\":{\"text\":\"x\"}}"),
                    "/v1/123/mass-messages/queue/" + id, OK);
            default -> new Target(
                    parse("{\"commandId\":\"c\",\"provider\":\"fansly\",\"account\":\"f1\",\"messageId\":\""
                            + id + "\",\"update\":{\"text\":\"x\"}}"),
                    "/api/fansly/f1/mass-messaging/scheduled/" + id,
                    "{\"statusCode\":201,\"data\":{\"status_code\":200,\"data\":{\"success\":true}}}");
        };
    }

    static Stream<Arguments> refusalsAtEveryProvider() {
        List<Arguments> cases = new ArrayList<>();
        String[][] statuses = {{"400", "rejected"}, {"401", "unauthorized"}, {"403", "unauthorized"},
                {"404", "not_found"},
                {"409", "not_editable"}, {"413", "rejected"}, {"424", "account_unavailable"}};
        for (String provider : List.of("onlyfansapi", "fansmetric", "fansly")) {
            for (String[] status : statuses) {
                cases.add(Arguments.of(provider, Integer.parseInt(status[0]),
                        ErrorCategory.valueOf(status[1])));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: HTTP {1} fails at once as {2}")
    @org.junit.jupiter.params.provider.MethodSource("refusalsAtEveryProvider")
    void everyAdapterFailsPermanentRefusalsAtOnce(String provider, int status, ErrorCategory category) {
        Target t = target(provider, "9" + status);
        wireMock.stubFor(put(urlEqualTo(t.path())).willReturn(aResponse().withStatus(status)
                .withBody(provider.equals("fansmetric") ? "{\"error\":\"no\"}"
                        : "{\"statusCode\":" + status + ",\"message\":\"no\"}")));
        Outcome outcome = fanslyProcessor().process(t.command()).await().atMost(Duration.ofSeconds(10));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.category()).isEqualTo(category);
            assertThat(f.attempts()).isEqualTo(1);
            assertThat(f.detail()).isEqualTo("HTTP " + status + ": no");
        });
    }

    @ParameterizedTest(name = "{0}: 200 succeeds, 500 then 200 succeeds on the second attempt")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"onlyfansapi", "fansmetric", "fansly"})
    void everyAdapterSucceedsAndRetriesA500(String provider) {
        Target ok = target(provider, "7001");
        wireMock.stubFor(put(urlEqualTo(ok.path())).willReturn(aResponse().withStatus(200).withBody(ok.okBody())));
        assertThat(fanslyProcessor().process(ok.command()).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(Outcome.Succeeded.class).extracting(Outcome::attempts).isEqualTo(1);
        Target flaky = target(provider, "7002");
        wireMock.stubFor(put(urlEqualTo(flaky.path())).inScenario(provider).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
        wireMock.stubFor(put(urlEqualTo(flaky.path())).inScenario(provider).whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody(flaky.okBody())));
        assertThat(fanslyProcessor().process(flaky.command()).await().atMost(Duration.ofSeconds(10)))
                .isInstanceOf(Outcome.Succeeded.class).extracting(Outcome::attempts).isEqualTo(2);
    }

    @Test
    void retriesA500ThenSucceeds() {
        wireMock.stubFor(
                put(urlEqualTo("/api/acct_A/mass-messaging/3")).inScenario("s").whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(aResponse().withStatus(500)).willSetStateTo("ok"));
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/3")).inScenario("s").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody(OK)));
        Outcome outcome = run(of("3"));
        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(time.asked).containsExactly(Duration.ofMillis(50)); // full jitter: 0.5 x 100 ms
    }

    @Test
    void givesUpAfterTheAttemptBudgetAsUnavailable() {
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/4")).willReturn(aResponse().withStatus(503)));
        Outcome outcome = run(of("4"));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.category()).isEqualTo(ErrorCategory.unavailable);
            assertThat(f.attempts()).isEqualTo(3);
            assertThat(f.detail()).isEqualTo("HTTP 503 after 3 attempt(s)");
        });
        assertThat(time.asked).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100)); // backoff doubles
    }

    @Test
    void retriesAConnectionReset() {
        wireMock.stubFor(
                put(urlEqualTo("/api/acct_A/mass-messaging/5")).inScenario("r").whenScenarioStateIs(Scenario.STARTED)
                        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("ok"));
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/5")).inScenario("r").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody(OK)));
        Outcome outcome = run(of("5"));
        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        assertThat(outcome.attempts()).isEqualTo(2);
    }

    @Test
    void aTimeoutEveryTimeEndsUnavailable() {
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/6")).willReturn(aResponse().withStatus(200)
                .withBody(OK).withFixedDelay(2_000)));
        Outcome outcome = run(of("6"));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.category()).isEqualTo(ErrorCategory.unavailable);
            assertThat(f.attempts()).isEqualTo(3);
            assertThat(f.httpStatus()).isNull();
            assertThat(f.detail()).startsWith("timeout");
        });
    }

    @Test
    void aProviderThatDripsItsAnswerTimesOutAsAWholeExchange() {
        // 40 chunks over 4 s: each gap (100 ms) is below the 500 ms request timeout, the whole answer far above it
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/61")).willReturn(aResponse().withStatus(200)
                .withBody(OK + " ".repeat(400)).withChunkedDribbleDelay(40, 4_000)));
        long started = System.nanoTime();
        Outcome outcome = run(of("61"));
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.category()).isEqualTo(ErrorCategory.unavailable);
            assertThat(f.attempts()).isEqualTo(3);
            assertThat(f.detail()).startsWith("timeout").contains("no complete answer within 500 ms");
        });
        assertThat(tookMs).as("three attempts cut at their deadline, not three whole drips").isLessThan(9_000);
    }

    @Test
    void anAnswerLargerThanTheCapIsATransientFaultAndIsNotKept() {
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/62")).willReturn(aResponse().withStatus(200)
                .withBody("{\"data\":{\"id\":1,\"pad\":\"" + "p".repeat(2 << 20) + "\"}}")));
        Outcome outcome = run(of("62"));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.category()).isEqualTo(ErrorCategory.unavailable);
            assertThat(f.attempts()).isEqualTo(3);
            assertThat(f.detail()).startsWith("answer too large").contains("longer than 1048576 bytes");
            assertThat(f.providerBody()).isNull();
        });
    }

    @Test
    void aRefusedConnectionIsRetriedThenUnavailable() {
        var closed = new TestConfigs.Providers(
                TestConfigs.Endpoint.of("http://127.0.0.1:1", "k", Duration.ofSeconds(1)),
                TestConfigs.Endpoint.of("http://127.0.0.1:1", "k", Duration.ofSeconds(1)),
                TestConfigs.Endpoint.of("http://127.0.0.1:1", "k", Duration.ofSeconds(1)));
        var relay = TestConfigs.Relay.of(2, Duration.ofSeconds(30), Duration.ofSeconds(60));
        var registry = new ProviderRegistry(adapters, closed);
        var refusing = new CommandProcessor(registry, new ProviderClient(vertx, registry, relay, Clock.systemUTC()),
                relay,
                time, time, () -> 0.5,
                new RateBudgets(time, time, 0.0, new ProviderConnections(provider -> Integer.MAX_VALUE)),
                new ProviderBreakers(time, time, 1000, Duration.ofSeconds(30)),
                new RelayMetrics(new SimpleMeterRegistry()));
        Outcome outcome = refusing.process(of("7")).await().atMost(Duration.ofSeconds(20));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.category()).isEqualTo(ErrorCategory.unavailable);
            assertThat(f.attempts()).isEqualTo(2);
            assertThat(f.detail()).startsWith("connection fault");
        });
    }

    @Test
    void waitsAsOnlyFansApiSaysWithRetryAfter() {
        stub429ThenOk("/api/acct_A/mass-messaging/8", aResponse().withStatus(429).withHeader("Retry-After", "7"));
        Outcome outcome = run(of("8"));
        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        assertThat(time.asked).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void waitsAsFanslySaysWithXRateLimitRetryAfter() {
        stub429ThenOk("/api/fansly/f1/mass-messaging/scheduled/9", aResponse().withStatus(429)
                .withHeader("X-RateLimit-Retry-After", "12").withHeader("X-RateLimit-Limit", "600"));
        Outcome outcome = fanslyProcessor()
                .process(parse("{\"commandId\":\"c\",\"provider\":\"fansly\",\"account\":\"f1\","
                        + "\"messageId\":\"9\",\"update\":{\"text\":\"x\"}}"))
                .await().atMost(Duration.ofSeconds(20));
        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        assertThat(time.asked).containsExactly(Duration.ofSeconds(12));
        wireMock.verify(2, putRequestedFor(urlEqualTo("/api/fansly/f1/mass-messaging/scheduled/9"))
                .withHeader("x-api-key", equalTo("fy-key")));
    }

    @Test
    void fansMetric429WithoutRetryAfterWaitsUntilTheMinuteResets() {
        stub429ThenOk("/v1/123/mass-messages/queue/10", aResponse().withStatus(429)
                .withBody(
                        "{\"error\":\"Rate limit exceeded\",\"_meta\":{\"_rate_limits\":{\"limit_minute\":1000,\"remaining_minute\":0}}}"));
        Outcome outcome = run(
                parse("{\"commandId\":\"c\",\"provider\":\"fansmetric\",\"account\":\"123\",\"messageId\":\"10\","
                        + "\"update\":{\"text\":\"x\"}}"));
        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        assertThat(time.asked).containsExactly(Duration.ofSeconds(45)); // NOW is 10:00:15
    }

    @Test
    void a429LongerThanTheMaximumWaitEndsRateLimited() {
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/11"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));
        Outcome outcome = run(of("11"));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.RateLimited.class, r -> {
            assertThat(r.rateLimit().retryAfterMs()).isEqualTo(3_600_000L);
            assertThat(r.rateLimit().retryAt()).isEqualTo(NOW.plusSeconds(3600));
            assertThat(r.attempts()).isEqualTo(1);
        });
        assertThat(time.asked).isEmpty();
    }

    @Test
    void a429ThatWouldPassTheSendTimeEndsExpired() {
        wireMock.stubFor(put(urlEqualTo("/api/acct_A/mass-messaging/12"))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        Outcome outcome = run(
                parse("{\"commandId\":\"c\",\"provider\":\"onlyfansapi\",\"account\":\"acct_A\",\"messageId\":\"12\","
                        + "\"update\":{\"text\":\"x\",\"scheduledAt\":\"2026-11-22T10:00:30Z\"}}"));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class,
                f -> assertThat(f.category()).isEqualTo(ErrorCategory.expired));
    }

    @Test
    void anAccountWithoutAKeyIsUnconfigured() { // the default build configures no fansly key
        Outcome outcome = processor.process(parse("{\"commandId\":\"c\",\"provider\":\"fansly\",\"account\":\"f1\","
                + "\"messageId\":\"9\",\"update\":{\"text\":\"x\"}}")).await().atMost(Duration.ofSeconds(5));
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, f -> {
            assertThat(f.category()).isEqualTo(ErrorCategory.unconfigured_account);
            assertThat(f.attempts()).isZero();
            assertThat(f.detail()).contains("PROVIDERS_FANSLY_API_KEY");
        });
        assertThat(wireMock.getAllServeEvents()).isEmpty();
    }

    @Test
    void spacesAKeysCallsAndEndsRateLimitedWithoutCallingWhenNoSlotComesInTime() {
        wireMock.stubFor(
                put(urlEqualTo("/api/acct_A/mass-messaging/13")).willReturn(aResponse().withStatus(200).withBody(OK)));
        assertThat(budgeted(Duration.ofMillis(2_500)).stream()
                .map(p -> p.process(of("13")).await().atMost(Duration.ofSeconds(10)))
                .map(Outcome::name)).containsExactly("succeeded", "succeeded", "succeeded");
        assertThat(time.asked).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1)); // one a second, not a burst
        wireMock.verify(3, putRequestedFor(urlEqualTo("/api/acct_A/mass-messaging/13")));

        CommandProcessor impatient = budgeted(Duration.ofMillis(500)).get(0);
        Outcome first = impatient.process(of("13")).await().atMost(Duration.ofSeconds(10));
        Outcome second = impatient.process(of("13")).await().atMost(Duration.ofSeconds(10));
        assertThat(first).isInstanceOf(Outcome.Succeeded.class);
        assertThat(second).isInstanceOfSatisfying(Outcome.RateLimited.class, r -> {
            assertThat(r.attempts()).isZero();
            assertThat(r.httpStatus()).isNull();
            assertThat(r.rateLimit().retryAt()).isEqualTo(time.instant().plusSeconds(1));
        });
        wireMock.verify(4, putRequestedFor(urlEqualTo("/api/acct_A/mass-messaging/13")));
    }

    @Test
    void anOpenBreakerHoldsAProvidersCommandsUntilItRecoversInsteadOfFailingThem() {
        String url = "/api/acct_A/mass-messaging/14";
        wireMock.stubFor(put(urlEqualTo(url)).inScenario("outage").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("2"));
        wireMock.stubFor(put(urlEqualTo(url)).inScenario("outage").whenScenarioStateIs("2")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("3"));
        wireMock.stubFor(put(urlEqualTo(url)).inScenario("outage").whenScenarioStateIs("3")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        wireMock.stubFor(put(urlEqualTo(url)).inScenario("outage").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody(OK)));
        String base = "http://127.0.0.1:" + wireMock.port();
        var providers = new TestConfigs.Providers(TestConfigs.Endpoint.of(base, "of-key", Duration.ofSeconds(1)),
                TestConfigs.Endpoint.of(base, "x", Duration.ofSeconds(1)),
                TestConfigs.Endpoint.of(base, "fy", Duration.ofSeconds(1)));
        var relay = TestConfigs.Relay.of(5, Duration.ofSeconds(30), Duration.ofSeconds(60));
        var registry = new ProviderRegistry(adapters, providers);
        var breakers = new ProviderBreakers(time, time, 2, Duration.ofMinutes(5));
        var guarded = new CommandProcessor(registry, new ProviderClient(vertx, registry, relay, time), relay, time,
                time,
                () -> 0.5, new RateBudgets(time, time, 0.0, new ProviderConnections(provider -> Integer.MAX_VALUE)),
                breakers, new RelayMetrics(new SimpleMeterRegistry()));

        List<Map.Entry<Boolean, Long>> states = new CopyOnWriteArrayList<>();
        Progress recorded = new Progress() {
            @Override
            public void waiting() {
                states.add(Map.entry(true, time.millis()));
            }

            @Override
            public void working() {
                states.add(Map.entry(false, time.millis()));
            }
        };
        Outcome outcome = guarded.process(of("14"), Context.root(), recorded)
                .await().atMost(Duration.ofSeconds(10));
        // the 10 minutes behind the open breaker were spent waiting by design, never working (StallWatch)
        long longestWorking = 0;
        for (int i = 0; i + 1 < states.size(); i++) {
            if (!states.get(i).getKey()) {
                longestWorking = Math.max(longestWorking, states.get(i + 1).getValue() - states.get(i).getValue());
            }
        }
        assertThat(states).isNotEmpty();
        assertThat(longestWorking).isLessThan(Duration.ofSeconds(1).toMillis());
        assertThat(states.get(states.size() - 1).getValue() - states.get(0).getValue())
                .isGreaterThanOrEqualTo(Duration.ofMinutes(10).toMillis());
        // 503, 503 (opens), wait 5 min, probe 503 (opens again), wait 5 min, probe 200: the cool-downs
        // (10 minutes, far past the 30 s retry budget) did not count against the command.
        assertThat(outcome).isInstanceOf(Outcome.Succeeded.class);
        assertThat(outcome.attempts()).isEqualTo(4);
        assertThat(time.asked).filteredOn(d -> d.compareTo(Duration.ofMinutes(4)) > 0).hasSize(2);
        // the first backoff (50 ms) came before the breaker opened; later backoffs ran inside the cool-downs
        assertThat(Duration.between(NOW, time.instant())).isEqualTo(Duration.ofMinutes(10).plusMillis(50));
        assertThat(breakers.states()).containsEntry("onlyfansapi", ProviderBreakers.State.closed);
    }

    /** Three calls through one processor whose OnlyFansAPI key allows 60 requests a minute. */
    private List<CommandProcessor> budgeted(Duration maxWait) {
        String base = "http://127.0.0.1:" + wireMock.port();
        var providers = new TestConfigs.Providers(
                TestConfigs.Endpoint.of(base, "of-key", Duration.ofSeconds(1)).withBudget(60, 0),
                TestConfigs.Endpoint.of(base, "x", Duration.ofSeconds(1)),
                TestConfigs.Endpoint.of(base, "x", Duration.ofSeconds(1)));
        var relay = TestConfigs.Relay.of(3, Duration.ofSeconds(30), maxWait);
        var registry = new ProviderRegistry(adapters, providers);
        var processor = new CommandProcessor(registry, new ProviderClient(vertx, registry, relay, time), relay, time,
                time,
                () -> 0.5, new RateBudgets(time, time, 0.0, new ProviderConnections(provider -> Integer.MAX_VALUE)),
                new ProviderBreakers(time, time, 1000, Duration.ofSeconds(30)),
                new RelayMetrics(new SimpleMeterRegistry()));
        return List.of(processor, processor, processor);
    }

    private CommandProcessor fanslyProcessor() {
        String base = "http://127.0.0.1:" + wireMock.port();
        var providers = new TestConfigs.Providers(TestConfigs.Endpoint.of(base, "x", Duration.ofSeconds(1)),
                TestConfigs.Endpoint.of(base, "x", Duration.ofSeconds(1)),
                TestConfigs.Endpoint.of(base, "fy-key", Duration.ofSeconds(1)));
        var relay = TestConfigs.Relay.of(3, Duration.ofSeconds(30), Duration.ofSeconds(60));
        var registry = new ProviderRegistry(adapters, providers);
        return new CommandProcessor(registry, new ProviderClient(vertx, registry, relay, time), relay,
                time, time, () -> 0.5,
                new RateBudgets(time, time, 0.0, new ProviderConnections(provider -> Integer.MAX_VALUE)),
                new ProviderBreakers(time, time, 1000, Duration.ofSeconds(30)),
                new RelayMetrics(new SimpleMeterRegistry()));
    }

    private static void stub429ThenOk(String url, ResponseDefinitionBuilder limited) {
        wireMock.stubFor(put(urlEqualTo(url)).inScenario(url).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(limited).willSetStateTo("ok"));
        wireMock.stubFor(put(urlEqualTo(url)).inScenario(url).whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withBody(url.contains("fansly")
                        ? "{\"statusCode\":201,\"data\":{\"status_code\":200,\"data\":{\"success\":true}}}"
                        : OK)));
    }
}
