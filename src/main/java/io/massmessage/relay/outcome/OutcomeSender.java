package io.massmessage.relay.outcome;

import io.massmessage.relay.config.KafkaClientSettings;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The one producer of the relay's outcome records and of its history records ({@code history.AppliedUpdates}):
 * acks from every in-sync replica and idempotence, so an acknowledged record is durable and a retried send is
 * written once; {@code linger.ms} 20, so the records of many commands, on every topic, share a produce request
 * (a command's record reaches its topic at most 20 ms later). The shared {@code kafka.*} settings (bootstrap,
 * TLS, SASL) apply, as to every client of the relay.
 *
 * <p>The relay writes these records itself rather than through the Kafka connector's emitters: per record the
 * connector built a message with metadata maps and wrapped its send in a retry pipeline of its own (on top of the
 * producer's retries and the relay's, {@code relay.publish-retry.*}), which cost more CPU and allocation than the
 * send (docs/decisions).
 */
@Singleton
public class OutcomeSender {

    private static final int LINGER_MS = 20;
    private final RecordSender<String, String> sender;

    @Inject
    public OutcomeSender(@Identifier("default-kafka-broker") Map<String, Object> kafka) {
        this.sender = new RecordSender<>(new KafkaProducer<>(producerConfig(kafka)), "relay-outcome-sender");
    }

    private static Map<String, Object> producerConfig(Map<String, Object> kafka) {
        Map<String, Object> props = KafkaClientSettings.durableProducer(kafka, "mass-message-relay-outcomes",
                StringSerializer.class);
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
        return props;
    }

    /** Sends {@code record}; the Uni ends, on the producer's I/O thread, with where the broker wrote it. */
    public Uni<RecordMetadata> send(ProducerRecord<String, String> record) {
        return sender.sendAt(record);
    }

    /** Closes the producer and its sending thread. */
    @PreDestroy
    public void close() {
        sender.close();
    }
}
