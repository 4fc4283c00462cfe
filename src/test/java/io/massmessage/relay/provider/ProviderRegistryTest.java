package io.massmessage.relay.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.testing.Parsers;
import io.massmessage.relay.testing.TestConfigs;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the registry says of each provider beyond its adapter. */
class ProviderRegistryTest {

    private static final TestConfigs.Endpoint ENDPOINT = TestConfigs.Endpoint.of("https://example.test", "k",
            Duration.ofSeconds(1));

    @Test
    void coalescingIsOnForPartialUpdateProvidersAndOffForFanslyUnlessConfigured() {
        var registry = new ProviderRegistry(Parsers.ADAPTERS.values().stream().toList(),
                new TestConfigs.Providers(ENDPOINT, ENDPOINT, ENDPOINT));
        assertThat(registry.coalesces("onlyfansapi")).isTrue();
        assertThat(registry.coalesces("fansmetric")).isTrue();
        assertThat(registry.coalesces("fansly")).as("its update replaces the whole message").isFalse();
        assertThat(registry.coalesces("unknown")).isFalse();

        var configured = new ProviderRegistry(Parsers.ADAPTERS.values().stream().toList(),
                new TestConfigs.Providers(coalescing(false), ENDPOINT, coalescing(true)));
        assertThat(configured.coalesces("onlyfansapi")).as("providers.onlyfansapi.coalesce=false").isFalse();
        assertThat(configured.coalesces("fansly")).as("providers.fansly.coalesce=true").isTrue();
    }

    @Test
    void anAccountsOwnKeyWinsAndABlankKeyIsNone() {
        var fansly = TestConfigs.Endpoint.of("https://example.test", "provider-key", Duration.ofSeconds(1))
                .withAccountKey("fy_own", "own-key");
        var blankAccount = TestConfigs.Endpoint.of("https://example.test", "provider-key", Duration.ofSeconds(1))
                .withAccountKey("acct_blank", "  ");
        var registry = new ProviderRegistry(Parsers.ADAPTERS.values().stream().toList(),
                new TestConfigs.Providers(blankAccount, TestConfigs.Endpoint.of("https://example.test", " ",
                        Duration.ofSeconds(1)), fansly));
        ProviderAdapter fanslyAdapter = registry.adapter("fansly").orElseThrow();
        assertThat(registry.apiKey(fanslyAdapter, "fy_own")).contains("own-key");
        assertThat(registry.apiKey(fanslyAdapter, "fy_other")).contains("provider-key");
        assertThat(registry.apiKey(registry.adapter("onlyfansapi").orElseThrow(), "acct_blank"))
                .as("a blank account key falls back to the provider's").contains("provider-key");
        assertThat(registry.apiKey(registry.adapter("fansmetric").orElseThrow(), "84000"))
                .as("a blank provider key is no key").isEmpty();
    }

    /** The test endpoint with {@code providers.<name>.coalesce} set. */
    private static ProvidersConfig.Endpoint coalescing(boolean on) {
        return (ProvidersConfig.Endpoint) Proxy.newProxyInstance(ProviderRegistryTest.class.getClassLoader(),
                new Class<?>[]{ProvidersConfig.Endpoint.class}, (proxy, method, args) -> method.getName()
                        .equals("coalesce") ? Optional.of(on) : method.invoke(ENDPOINT, args));
    }
}
