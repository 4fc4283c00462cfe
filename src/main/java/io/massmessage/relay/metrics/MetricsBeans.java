package io.massmessage.relay.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the relay's meters into CDI, on the registry Quarkus Micrometer gives. */
@Singleton
public class MetricsBeans {

    @Produces
    @Singleton
    RelayMetrics metrics(MeterRegistry registry) {
        return new RelayMetrics(registry);
    }
}
