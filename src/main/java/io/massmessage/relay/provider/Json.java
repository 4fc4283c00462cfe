package io.massmessage.relay.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Small JSON and URL helpers shared by the adapters. */
public final class Json {

    private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private Json() {}

    /** The body as JSON, or {@code null} when it is empty or not JSON. */
    public static JsonNode tryParse(ObjectMapper mapper, String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return mapper.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }

    /** One URL path segment, percent-encoded (a space is {@code %20}, never {@code +}). */
    public static String segment(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!unreserved(value.charAt(i))) {
                return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
            }
        }
        return value; // what the encoder leaves as it is: the common id needs no copy
    }

    /** The characters {@link URLEncoder} never encodes. */
    private static boolean unreserved(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-'
                || c == '_' || c == '*';
    }

    /** An instant as ISO-8601 in UTC with milliseconds, e.g. {@code 2026-12-01T15:00:00.000Z}. */
    public static String isoUtc(Instant instant) {
        return ISO_MILLIS.format(instant);
    }

    /** Puts a list of strings, when present. */
    public static void putStrings(ObjectNode body, String field, List<String> values) {
        if (values != null) {
            var array = body.putArray(field);
            values.forEach(array::add);
        }
    }

    /** True when {@code value} has no more than two decimal places (cents). */
    public static boolean isCents(BigDecimal value) {
        return value.stripTrailingZeros().scale() <= 2;
    }

    /** True when {@code value} is a whole number. */
    public static boolean isWhole(BigDecimal value) {
        return value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
    }
}
