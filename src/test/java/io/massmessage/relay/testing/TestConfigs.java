package io.massmessage.relay.testing;

import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.config.RelayConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Plain implementations of the config mappings, for tests that build the pipeline's classes by hand. */
public final class TestConfigs {

    private TestConfigs() {}

    /** One endpoint. */
    public record Endpoint(String baseUrl, Optional<String> apiKey, Map<String, ProvidersConfig.Account> accounts,
            Duration connectTimeout, Duration requestTimeout, Optional<Integer> maxConnections, long requestsPerMinute,
            long requestsPerDay) implements ProvidersConfig.Endpoint {

        @Override
        public long maxResponseBytes() {
            return 1 << 20;
        }

        @Override
        public Optional<Boolean> coalesce() {
            return Optional.empty();
        }

        /** An endpoint whose budget never makes anyone wait. */
        public static Endpoint of(String baseUrl, String apiKey, Duration requestTimeout) {
            return new Endpoint(baseUrl, Optional.ofNullable(apiKey), Map.of(), Duration.ofSeconds(2), requestTimeout,
                    Optional.empty(), 100_000_000L, 0);
        }

        public Endpoint withAccountKey(String account, String key) {
            ProvidersConfig.Account own = () -> Optional.of(key);
            return new Endpoint(baseUrl, apiKey, Map.of(account, own), connectTimeout, requestTimeout, maxConnections,
                    requestsPerMinute, requestsPerDay);
        }

        public Endpoint withBudget(long perMinute, long perDay) {
            return new Endpoint(baseUrl, apiKey, accounts, connectTimeout, requestTimeout, maxConnections, perMinute,
                    perDay);
        }
    }

    /** All three providers. */
    public record Providers(ProvidersConfig.Endpoint onlyfansapi, ProvidersConfig.Endpoint fansmetric,
            ProvidersConfig.Endpoint fansly) implements ProvidersConfig {
        @Override
        public boolean allowPlainHttp() {
            return false;
        }
    }

    /** Relay settings. */
    public record Relay(int maxInFlight, int maxPending, int maxPayloadBytes, int providerBodyMaxChars,
            RelayConfig.Retry retry, RelayConfig.RateLimit rateLimit,
            RelayConfig.Breaker breaker) implements RelayConfig {

        @Override
        public long maxPendingBytes() {
            return 8L << 20;
        }

        @Override
        public Duration shutdownGrace() {
            return Duration.ofSeconds(20);
        }

        @Override
        public Duration stallLimit() {
            return Duration.ofMinutes(5);
        }

        @Override
        public String cloudEventsSource() {
            return "/mass-message-relay";
        }

        @Override
        public Topics topics() {
            return new Topics() {
                @Override
                public String succeeded() {
                    return "mass-message.update.succeeded";
                }

                @Override
                public String failed() {
                    return "mass-message.update.failed";
                }

                @Override
                public String rateLimited() {
                    return "mass-message.update.rate-limited";
                }
            };
        }

        @Override
        public RelayConfig.ReplayCheck replayCheck() {
            return new ReplayCheckPolicy(true, 500_000, Duration.ofSeconds(15), Duration.ofSeconds(30));
        }

        @Override
        public RelayConfig.DeadLetter deadLetter() {
            return () -> 4 << 20;
        }

        @Override
        public RelayConfig.StaleGuard staleGuard() {
            return new StaleGuardPolicy(true, "mass-message.relay.applied-updates", Duration.ofDays(7),
                    Duration.ofSeconds(30));
        }

        @Override
        public RelayConfig.Idempotency idempotency() {
            return new IdempotencyPolicy(true, "mass-message.relay.answered-commands", Duration.ofHours(24), 50_000);
        }

        @Override
        public RelayConfig.PublishRetry publishRetry() {
            return new PublishRetryPolicy(Duration.ofMillis(50), Duration.ofSeconds(1));
        }

        public static Relay of(int maxAttempts, Duration retryBudget, Duration maxRateLimitWait) {
            RelayConfig.Retry retry = new RetryPolicy(maxAttempts, Duration.ofMillis(100), Duration.ofSeconds(2),
                    retryBudget);
            RelayConfig.RateLimit rateLimit = new RateLimitPolicy(maxRateLimitWait, 0.0);
            return new Relay(64, 1024, 1 << 20, 80, retry, rateLimit, new BreakerPolicy(1000, Duration.ofSeconds(30)));
        }
    }

    /** Replay-check settings. */
    public record ReplayCheckPolicy(boolean enabled, int maxRecords, Duration maxTime, Duration clockSkew)
            implements
                RelayConfig.ReplayCheck {}

    /** Stale-guard settings. */
    public record StaleGuardPolicy(boolean enabled, String topic, Duration retention, Duration rebuildMaxTime)
            implements
                RelayConfig.StaleGuard {}

    /** Idempotency settings. */
    public record IdempotencyPolicy(boolean enabled, String topic, Duration window, int maxCommands)
            implements
                RelayConfig.Idempotency {}

    /** Publish-retry settings. */
    public record PublishRetryPolicy(Duration initialBackoff,
            Duration maxBackoff) implements RelayConfig.PublishRetry {}

    /** Breaker settings. */
    public record BreakerPolicy(int failureThreshold, Duration coolDown) implements RelayConfig.Breaker {}

    /** Rate-limit settings. */
    public record RateLimitPolicy(Duration maxWait, double headroom) implements RelayConfig.RateLimit {}

    /** Retry settings. */
    public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration budget)
            implements
                RelayConfig.Retry {}
}
