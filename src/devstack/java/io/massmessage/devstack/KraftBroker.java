package io.massmessage.devstack;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real Apache Kafka broker in KRaft mode (combined broker and controller, one node) in this JVM, for the tests
 * and for dev mode ({@code ./mvnw -Pdev}). Its jars are {@code provided}: never in the packaged application.
 *
 * <p>Uses Kafka's internal server APIs ({@link KafkaRaftServer}, {@link Formatter}): recheck them on every Kafka
 * version bump. Every replication factor and min ISR is 1, or the group coordinator waits forever for replicas
 * that do not exist.
 */
public final class KraftBroker {

    private KraftBroker() {}

    /**
     * Starts a broker on {@code 127.0.0.1:brokerPort} (PLAINTEXT) and {@code controllerPort}, with data in
     * {@code dataDir} (formatted if it is new, so a restart finds its topics and offsets); {@code extra} settings
     * override the defaults (other listeners, for instance). Returns once it has started, not once it answers.
     */
    public static KafkaRaftServer start(Path dataDir, int brokerPort, int controllerPort, int partitions,
            Properties extra)
            throws Exception {
        Path logDir = dataDir.resolve("log");
        Files.createDirectories(logDir);
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", String.valueOf(partitions));
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "4");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "true");
        props.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        props.putAll(extra);
        KafkaConfig config = new KafkaConfig(props, false);
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .run();
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        return server;
    }
}
