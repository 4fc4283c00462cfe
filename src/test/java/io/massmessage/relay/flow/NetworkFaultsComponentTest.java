package io.massmessage.relay.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.limits.Delays;
import io.massmessage.relay.limits.ProviderBreakers;
import io.massmessage.relay.limits.ProviderConnections;
import io.massmessage.relay.limits.RateBudgets;
import io.massmessage.relay.limits.VertxDelays;
import io.massmessage.relay.metrics.RelayMetrics;
import io.massmessage.relay.outcome.Outcome;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.provider.ProviderClient;
import io.massmessage.relay.provider.ProviderRegistry;
import io.massmessage.relay.testing.EmbeddedKafka;
import io.massmessage.relay.testing.Parsers;
import io.massmessage.relay.testing.TestConfigs;
import io.massmessage.simulator.Latency;
import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.mutiny.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.core.throttle.DelayThrottler;
import org.netcrusher.core.throttle.Throttler;
import org.netcrusher.core.throttle.rate.ByteRateThrottler;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * Network faults between the relay and a provider, made by a real TCP fault proxy (NetCrusher) in front of
 * the provider simulator: a connection reset after the provider answered, a half-open connection, an answer
 * dripped a few bytes a second, a refused connection and a host that does not resolve. Each is a transient
 * fault: retried, and never reported as a permanent refusal; once the network is back the command succeeds.
 */
class NetworkFaultsComponentTest {

    private static final Duration TIMEOUT = Duration.ofMillis(800);
    private static Vertx vertx;
    private static NioReactor reactor;
    private static ProviderSimulator simulator;
    private static final CommandParser PARSER = Parsers.standard();
    private final AtomicInteger ids = new AtomicInteger();
    private TcpCrusher crusher;

    @BeforeAll
    static void startServers() throws Exception {
        vertx = Vertx.vertx();
        reactor = new NioReactor(5);
        SimulatorSettings settings = new SimulatorSettings();
        settings.latency = new Latency.Fixed(0);
        simulator = ProviderSimulator.start(vertx.getDelegate(), 0, settings, Clock.systemUTC());
    }

    @AfterAll
    static void stopServers() {
        simulator.close();
        reactor.close();
        vertx.closeAndAwait();
    }

    @BeforeEach
    void proxy() throws Exception {
        simulator.settings().latency = new Latency.Fixed(0);
        crusher = proxy(null);
    }

    @AfterEach
    void closeProxy() {
        crusher.close();
    }

    private static TcpCrusher proxy(Throttler throttler) throws Exception {
        int port = EmbeddedKafka.freePort();
        TcpCrusherBuilder builder = TcpCrusherBuilder.builder().withReactor(reactor)
                .withBindAddress("127.0.0.1", port)
                .withConnectAddress("127.0.0.1", Integer.parseInt(simulator.baseUrl().replaceAll(".*:", "")));
        if (throttler != null) {
            builder.withIncomingThrottlerFactory(address -> throttler)
                    .withOutgoingThrottlerFactory(address -> throttler);
        }
        return builder.buildAndOpen();
    }

    private CommandProcessor processor(String baseUrl, int attempts) {
        String key = simulator.settings().apiKeys.get("onlyfansapi");
        var providers = new TestConfigs.Providers(TestConfigs.Endpoint.of(baseUrl, key, TIMEOUT),
                TestConfigs.Endpoint.of(baseUrl, "x", TIMEOUT), TestConfigs.Endpoint.of(baseUrl, "x", TIMEOUT));
        var relay = TestConfigs.Relay.of(attempts, Duration.ofSeconds(60), Duration.ofSeconds(60));
        var registry = new ProviderRegistry(Parsers.ADAPTERS.values().stream().toList(), providers);
        // real time throughout: the faults are real sockets and timers
        Clock clock = Clock.systemUTC();
        Delays delays = new VertxDelays(vertx);
        return new CommandProcessor(registry, new ProviderClient(vertx, registry, relay, clock), relay, delays, clock,
                () -> 0.5, new RateBudgets(clock, delays, 0.0, new ProviderConnections(provider -> Integer.MAX_VALUE)),
                new ProviderBreakers(clock, delays, 1000, Duration.ofSeconds(30)),
                new RelayMetrics(new SimpleMeterRegistry()));
    }

    private String through(TcpCrusher proxy) {
        return "http://127.0.0.1:" + proxy.getBindAddress().getPort();
    }

    private Outcome send(CommandProcessor processor) {
        String json = "{\"commandId\":\"net-" + ids.incrementAndGet()
                + "\",\"provider\":\"onlyfansapi\",\"account\":\"acct_net\","
                + "\"messageId\":\"" + ids.get() + "\",\"update\":{\"text\":\"hello\"}}";
        return processor.process(PARSER.parse(json.getBytes(StandardCharsets.UTF_8))).await()
                .atMost(Duration.ofSeconds(30));
    }

