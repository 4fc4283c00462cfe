package io.massmessage.relay.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Serves the Prometheus text format at {@code /q/metrics} on the application's HTTP port. */
@ApplicationScoped
public class MetricsEndpoint {

    void route(@Observes Router router, PrometheusMeterRegistry registry) {
        router.get("/q/metrics").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
    }
}
