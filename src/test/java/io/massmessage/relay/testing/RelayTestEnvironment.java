package io.massmessage.relay.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Map;

/**
 * Starts, once for all {@code @QuarkusTest} classes, a real Kafka broker, the provider simulator,
 * and one WireMock server in front of it that stands in for all three providers (their paths do
 * not overlap). A test stubs WireMock for exact answers; whatever it does not stub is proxied to
 * the simulator, which behaves like the providers and counts order and concurrency. Tests reach
 * all three through the static accessors.
 */
public final class RelayTestEnvironment implements QuarkusTestResourceLifecycleManager {

    /** Partitions of every topic in the tests. */
    public static final int PARTITIONS = 4;

    private static TestBroker kafka;
    private static WireMockServer wireMock;
    private static Vertx vertx;
    private static ProviderSimulator simulator;

    @Override
    public Map<String, String> start() {
        kafka = broker();
        kafka.createTopics(PARTITIONS, Topics.COMMANDS, Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED,
                Topics.DEAD_LETTER);
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort()
                .containerThreads(64).jettyAcceptors(2).asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(64));
        wireMock.start();
        vertx = Vertx.vertx();
        SimulatorSettings settings = new SimulatorSettings();
        for (String provider : new String[]{"onlyfansapi", "fansmetric", "fansly"}) {
            settings.apiKeys.put(provider, "test-key-" + provider);
            settings.perMinute.put(provider, 1_000_000L);
            settings.perDay.put(provider, 100_000_000L);
        }
        simulator = ProviderSimulator.start(vertx, 0, settings, Clock.systemUTC());
        wireMock.stubFor(any(anyUrl()).atPriority(100).willReturn(aResponse().proxiedFrom(simulator.baseUrl())));
        String base = "http://127.0.0.1:" + wireMock.port();
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "providers.onlyfansapi.base-url", base,
                "providers.fansmetric.base-url", base,
                "providers.fansly.base-url", base);
    }

    /**
     * The in-JVM broker, or with {@code -Dmmr-test.broker=testcontainers} (the {@code testcontainers} profile) the
     * Testcontainers broker of {@code src/testcontainers/java}, loaded by name so the default build needs no
     * Testcontainers at all.
     */
    private static TestBroker broker() {
        if (!"testcontainers".equals(System.getProperty("mmr-test.broker"))) {
            return EmbeddedKafka.start(PARTITIONS);
        }
        try {
            return (TestBroker) Class.forName("io.massmessage.relay.testcontainers.ContainerBroker")
                    .getMethod("start", int.class).invoke(null, PARTITIONS);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the testcontainers profile's broker could not start", e);
        }
    }

    @Override
    public void stop() {
        if (wireMock != null) {
            wireMock.stop();
        }
        if (simulator != null) {
            simulator.close();
            vertx.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    public static TestBroker kafka() {
        return kafka;
    }

    public static ProviderSimulator simulator() {
        return simulator;
    }

    public static WireMockServer wireMock() {
        return wireMock;
    }
}