    private static void assertTransientToTheEnd(Outcome outcome, int attempts) {
        assertThat(outcome).isInstanceOf(Outcome.Failed.class);
        Outcome.Failed failed = (Outcome.Failed) outcome;
        assertThat(failed.category()).as("a network fault is never a permanent refusal")
                .isEqualTo(ErrorCategory.unavailable);
        assertThat(failed.attempts()).as("retried to the last attempt").isEqualTo(attempts);
    }

    @Test
    void aConnectionResetAfterTheProviderAnsweredIsRetried() throws Exception {
        // the proxy holds each direction 300 ms (within the 800 ms timeout); the connection is reset once the simulator has sent it
        TcpCrusher slow = proxy(new DelayThrottler(300, TimeUnit.MILLISECONDS));
        try {
            CommandProcessor processor = processor(through(slow), 3);
            long before = simulator.counters().total();
            var outcome = processor.process(PARSER.parse(("{\"commandId\":\"reset\",\"provider\":\"onlyfansapi\","
                    + "\"account\":\"acct_net\",\"messageId\":\"r1\",\"update\":{\"text\":\"hello\"}}")
                    .getBytes(StandardCharsets.UTF_8)))
                    .subscribeAsCompletionStage();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                    .untilAsserted(() -> assertThat(simulator.counters().total())
                            .as("the simulator answered the first attempt")
                            .isGreaterThan(before));
            slow.closeAllPairs();
            Outcome result = outcome.get(30, TimeUnit.SECONDS);
            assertThat(result).isInstanceOf(Outcome.Succeeded.class);
            assertThat(result.attempts()).as("the answer lost with the connection was asked again")
                    .isGreaterThanOrEqualTo(2);
        } finally {
            slow.close();
        }
    }

    @Test
    void aHalfOpenConnectionTimesOutAndIsRetriedUntilTheNetworkIsBack() throws Exception {
        CommandProcessor processor = processor(through(crusher), 3);
        assertThat(send(processor)).isInstanceOf(Outcome.Succeeded.class); // a pooled connection exists now
        crusher.freeze(); // nothing passes, nothing is closed
        assertTransientToTheEnd(send(processor), 3);
        crusher.unfreeze();
        assertThat(send(processor)).isInstanceOf(Outcome.Succeeded.class);
    }

    @Test
    void anAnswerDrippedFewBytesASecondTimesOutAsAWholeExchange() throws Exception {
        TcpCrusher drip = proxy(new ByteRateThrottler(40, 1, TimeUnit.SECONDS));
        try {
            long started = System.nanoTime();
            assertTransientToTheEnd(send(processor(through(drip), 2)), 2);
            // two exchanges of at most the request timeout each, not the minutes the drip would take
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isLessThan(TIMEOUT.multipliedBy(2).plusSeconds(3));
        } finally {
            drip.close();
        }
    }

    @Test
    void aRefusedConnectionIsRetriedAndSucceedsOnceTheProviderListensAgain() throws Exception {
        CommandProcessor processor = processor(through(crusher), 3);
        crusher.close();
        assertTransientToTheEnd(send(processor), 3);
        crusher.open();
        assertThat(send(processor)).isInstanceOf(Outcome.Succeeded.class);
    }

    @Test
    void aHostThatDoesNotResolveIsTransientNotPermanent() {
        assertTransientToTheEnd(send(processor("https://relay-provider-that-does-not-exist.invalid", 2)), 2);
    }

    @Test
    void everyFaultEndsItsOwnCommandOnly() throws Exception {
        // many commands through a proxy whose connections are reset again and again: each ends once, none is lost
        simulator.settings().latency = new Latency.Fixed(100);
        CommandProcessor processor = processor(through(crusher), 5);
        List<CompletableFuture<Outcome>> running = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String json = "{\"commandId\":\"many-" + i + "\",\"provider\":\"onlyfansapi\",\"account\":\"acct_net"
                    + (i % 5)
                    + "\",\"messageId\":\"m" + i + "\",\"update\":{\"text\":\"hello\"}}";
            running.add(processor.process(PARSER.parse(json.getBytes(StandardCharsets.UTF_8)))
                    .subscribeAsCompletionStage());
        }
        for (int i = 0; i < 5; i++) {
            await().pollDelay(Duration.ofMillis(60)).until(() -> true); // resets 60 ms apart, under commands in flight
            crusher.closeAllPairs();
        }
        int retried = 0;
        for (var outcome : running) {
            Outcome result = outcome.get(60, TimeUnit.SECONDS);
            retried += result.attempts() > 1 ? 1 : 0;
            assertThat(result).isInstanceOfAny(Outcome.Succeeded.class, Outcome.Failed.class);
            if (result instanceof Outcome.Failed failed) {
                assertThat(failed.category()).isEqualTo(ErrorCategory.unavailable);
            }
        }
        assertThat(retried).as("commands whose connection was reset under them, and were sent again").isPositive();
    }
}
