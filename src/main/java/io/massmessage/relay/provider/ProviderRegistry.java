package io.massmessage.relay.provider;

import io.massmessage.relay.config.ProvidersConfig;
import io.quarkus.arc.All;
import jakarta.inject.Singleton;
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

    public ProviderRegistry(@All List<ProviderAdapter> adapters, ProvidersConfig config) {
        this.adapters = new TreeMap<>(adapters.stream().collect(
                Collectors.toMap(ProviderAdapter::name, Function.identity())));
        this.config = config;
        this.adapters.values().forEach(
                adapter -> ProviderSettings.check(adapter.name(), adapter.endpoint(config), config.allowPlainHttp()));
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
        ProviderAdapter adapter = adapters.get(provider);
        return adapter != null && endpoint(adapter).coalesce().orElse(adapter.partialUpdates());
    }

    /** The API key for an account: the account's own key if configured, else the provider's. */
    public Optional<String> apiKey(ProviderAdapter adapter, String account) {
        ProvidersConfig.Endpoint endpoint = endpoint(adapter);
        ProvidersConfig.Account own = endpoint.accounts().get(account);
        if (own != null && own.apiKey().filter(key -> !key.isBlank()).isPresent()) {
            return own.apiKey();
        }
        return endpoint.apiKey().filter(key -> !key.isBlank());
    }
}
