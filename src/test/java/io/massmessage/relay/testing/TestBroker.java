package io.massmessage.relay.testing;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The broker the end-to-end tests run against: the in-JVM KRaft broker ({@link EmbeddedKafka}, the default), or
 * with {@code -Ptestcontainers} a Testcontainers Kafka where a Docker engine answers.
 */
public interface TestBroker extends AutoCloseable {

    /** {@code host:port} for clients. */
    String bootstrapServers();

    /** A new admin client; close it. */
    Admin admin();

    /** Creates topics (ignoring those that exist) with the given partition count, replication factor 1. */
    default void createTopics(int partitions, String... topics) {
        try (Admin admin = admin()) {
            for (String topic : topics) {
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                            .all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
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
    void close();
}
