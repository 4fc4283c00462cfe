package io.massmessage.relay.intake;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.config.Channels;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The poll counter goes to the command channel's consumer, and nowhere else. */
class CommandConsumerCustomizerTest {

    private final PendingBounds bounds = new PendingBounds(64, 1 << 20, new PartitionLanes(), action -> null);
    private final CommandConsumerCustomizer customizer = new CommandConsumerCustomizer(bounds);

    private static Map<String, Object> consumer() {
        Map<String, Object> config = new HashMap<>();
        config.put("group.id", "mass-message-relay");
        config.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        return config;
    }

    @Test
    void theCommandConsumerCountsIntoThePendingBounds() {
        Map<String, Object> config = customizer.customize(Channels.COMMANDS, null, consumer());
        assertThat(config).containsEntry("interceptor.classes", PollCounter.class.getName())
                .containsEntry(PollCounter.BOUNDS, bounds);
    }

    @Test
    void anOperatorsInterceptorIsKept() {
        Map<String, Object> given = consumer();
        given.put("interceptor.classes", "com.example.Audit");
        assertThat(customizer.customize(Channels.COMMANDS, null, given))
                .containsEntry("interceptor.classes", "com.example.Audit," + PollCounter.class.getName());
    }

    @Test
    void otherClientsAreLeftAlone() {
        Map<String, Object> deadLetterProducer = consumer();
        deadLetterProducer.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        assertThat(customizer.customize(Channels.COMMANDS, null, deadLetterProducer))
                .doesNotContainKeys("interceptor.classes", PollCounter.BOUNDS);
        assertThat(customizer.customize("succeeded", null, consumer())).doesNotContainKeys("interceptor.classes",
                PollCounter.BOUNDS);
    }
}
