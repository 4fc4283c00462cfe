package io.massmessage.relay.provider;

import io.massmessage.relay.config.ProvidersConfig;
import io.quarkus.arc.All;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one place that picks a provider's adapter by name, and its credentials by account. Refuses to be
 * built with settings that would fail later ({@link ProviderSettings}), so the service does not start.
 */
@Singleton
public final class ProviderRegistry {

    private final Map<String, ProviderAdapter> adapters;
    private final ProvidersConfig config;
    /** Each provider's keys, read from the settings once: per command the registry looks up a map it owns. */
    private final Map<String, Keys> keys = new HashMap<>();
    private final Map<String, Boolean> coalescing = new HashMap<>();

    public ProviderRegistry(@All List<ProviderAdapter> adapters, ProvidersConfig config) {
        this.adapters = new TreeMap<>(adapters.stream().collect(
                Collectors.toMap(ProviderAdapter::name, Function.identity())));
        this.config = config;
        this.adapters.values().forEach(adapter -> {
            ProvidersConfig.Endpoint endpoint = endpoint(adapter);
            ProviderSettings.check(adapter.name(), endpoint, config.allowPlainHttp());
            keys.put(adapter.name(), Keys.of(endpoint));
            coalescing.put(adapter.name(), endpoint.coalesce().orElse(adapter.partialUpdates()));
        });
    }

    /** The adapter for a provider name, if there is one. */
    public Optional<ProviderAdapter> adapter(String provider) {
        return Optional.ofNullable(adapters.get(provider));
    }

    /** Every provider name, sorted. */
    public List<String> names() {
        return List.copyOf(adapters.keySet());
    }

    /** Every adapter, sorted by name. */
    public List<ProviderAdapter> all() {
        return List.copyOf(adapters.values());
    }

    /** The provider's endpoint settings. */
    public ProvidersConfig.Endpoint endpoint(ProviderAdapter adapter) {
        return adapter.endpoint(config);
    }

    /**
     * Whether commands of one message of {@code provider} may be coalesced: {@code providers.<name>.coalesce}, or
     * by default whether its updates are partial.
     */
    public boolean coalesces(String provider) {
        return coalescing.getOrDefault(provider, false);
    }

    /** The API key for an account: the account's own key if configured, else the provider's. */
    public Optional<String> apiKey(ProviderAdapter adapter, String account) {
        Keys known = keys.get(adapter.name());
        return known.accounts().getOrDefault(account, known.provider());
    }

    /** A provider's key and its accounts' own keys, blank ones left out. */
    private record Keys(Optional<String> provider, Map<String, Optional<String>> accounts) {
        static Keys of(ProvidersConfig.Endpoint endpoint) {
            Map<String, Optional<String>> accounts = new HashMap<>();
            endpoint.accounts().forEach((account, settings) -> settings.apiKey().filter(key -> !key.isBlank())
                    .ifPresent(key -> accounts.put(account, Optional.of(key))));
            return new Keys(endpoint.apiKey().filter(key -> !key.isBlank()), accounts);
        }
    }
}
