package io.massmessage.relay.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Reads rate-limit information in every dialect the providers speak:
 * <ul>
 * <li>OnlyFansAPI headers {@code x-rate-limit-limit-minute}, {@code x-rate-limit-limit-day},
 * {@code x-rate-limit-remaining-minute}, {@code x-rate-limit-remaining-day};</li>
 * <li>{@code _meta._rate_limits} in the body (OnlyFansAPI, FansMetric): {@code limit_minute},
 * {@code limit_day}, {@code remaining_minute}, {@code remaining_day};</li>
 * <li>Fansly headers {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining} (per minute) and
 * {@code X-RateLimit-Retry-After} in seconds;</li>
 * <li>the standard {@code Retry-After}, in seconds or as an HTTP date.</li>
 * </ul>
 * Headers win over the body when both speak.
 */
public final class RateLimitHeaders {

    private RateLimitHeaders() {}

    /**
     * @param rateLimits the {@code _meta._rate_limits} object, or {@code null}
     * @param now        the time the answer arrived, to turn waits into instants
     */
    public static RateLimitInfo read(HttpReply reply, JsonNode rateLimits, Instant now) {
        Long limitMinute = first(number(reply.header("x-rate-limit-limit-minute")),
                number(reply.header("x-ratelimit-limit")), field(rateLimits, "limit_minute"));
        Long remainingMinute = first(number(reply.header("x-rate-limit-remaining-minute")),
                number(reply.header("x-ratelimit-remaining")), field(rateLimits, "remaining_minute"));
        Long limitDay = first(number(reply.header("x-rate-limit-limit-day")), field(rateLimits, "limit_day"));
        Long remainingDay = first(number(reply.header("x-rate-limit-remaining-day")),
                field(rateLimits, "remaining_day"));
        Long retryAfterMs = first(seconds(reply.header("x-ratelimit-retry-after")),
                retryAfter(reply.header("retry-after"), now));
        Instant retryAt = retryAfterMs == null ? null : now.plusMillis(retryAfterMs);
        return new RateLimitInfo(limitMinute, remainingMinute, limitDay, remainingDay, retryAfterMs, retryAt);
    }

    /** Milliseconds from a {@code Retry-After} value: delta-seconds or an HTTP date; {@code null} if unreadable. */
    static Long retryAfter(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Long ms = seconds(value);
        if (ms != null) {
            return ms;
        }
        try {
            Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Math.max(0, Duration.between(now, at).toMillis());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Milliseconds from a count of seconds, whole or decimal; {@code null} if unreadable or negative. */
    static Long seconds(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            double seconds = Double.parseDouble(value.trim());
            return seconds < 0 || Double.isNaN(seconds) ? null : Math.round(seconds * 1000);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long number(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long field(JsonNode object, String name) {
        if (object == null) {
            return null;
        }
        JsonNode value = object.get(name);
        if (value == null) {
            return null;
        }
        if (value.canConvertToLong()) {
            return value.longValue();
        }
        return value.isTextual() ? number(value.textValue()) : null;
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }
}
