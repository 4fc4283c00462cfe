package io.massmessage.relay.provider;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A provider's HTTP answer, as received.
 *
 * @param headers header names in lower case; the first value of each
 */
public record HttpReply(int status, Map<String, String> headers, String body) {

    public HttpReply {
        Objects.requireNonNull(headers, "headers");
        body = body == null ? "" : body;
    }

    /** A header's value by case-insensitive name, or {@code null}. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }
}
