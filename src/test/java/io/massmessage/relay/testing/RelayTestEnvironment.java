package io.massmessage.relay.testing;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts, once for all {@code @QuarkusTest} classes, a real Kafka broker and one WireMock server
 * that stands in for all three providers (their paths do not overlap), and points the service at
 * them. Tests reach both through the static accessors.
 */
public final class RelayTestEnvironment implements QuarkusTestResourceLifecycleManager {

    /** Partitions of every topic in the tests. */
    public static final int PARTITIONS = 4;

    private static EmbeddedKafka kafka;
    private static WireMockServer wireMock;

    @Override
    public Map<String, String> start() {
        kafka = EmbeddedKafka.start(PARTITIONS);
        kafka.createTopics(PARTITIONS, Topics.COMMANDS, Topics.SUCCEEDED, Topics.FAILED, Topics.RATE_LIMITED,
                Topics.DEAD_LETTER);
        wireMock = new WireMockServer(WireMockConfiguration.options().dynamicPort()
                .containerThreads(64).jettyAcceptors(2).asynchronousResponseEnabled(true).asynchronousResponseThreads(64));
        wireMock.start();
        String base = "http://127.0.0.1:" + wireMock.port();
        return Map.of(
                "kafka.bootstrap.servers", kafka.bootstrapServers(),
                "providers.onlyfansapi.base-url", base,
                "providers.fansmetric.base-url", base,
                "providers.fansly.base-url", base);
    }

    @Override
    public void stop() {
        if (wireMock != null) {
            wireMock.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    public static EmbeddedKafka kafka() {
        return kafka;
    }

    public static WireMockServer wireMock() {
        return wireMock;
    }
}
