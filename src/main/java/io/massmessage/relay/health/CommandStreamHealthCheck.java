package io.massmessage.relay.health;

import io.massmessage.relay.flow.RelayPipeline;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * DOWN, for liveness and readiness, as soon as the command stream has stopped while the service runs
 * (it failed or completed): nothing would consume commands any more, so Kubernetes should restart the
 * pod at once instead of after the connector notices unprocessed records minutes later.
 */
@Liveness
@Readiness
@ApplicationScoped
public class CommandStreamHealthCheck implements HealthCheck {

    private final RelayPipeline pipeline;

    public CommandStreamHealthCheck(RelayPipeline pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public HealthCheckResponse call() {
        String stopped = pipeline.streamStopped();
        return stopped == null
                ? HealthCheckResponse.named("command-stream").up().build()
                : HealthCheckResponse.named("command-stream").down().withData("reason", stopped).build();
    }
}
