package io.massmessage.relay.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.flow.Delays;
import io.massmessage.relay.metrics.RelayMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.massmessage.relay.flow.MessageSequencer;
import io.massmessage.relay.flow.PartitionLanes;
import io.massmessage.relay.flow.PendingBounds;
import io.massmessage.relay.flow.ProviderConnections;
import io.massmessage.relay.flow.ProviderBreakers;
import io.massmessage.relay.flow.RateBudgets;
import io.massmessage.relay.flow.StallWatch;
import io.massmessage.relay.flow.VertxDelays;
import io.massmessage.relay.provider.ProviderClient;
import io.massmessage.relay.provider.ProviderRegistry;
import io.quarkus.arc.DefaultBean;
import io.vertx.mutiny.core.Vertx;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/** Wires the plain classes of the pipeline into CDI. Tests may replace any {@link DefaultBean}. */
@Singleton
public class Beans {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    @DefaultBean
    DoubleSupplier jitter() {
        return () -> ThreadLocalRandom.current().nextDouble();
    }

    @Produces
    @Singleton
    @DefaultBean
    Delays delays(Vertx vertx) {
        return new VertxDelays(vertx);
    }

    @Produces
    @Singleton
    StallWatch stallWatch(Clock clock) {
        return new StallWatch(clock);
    }

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
            KafkaConsumer<Object, Object> consumer = (KafkaConsumer<Object, Object>) kafkaClients.getConsumer(Channels.COMMANDS);
            if (consumer == null) {
                return null;
            }
            java.util.function.Consumer<org.apache.kafka.clients.consumer.Consumer<Object, Object>> onPollingThread = action::accept;
            return consumer.runOnPollingThread(onPollingThread);
        });
    }

    @Produces
    @Singleton
    MessageSequencer sequencer() {
        return new MessageSequencer();
    }

    @Produces
    @Singleton
    ProviderConnections connections(ProviderClient client) {
        return new ProviderConnections(client::poolSize);
    }

    @Produces
    @Singleton
    RateBudgets budgets(Clock clock, Delays delays, RelayConfig config, ProviderConnections connections) {
        return new RateBudgets(clock, delays, config.rateLimit().headroom(), connections);
    }

    @Produces
    @Singleton
    ProviderBreakers breakers(Clock clock, Delays delays, RelayConfig config) {
        return new ProviderBreakers(clock, delays, config.breaker().failureThreshold(), config.breaker().coolDown());
    }

    @Produces
    @Singleton
    RelayMetrics metrics(MeterRegistry registry) {
        return new RelayMetrics(registry);
    }

    @Produces
    @Singleton
    CommandParser parser(RelayConfig config, ProviderRegistry registry) {
        return new CommandParser(config.maxPayloadBytes(), name -> registry.adapter(name).orElse(null),
                registry.names());
    }
}
