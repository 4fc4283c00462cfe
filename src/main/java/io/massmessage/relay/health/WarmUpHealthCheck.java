package io.massmessage.relay.health;

import io.massmessage.relay.flow.RelayPipeline;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness DOWN while the rehearsal at start runs ({@code relay.warm-up.*}): the replica consumes nothing yet, so a
 * rolling update waits for it before it stops an older one. Liveness is not concerned.
 */
@Readiness
@ApplicationScoped
public class WarmUpHealthCheck implements HealthCheck {

    private final RelayPipeline pipeline;

    public WarmUpHealthCheck(RelayPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public HealthCheckResponse call() {
        return pipeline.warmingUp()
                ? HealthCheckResponse.named("warm-up").down().withData("reason", "rehearsing at start").build()
                : HealthCheckResponse.named("warm-up").up().build();
    }
}
