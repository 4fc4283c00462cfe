package io.massmessage.relay.testcontainers;

import io.massmessage.relay.testing.TestBroker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
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
    public void createTopics(int partitions, String... topics) {
        try (Admin admin = admin()) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics", e);
        }
    }

    @Override
    public void close() {
        container.stop();
    }
}
