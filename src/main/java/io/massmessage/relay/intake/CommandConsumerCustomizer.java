package io.massmessage.relay.intake;

import io.massmessage.relay.config.Channels;

import io.smallrye.reactive.messaging.ClientCustomizer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.Config;

/**
 * Adds {@link PollCounter} to the command channel's Kafka consumer, and the {@link PendingBounds} it
 * counts into, so records count against the pending bound when they are polled. Leaves every other
 * client alone, the same channel's dead-letter producer included, and keeps any interceptor an
 * operator configured.
 */
@ApplicationScoped
public class CommandConsumerCustomizer implements ClientCustomizer<Map<String, Object>> {

    private final PendingBounds bounds;

    public CommandConsumerCustomizer(PendingBounds bounds) {
        this.bounds = bounds;
    }

    @Override
    public Map<String, Object> customize(String channel, Config channelConfig, Map<String, Object> config) {
        if (!Channels.COMMANDS.equals(channel) || !config.containsKey(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG)
                || config.containsKey(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
            return config;
        }
        Object configured = config.get(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG);
        String ours = PollCounter.class.getName();
        config.put(ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG,
                configured == null || configured.toString().isBlank() ? ours : configured + "," + ours);
        config.put(PollCounter.BOUNDS, bounds);
        return config;
    }
}
