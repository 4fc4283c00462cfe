package io.massmessage.relay.health;

import io.massmessage.relay.limits.ProviderBreakers;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Shows each provider's breaker in {@code /q/health/ready}. It stays UP while a breaker is open: an
 * unavailable provider is not a fault of this replica, and an unready pod would only block voluntary
 * evictions (PodDisruptionBudget) during a provider outage. Alert on the breaker instead.
 */
@Readiness
@ApplicationScoped
public class ProviderBreakersHealthCheck implements HealthCheck {

    private final ProviderBreakers breakers;

    public ProviderBreakersHealthCheck(ProviderBreakers breakers) {
        this.breakers = breakers;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("provider-breakers").up();
        breakers.states().forEach((provider, state) -> {
            response.withData(provider, state.name());
            var reopens = breakers.reopensAt(provider);
            if (reopens != null) {
                response.withData(provider + ".probe-at", reopens.toString());
            }
        });
        return response.build();
    }
}
