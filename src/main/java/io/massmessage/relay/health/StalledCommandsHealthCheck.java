package io.massmessage.relay.health;

import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.flow.StallWatch;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness DOWN when a command has been working (not waiting by design) for longer than
 * {@code relay.stall-limit}: the pipeline lost track of it, its partition's offsets can no longer move,
 * and a restart hands it to a fresh replica. A long provider outage or a broker away is not a stall
 * ({@link StallWatch}): readiness and the metrics say those.
 */
@Liveness
@ApplicationScoped
public class StalledCommandsHealthCheck implements HealthCheck {

    private final StallWatch watch;
    private final RelayConfig config;

    public StalledCommandsHealthCheck(StallWatch watch, RelayConfig config) {
        this.watch = watch;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        StallWatch.Stalled stalled = watch.stalled(config.stallLimit());
        if (stalled == null) {
            return HealthCheckResponse.named("stalled-commands").up().withData("watched", watch.size()).build();
        }
        return HealthCheckResponse.named("stalled-commands").down()
                .withData("stalled", stalled.what())
                .withData("working since", Instant.ofEpochMilli(stalled.sinceMillis()).toString())
                .withData("limit", config.stallLimit().toString())
                .build();
    }
}
