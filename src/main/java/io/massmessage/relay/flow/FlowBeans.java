package io.massmessage.relay.flow;

import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.provider.ProviderRegistry;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Wires the flow's plain classes into CDI, with the clock and the jitter every stage uses. Tests may replace any
 * {@link DefaultBean}.
 */
@Singleton
public class FlowBeans {

    @Produces
    @Singleton
    @DefaultBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    @DefaultBean
    static DoubleSupplier jitter() {
        return () -> ThreadLocalRandom.current().nextDouble();
    }

    @Produces
    @Singleton
    StallWatch stallWatch(Clock clock) {
        return new StallWatch(clock);
    }

    @Produces
    @Singleton
    MessageSequencer sequencer() {
        return new MessageSequencer();
    }

    @Produces
    @Singleton
    Coalescer coalescer(ProviderRegistry registry, CommandParser parser) {
        return Coalescer.of(registry, parser);
    }

    @Produces
    @Singleton
    CommandParser parser(RelayConfig config, ProviderRegistry registry) {
        return new CommandParser(config.maxPayloadBytes(), name -> registry.adapter(name).orElse(null),
                registry.names());
    }
}
