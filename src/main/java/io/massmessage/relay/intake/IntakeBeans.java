package io.massmessage.relay.intake;

import io.massmessage.relay.config.Channels;
import io.massmessage.relay.config.RelayConfig;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.function.Consumer;

/** Wires the intake's plain classes into CDI: the partitions' lanes and their bounds on the command consumer. */
@Singleton
public class IntakeBeans {

    @Produces
    @Singleton
    PartitionLanes partitionLanes() {
        return new PartitionLanes();
    }

    @Produces
    @Singleton
    PendingBounds pendingBounds(RelayConfig config, PartitionLanes lanes, KafkaClientService kafkaClients) {
        return new PendingBounds(config.maxPending(), config.maxPendingBytes(), lanes, action -> {
            @SuppressWarnings("unchecked")
            KafkaConsumer<Object, Object> consumer = (KafkaConsumer<Object, Object>) kafkaClients
                    .getConsumer(Channels.COMMANDS);
            if (consumer == null) {
                return null;
            }
            Consumer<org.apache.kafka.clients.consumer.Consumer<Object, Object>> onPollingThread = action::accept;
            return consumer.runOnPollingThread(onPollingThread);
        });
    }
}
