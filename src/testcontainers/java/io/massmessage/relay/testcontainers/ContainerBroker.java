package io.massmessage.relay.testcontainers;

import io.massmessage.relay.testing.TestBroker;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.testcontainers.kafka.KafkaContainer;

/**
 * The end-to-end tests' broker in a container (Apache Kafka's native image, KRaft), for machines with a Docker
 * engine: {@code ./mvnw verify -Ptestcontainers}. Every replication factor and min ISR is 1, as in the in-JVM broker.
 */
public final class ContainerBroker implements TestBroker {

    /** The image, at the Kafka version of the clients the Quarkus BOM manages. */
    static final String IMAGE = "apache/kafka-native:4.1.2";

    private final KafkaContainer container;

    private ContainerBroker(KafkaContainer container) {
        this.container = container;
    }

    /** Starts the container; {@code partitions} is the default for topics created on first use. */
    public static ContainerBroker start(int partitions) {
        KafkaContainer container = new KafkaContainer(IMAGE)
                .withEnv("KAFKA_NUM_PARTITIONS", String.valueOf(partitions))
                .withEnv("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .withEnv("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .withEnv("KAFKA_MIN_INSYNC_REPLICAS", "1")
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0");
        container.start();
        return new ContainerBroker(container);
    }

    @Override
    public String bootstrapServers() {
        return container.getBootstrapServers();
    }

    @Override
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    @Override
    public void close() {
        container.stop();
    }
}
