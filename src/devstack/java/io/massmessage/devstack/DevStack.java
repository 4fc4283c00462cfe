package io.massmessage.devstack;

import io.massmessage.simulator.ProviderSimulator;
import io.massmessage.simulator.SimulatorSettings;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * {@code ./mvnw -Pdev} (dev mode) on a machine with only a JDK: before the relay starts, a real Kafka broker
 * ({@link KraftBroker}, {@code 127.0.0.1:9092}, data in {@code target/dev-kafka}) and the provider simulator
 * ({@code 127.0.0.1:8089}, which the dev profile's base URLs and keys point at) start in this JVM, and a few
 * sample commands go to the command topic, so outcomes show in the log at once. Both keep running across live
 * reloads (a reload finds their ports taken and leaves them be). This source set ({@code src/devstack/java}) is
 * main code only in the Maven profile {@code dev}; the packaged application has neither it nor the broker's jars.
 */
@IfBuildProfile("dev")
@ApplicationScoped
public class DevStack {

    private static final Logger LOG = Logger.getLogger(DevStack.class);
    static final int BROKER_PORT = 9092;
    static final int CONTROLLER_PORT = 9093;
    static final int SIMULATOR_PORT = 8089;

    void start(@Observes @Priority(1) StartupEvent event, Vertx vertx,
            @ConfigProperty(name = "mp.messaging.incoming.commands.topic") String topic) throws Exception {
        if (!listening(SIMULATOR_PORT)) {
            ProviderSimulator.start(vertx.getDelegate(), SIMULATOR_PORT, new SimulatorSettings(), Clock.systemUTC());
            LOG.infof("dev stack: provider simulator on http://127.0.0.1:%d", SIMULATOR_PORT);
        }
        if (listening(BROKER_PORT)) {
            return; // a live reload: the broker (and its sample commands) are there from the first start
        }
        var server = KraftBroker.start(Path.of("target", "dev-kafka"), BROKER_PORT, CONTROLLER_PORT, 4,
                new Properties());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "dev-kafka-shutdown"));
        LOG.infof("dev stack: Kafka broker on 127.0.0.1:%d (data in target/dev-kafka)", BROKER_PORT);
        sendSamples(topic);
    }

    private static void sendSamples(String topic) {
        List<String[]> samples = List.of(
                new String[]{"onlyfansapi:acct_dev",
                        "{\"commandId\":\"dev-1\",\"provider\":\"onlyfansapi\",\"account\":\"acct_dev\","
                                + "\"messageId\":\"1000\",\"update\":{\"text\":\"Hello from dev mode\",\"price\":0}}"},
                new String[]{"fansmetric:84000",
                        "{\"commandId\":\"dev-2\",\"provider\":\"fansmetric\",\"account\":\"84000\","
                                + "\"messageId\":\"2000\",\"update\":{\"text\":\"Hello from dev mode\"}}"},
                new String[]{"fansly:fy_dev", "{\"commandId\":\"dev-3\",\"provider\":\"fansly\",\"account\":\"fy_dev\","
                        + "\"messageId\":\"3000\",\"update\":{\"text\":\"Hello from dev mode\"}}"},
                new String[]{"fansly:fy_dev", "not a command: this one is dead-lettered"});
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + BROKER_PORT,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000), new StringSerializer(), new StringSerializer())) {
            for (String[] sample : samples) {
                producer.send(new ProducerRecord<>(topic, sample[0], sample[1]));
            }
            producer.flush();
        }
        LOG.infof("dev stack: %d sample commands sent to %s; send your own with kcat -P -b 127.0.0.1:%d -t %s -K '|'",
                samples.size(), topic, BROKER_PORT, topic);
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
