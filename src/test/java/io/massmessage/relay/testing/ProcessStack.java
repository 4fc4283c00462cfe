package io.massmessage.relay.testing;

import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the process tests run the packaged service against: a broker with the relay's topics (four
 * partitions each), the provider simulator, a client reading the outcome topics, and a directory for
 * the services' logs. Closes them in reverse order.
 */
public final class ProcessStack implements AutoCloseable {

    private final Vertx vertx;
    private final EmbeddedKafka kafka;
    private final ProviderSimulator simulator;
    private final KafkaTestClient client;
    private final Path logs;

    private ProcessStack(Vertx vertx, EmbeddedKafka kafka, ProviderSimulator simulator, KafkaTestClient client,
            Path logs) {
        this.vertx = vertx;
        this.kafka = kafka;
        this.simulator = simulator;
        this.client = client;
        this.logs = logs;
    }

    /** Starts the stack; the services' logs go to {@code target/<logDirectory>}. */
    public static ProcessStack start(SimulatorSettings settings, String logDirectory) throws Exception {
        return start(settings, logDirectory, () -> EmbeddedKafka.start(4));
    }

    /** As {@link #start(SimulatorSettings, String)}, on the broker {@code broker} starts (four partitions per topic). */
    public static ProcessStack start(SimulatorSettings settings, String logDirectory,
            Supplier<EmbeddedKafka> broker) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", logDirectory));
        Vertx vertx = Vertx.vertx();
        EmbeddedKafka kafka = null;
        ProviderSimulator simulator = null;
        try {
            kafka = broker.get();
            simulator = ProviderSimulator.start(vertx, 0, settings, Clock.systemUTC());
            KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers(),
                    OutcomeRecords.createTopics(kafka, 4));
            return new ProcessStack(vertx, kafka, simulator, client, logs);
        } catch (Exception | Error e) {
            if (simulator != null) {
                simulator.close();
            }
            if (kafka != null) {
                kafka.close();
            }
            vertx.close();
            throw e;
        }
    }

    /** Properties that point a service at this broker and simulator, on a free HTTP port; callers add their own. */
    public Map<String, String> serviceProperties() {
        Map<String, String> props = ServiceProcess.against(kafka.bootstrapServers(), simulator);
        props.put("quarkus.http.port", "0");
        // the process and fault tests count provider calls per command (a repeat is a call beyond one per command);
        // coalescing sends fewer than one per command, so it is off here (its tests: CoalescerTest, RelayEndToEndTest,
        // the ordering test, benchmark scenario 6)
        props.put("providers.onlyfansapi.coalesce", "false");
        props.put("providers.fansmetric.coalesce", "false");
        return props;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public ProviderSimulator simulator() {
        return simulator;
    }

    public KafkaTestClient client() {
        return client;
    }

    public Path logs() {
        return logs;
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
            simulator.close();
            kafka.close();
        } finally {
            vertx.close();
        }
    }
}
