package io.massmessage.relay.limits;

import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.provider.ProviderClient;
import io.quarkus.arc.DefaultBean;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Wires the limits' plain classes into CDI. Tests may replace any {@link DefaultBean}.
 */
@Singleton
public class LimitsBeans {

    @Produces
    @Singleton
    @DefaultBean
    public static Delays delays(Vertx vertx) {
        return new VertxDelays(vertx);
    }

    @Produces
    @Singleton
    public static ProviderConnections connections(ProviderClient client) {
        return new ProviderConnections(client::poolSize);
    }

    @Produces
    @Singleton
    public static RateBudgets budgets(Clock clock, Delays delays, RelayConfig config, ProviderConnections connections) {
        return new RateBudgets(clock, delays, config.rateLimit().headroom(), connections);
    }

    @Produces
    @Singleton
    public static ProviderBreakers breakers(Clock clock, Delays delays, RelayConfig config) {
        return new ProviderBreakers(clock, delays, config.breaker().failureThreshold(), config.breaker().coolDown());
    }
}
