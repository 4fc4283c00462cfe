package io.massmessage.relay.metrics;

import io.massmessage.relay.history.AppliedUpdates;
import io.massmessage.relay.intake.PendingBounds;
import io.massmessage.relay.limits.ProviderBreakers;
import io.massmessage.relay.limits.ProviderConnections;
import io.massmessage.relay.limits.RateBudgets;
import io.massmessage.relay.provider.ProviderClient;
import io.massmessage.relay.provider.ProviderRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Gauges over the flow's state: commands waiting for rate budget, each API key's budget (tagged by
 * provider and the key's fingerprint, never the key), and each provider's breaker
 * ({@code relay.breaker.state}: 0 closed, 1 half-open, 2 open).
 */
@ApplicationScoped
public class PipelineGauges {

    void register(@Observes StartupEvent event, RelayMetrics metrics, RateBudgets budgets, ProviderBreakers breakers,
            ProviderRegistry registry, ProviderClient client, PendingBounds gate, ProviderConnections connections,
            Vertx vertx,
            AppliedUpdates applied) {
        metrics.gauge("relay.stale.guard.messages", "Messages whose newest applied issuedAt the stale guard remembers",
                applied::messages);
        metrics.gauge("relay.stale.guard.rebuild.seconds", "How long the last assignment took to read the guard back",
                () -> applied.lastRebuild().millis() / 1000.0);
        metrics.gauge("relay.idempotency.commands", "Answered command ids remembered for idempotency",
                applied::answeredIds);
        metrics.gauge("relay.idempotency.forgotten",
                "Answered command ids forgotten before their window ended, for want of room", applied::forgottenIds);
        metrics.gauge("relay.idempotency.reused",
                "Commands whose id an earlier, different command had (another message or issuedAt): processed anew",
                applied::reusedIds);
        metrics.gauge("relay.budget.waiting", "Commands waiting for their API key's rate budget", budgets::waiting);
        metrics.gauge("relay.partitions.held", "Partitions paused because they hold their share of pending records",
                () -> gate.held().size());
        metrics.gauge("relay.partition.share",
                "Pending records each assigned partition may hold (max-pending / assigned)",
                gate::share);
        metrics.gauge("relay.partition.pending",
                "Records polled from owned partitions and not finished (bounded by the shares)",
                gate::pending);
        metrics.gauge("relay.partition.pending.bytes",
                "Payload bytes of the records counted by relay.partition.pending",
                gate::pendingBytes);
        // per-key gauges, tagged by provider and key fingerprint, registered as keys come into use
        Set<String> known = ConcurrentHashMap.newKeySet();
        vertx.setPeriodic(0, 1_000, timer -> {
            for (RateBudgets.KeyView key : budgets.keys()) {
                if (known.add(key.provider() + "/" + key.key())) {
                    Supplier<Optional<RateBudgets.KeyView>> now = () -> budgets.keys().stream()
                            .filter(k -> k.provider().equals(key.provider()) && k.key().equals(key.key())).findFirst();
                    metrics.gauge("relay.budget.limit.minute", "The key's requests per minute as last learned",
                            () -> now.get().map(RateBudgets.KeyView::perMinute).orElse(0L), "provider", key.provider(),
                            "key", key.key());
                    metrics.gauge("relay.budget.remaining.day", "Requests left today for the key (-1: no daily limit)",
                            () -> now.get().map(RateBudgets.KeyView::remainingToday).orElse(0L), "provider",
                            key.provider(), "key", key.key());
                    metrics.gauge("relay.budget.key.waiting", "Commands waiting for this key's budget",
                            () -> now.get().map(RateBudgets.KeyView::waiting).orElse(0), "provider", key.provider(),
                            "key", key.key());
                }
            }
        });
        for (String provider : registry.names()) {
            metrics.gauge("relay.provider.requests.in.flight", "Provider requests sent and not yet answered",
                    () -> client.inFlight(provider), "provider", provider);
            metrics.gauge("relay.provider.connections.in.use", "Provider connections held by commands sending now",
                    () -> connections.inUse(provider), "provider", provider);
            metrics.gauge("relay.provider.connections.queued.keys",
                    "API keys whose next command's slot has come and waits for a free connection",
                    () -> connections.keysWaiting(provider), "provider", provider);
            metrics.gauge("relay.breaker.state", "Provider breaker: 0 closed, 1 half-open, 2 open",
                    () -> switch (breakers.states().getOrDefault(provider, ProviderBreakers.State.closed)) {
                        case closed -> 0;
                        case half_open -> 1;
                        case open -> 2;
                    }, "provider", provider);
        }
    }
}
