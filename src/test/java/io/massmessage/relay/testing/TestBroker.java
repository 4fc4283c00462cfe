package io.massmessage.relay.testing;

import org.apache.kafka.clients.admin.Admin;

/**
 * The broker the end-to-end tests run against: the in-JVM KRaft broker ({@link EmbeddedKafka}, the default), or
 * with {@code -Ptestcontainers} a Testcontainers Kafka where a Docker engine answers.
 */
public interface TestBroker extends AutoCloseable {

    /** {@code host:port} for clients. */
    String bootstrapServers();

    /** A new admin client; close it. */
    Admin admin();

    /** Creates topics (ignoring those that exist) with the given partition count. */
    void createTopics(int partitions, String... topics);

    @Override
    void close();
}
