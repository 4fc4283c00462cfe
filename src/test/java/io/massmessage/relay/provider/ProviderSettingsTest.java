package io.massmessage.relay.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.testing.TestConfigs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Settings that would fail or leak later stop the service at start-up, naming the variable, never the value. */
class ProviderSettingsTest {

    private static final String SECRET = "sk_live_0123456789";

    private static ProvidersConfig.Endpoint endpoint(String url, String key) {
        return TestConfigs.Endpoint.of(url, key, Duration.ofSeconds(1));
    }

    @Test
    void acceptsHttpsAndLoopbackHttp() {
        for (String url : new String[]{"https://app.onlyfansapi.com", "https://host:8443/base/",
                "http://127.0.0.1:8089",
                "http://localhost:1", "http://[::1]:8080"}) {
            assertThatCode(() -> ProviderSettings.check("fansly", endpoint(url, SECRET), false)).as(url)
                    .doesNotThrowAnyException();
        }
        assertThatCode(() -> ProviderSettings.check("fansly", endpoint("http://simulator:8089", SECRET), true))
                .as("plain http allowed explicitly").doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "http://api.example.com | PROVIDERS_FANSLY_BASE_URL must use https",
            "https://user:pw@api.example.com | PROVIDERS_FANSLY_BASE_URL must not contain user info",
            "https://api.example.com/?key=1 | PROVIDERS_FANSLY_BASE_URL must not contain a query",
            "https://api.example.com/#x | PROVIDERS_FANSLY_BASE_URL must not contain a fragment",
            "ftp://api.example.com | PROVIDERS_FANSLY_BASE_URL must use https",
            "api.example.com | PROVIDERS_FANSLY_BASE_URL must be an absolute URL",
            "https://exa mple.com | PROVIDERS_FANSLY_BASE_URL is not a valid URL"})
    void refusesUnsafeBaseUrls(String url, String reason) {
        assertThatThrownBy(() -> ProviderSettings.check("fansly", endpoint(url, SECRET), false))
                .hasMessageContaining(reason).message().doesNotContain("pw").doesNotContain(SECRET);
    }

    @Test
    void refusesKeysAHeaderCannotCarryWithoutQuotingThem() {
        assertThatThrownBy(
                () -> ProviderSettings.check("onlyfansapi", endpoint("https://a.example", SECRET + "\n"), false))
                .hasMessageContaining("PROVIDERS_ONLYFANSAPI_API_KEY contains a line break")
                .hasMessageContaining("trailing newline")
                .message().doesNotContain(SECRET);
        assertThatThrownBy(
                () -> ProviderSettings.check("onlyfansapi", endpoint("https://a.example", "ab\r\ncd"), false))
                .hasMessageContaining("contains a line break at character 3");
        assertThatThrownBy(() -> ProviderSettings.check("onlyfansapi", endpoint("https://a.example", "clé"), false))
                .hasMessageContaining("a character an HTTP header cannot carry");
        assertThatThrownBy(() -> ProviderSettings.check("fansly",
                TestConfigs.Endpoint.of("https://a.example", SECRET, Duration.ofSeconds(1)).withAccountKey("acct_1",
                        "x\n"),
                false))
                .hasMessageContaining("providers.fansly.accounts.\"acct_1\".api-key contains a line break");
        assertThat(new ProviderSettings.InvalidSettingsException(List.of("a")))
                .hasMessageStartingWith("refusing to start");
    }
}
