package io.massmessage.relay.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where and how to reach each provider. Base URLs and keys come only from here (environment
 * {@code PROVIDERS_<NAME>_BASE_URL} / {@code PROVIDERS_<NAME>_API_KEY}), never from a command.
 */
@ConfigMapping(prefix = "providers")
public interface ProvidersConfig {

    /** OnlyFansAPI ({@code onlyfansapi}). */
    Endpoint onlyfansapi();

    /** FansMetric ({@code fansmetric}). */
    Endpoint fansmetric();

    /** Fansly API ({@code fansly}). */
    Endpoint fansly();

    /**
     * Whether base URLs may use plain {@code http} for hosts other than loopback (a local stack whose
     * simulator has a host name, e.g. {@code deploy/compose.yaml}). Never in production: keys would
     * travel in clear text.
     */
    @WithDefault("false")
    boolean allowPlainHttp();

    /** One provider's endpoint, credentials and client limits. */
    interface Endpoint {
        /** Base URL of the provider's API, e.g. {@code https://app.onlyfansapi.com}. */
        String baseUrl();

        /** The provider API key used for every account without a key of its own. */
        Optional<String> apiKey();

        /** Per-account overrides, keyed by the account id as the provider names it. */
        Map<String, Account> accounts();

        /** TCP connect timeout. */
        @WithDefault("5s")
        Duration connectTimeout();

        /**
         * Time allowed for one HTTP exchange, from sending to the last byte of the response: a provider that
         * answers slowly, or drips its answer, ends the attempt as a timeout (transient, retried).
         */
        @WithDefault("30s")
        Duration requestTimeout();

        /**
         * Longest response body read; a longer answer ends the attempt as a transient fault without the rest
         * being buffered.
         */
        @WithDefault("1048576")
        long maxResponseBytes();

        /**
         * Connection pool size for this provider. Defaults to the relay's in-flight limit, so the
         * pool never caps concurrency (the Vert.x default of 5 would cap throughput at 5/latency).
         */
        Optional<Integer> maxConnections();

        /**
         * Requests per minute one API key may make (the provider's plan). The relay spaces requests
         * to stay under it and adopts the limit the provider reports.
         */
        @WithDefault("1000")
        long requestsPerMinute();

        /** Requests per UTC day one API key may make; 0 for no daily limit. */
        @WithDefault("50000")
        long requestsPerDay();

        /**
         * Whether commands of one message that wait together are sent as one merged request (coalescing, CONTRACT
         * §2). Unset: on for a provider whose update is a partial update (onlyfansapi, fansmetric), off for one
         * whose update replaces the message (fansly).
         */
        Optional<Boolean> coalesce();
    }

    /** Settings for one account of a provider. */
    interface Account {
        /** API key for this account; overrides the provider's key. Rate budgets are tracked per key. */
        Optional<String> apiKey();
    }
}
