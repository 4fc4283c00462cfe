package io.massmessage.relay.provider;

import io.massmessage.relay.config.ProvidersConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Refuses, at start-up, provider settings that would fail or leak later: an API key with a character an
 * HTTP header cannot carry (a trailing newline from {@code kubectl create secret --from-file}, say), a
 * base URL that is not absolute {@code https} (plain {@code http} only for loopback hosts or with
 * {@code providers.allow-plain-http}), or that has user info, a query or a fragment. The message names
 * the variable and the rule, never the value.
 */
final class ProviderSettings {

    private ProviderSettings() {}

    /** Thrown when the service must not start with these settings. */
    static final class InvalidSettingsException extends IllegalStateException {
        InvalidSettingsException(List<String> problems) {
            super("refusing to start, provider settings are invalid: " + String.join("; ", problems));
        }
    }

    static void check(String provider, ProvidersConfig.Endpoint endpoint, boolean allowPlainHttp) {
        List<String> problems = new ArrayList<>();
        String upper = provider.toUpperCase(Locale.ROOT);
        checkUrl("PROVIDERS_" + upper + "_BASE_URL", endpoint.baseUrl(), allowPlainHttp, problems);
        endpoint.apiKey().ifPresent(key -> checkKey("PROVIDERS_" + upper + "_API_KEY", key, problems));
        for (Map.Entry<String, ProvidersConfig.Account> account : endpoint.accounts().entrySet()) {
            account.getValue().apiKey().ifPresent(key -> checkKey("providers." + provider + ".accounts.\""
                    + account.getKey() + "\".api-key", key, problems));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSettingsException(problems);
        }
    }

    private static void checkKey(String variable, String key, List<String> problems) {
        if (key.isBlank()) {
            return; // no key: the provider's commands end unconfigured_account, naming the variable
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\r' || c == '\n') {
                problems.add(variable + " contains a line break at character " + (i + 1) + " of " + key.length()
                        + (i >= key.length() - 2
                                ? " (a trailing newline, as kubectl create secret --from-file keeps it)"
                                : ""));
                return;
            }
            if (c < 0x20 || c > 0x7e) {
                problems.add(variable + " contains a character an HTTP header cannot carry at character " + (i + 1)
                        + " (only printable ASCII is allowed)");
                return;
            }
        }
        if (key.charAt(0) == ' ' || key.charAt(key.length() - 1) == ' ') {
            problems.add(variable + " starts or ends with a space");
        }
    }

    private static void checkUrl(String variable, String value, boolean allowPlainHttp, List<String> problems) {
        URI url;
        try {
            url = new URI(value);
        } catch (URISyntaxException e) {
            problems.add(variable + " is not a valid URL");
            return;
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || url.getHost() == null) {
            problems.add(variable + " must be an absolute URL with a host, e.g. https://api.example.com");
            return;
        }
        if (!scheme.equals("https") && !(scheme.equals("http") && (allowPlainHttp || isLoopback(url.getHost())))) {
            problems.add(variable
                    + " must use https (plain http only for loopback hosts, or with PROVIDERS_ALLOW_PLAIN_HTTP=true)");
        }
        if (url.getRawUserInfo() != null) {
            problems.add(variable + " must not contain user info (credentials go in PROVIDERS_<NAME>_API_KEY)");
        }
        if (url.getRawQuery() != null) {
            problems.add(variable + " must not contain a query");
        }
        if (url.getRawFragment() != null) {
            problems.add(variable + " must not contain a fragment");
        }
    }

    private static boolean isLoopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!bare.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            return false; // a name: no lookup at start-up
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
