package io.massmessage.relay.metrics;

import io.massmessage.relay.flow.ProviderBreakers;
import io.massmessage.relay.flow.RateBudgets;
import io.massmessage.relay.provider.ProviderRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Gauges over the flow's state: commands waiting for rate budget, and each provider's breaker
 * ({@code relay.breaker.state}: 0 closed, 1 half-open, 2 open).
 */
@ApplicationScoped
public class FlowGauges {

    void register(@Observes StartupEvent event, RelayMetrics metrics, RateBudgets budgets, ProviderBreakers breakers,
            ProviderRegistry registry) {
        metrics.gauge("relay.budget.waiting", "Commands waiting for their API key's rate budget", budgets::waiting);
        for (String provider : registry.names()) {
            metrics.gauge("relay.breaker.state", "Provider breaker: 0 closed, 1 half-open, 2 open",
                    () -> switch (breakers.states().getOrDefault(provider, ProviderBreakers.State.closed)) {
                        case closed -> 0;
                        case half_open -> 1;
                        case open -> 2;
                    }, "provider", provider);
        }
    }
}
