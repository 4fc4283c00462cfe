package io.massmessage.relay.provider;

import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request to a provider, exactly as it will be sent.
 *
 * @param path    the path below the provider's base URL, segments already URL-encoded
 * @param headers request headers, the authentication header included
 * @param body    the JSON body
 */
public record ProviderRequest(String method, String path, Map<String, String> headers, String body) {

    public ProviderRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    @Override
    public String toString() {
        return method + " " + path; // never the headers: they hold the API key
    }
}
