package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.fansly.FanslyAdapter;
import io.massmessage.relay.provider.fansmetric.FansMetricAdapter;
import io.massmessage.relay.provider.onlyfansapi.OnlyFansApiAdapter;
import io.massmessage.relay.testing.TestConfigs;
import io.vertx.mutiny.core.Vertx;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rehearsal at start, on a real Vert.x, with the real adapters, parser and HTTP client. */
class WarmUpTest {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    private final Vertx vertx = Vertx.vertx();
    private final List<ProviderAdapter> adapters = List.of(new OnlyFansApiAdapter(MAPPER),
            new FansMetricAdapter(MAPPER), new FanslyAdapter(MAPPER));
    private final CommandParser parser = new CommandParser(1 << 20,
            name -> adapters.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null),
            List.of("fansly", "fansmetric", "onlyfansapi"));

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void everySyntheticCommandOfEveryProviderSucceedsAgainstTheStandIn() {
        WarmUp.Result result = warmUp(900, Duration.ofSeconds(60)).run().await().atMost(Duration.ofSeconds(90));

        assertThat(result.commands()).isEqualTo(900);
        assertThat(result.succeeded()).isEqualTo(900);
        // each command published its outcome or was carried by an earlier one's request; every outcome, and beside it
        // its stale-guard record and (in batches) its answer record, went through the live producer's code to the
        // rehearsal's own broker
        assertThat(result.published() + result.carried()).isEqualTo(900);
        assertThat(result.published()).isPositive();
        assertThat(result.acknowledged()).isGreaterThan(2L * result.published())
                .isLessThanOrEqualTo(3L * result.published());
    }

    @Test
    void noCommandStartsAfterTheTimeout() {
        WarmUp.Result result = warmUp(100_000_000, Duration.ofMillis(300)).run().await()
                .atMost(Duration.ofSeconds(30));

        assertThat(result.commands()).isPositive().isLessThan(100_000_000);
        assertThat(result.succeeded()).isEqualTo(result.commands());
    }

    @Test
    void zeroCommandsIsOff() {
        WarmUp.Result result = warmUp(0, Duration.ofSeconds(10)).run().await().atMost(Duration.ofSeconds(5));

        assertThat(result.commands()).isZero();
    }

    private WarmUp warmUp(int commands, Duration timeout) {
        return new WarmUp(vertx, relay(commands, timeout), adapters, parser, MAPPER, Clock.systemUTC(),
                new PipelineLoop(vertx.getDelegate()));
    }

    /** The tests' relay settings with a rehearsal of {@code commands}. */
    private static RelayConfig relay(int commands, Duration timeout) {
        RelayConfig base = TestConfigs.Relay.of(3, Duration.ofSeconds(10), Duration.ofSeconds(10));
        RelayConfig.WarmUp warmUp = new TestConfigs.WarmUpPolicy(commands, timeout);
        return (RelayConfig) Proxy.newProxyInstance(RelayConfig.class.getClassLoader(),
                new Class<?>[]{RelayConfig.class}, (proxy, method, args) -> {
                    if (method.getName().equals("warmUp")) {
                        return warmUp;
                    }
                    try {
                        return method.invoke(base, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
