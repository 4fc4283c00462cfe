package io.massmessage.relay.config;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings every Kafka client the relay creates itself (the dead-letter producer, the replay check's
 * reader) shares with the connector's channels: the {@code kafka.*} properties, which Quarkus also reads
 * from {@code KAFKA_*} variables (bootstrap servers, {@code KAFKA_SECURITY_PROTOCOL},
 * {@code KAFKA_SASL_MECHANISM}, {@code KAFKA_SASL_JAAS_CONFIG}, {@code KAFKA_SSL_TRUSTSTORE_LOCATION}, …).
 * So one set of variables secures every connection to the broker.
 */
public final class KafkaClientSettings {

    private KafkaClientSettings() {}

    /**
     * The shared settings out of Quarkus's {@code default-kafka-broker} map, without what belongs to one
     * client only: interceptors (the connector's tracing) and consumer-group settings.
     */
    public static Map<String, Object> shared(Map<String, Object> defaults) {
        Map<String, Object> props = new HashMap<>();
        defaults.forEach((key, value) -> {
            if (!key.startsWith("interceptor") && !key.startsWith("group.")) {
                props.put(key, value);
            }
        });
        return props;
    }

    /**
     * The shared settings of a producer whose acknowledged records are durable: acks from every in-sync replica, and
     * idempotence so a retried send is written once; keys and values serialised by {@code serializer}.
     */
    public static Map<String, Object> durableProducer(Map<String, Object> defaults, String clientId,
            Class<?> serializer) {
        Map<String, Object> props = shared(defaults);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, serializer.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, serializer.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return props;
    }
}
