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
 * Headers win over the body when both speak. Waits are clamped to {@link #MAX_WAIT_MS} (one day, the
 * longest window any of the providers has): a value that is negative, not a number, infinite or absurd
 * ({@code 1e16}, a date ten years ahead) never closes a key for longer, and never overflows into the
 * past; an unreadable one is no value, and a 429 without a readable wait closes the key until the next
 * minute ({@code RateBudgets}), so a 429 is never ignored.
 */
public final class RateLimitHeaders {

    /** Longest wait taken from a provider: one day. */
    public static final long MAX_WAIT_MS = 86_400_000L;

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
            long seconds = Duration.between(now, at).getSeconds();
            return seconds <= 0 ? 0L : Math.min(MAX_WAIT_MS, seconds * 1000);
        } catch (DateTimeParseException | ArithmeticException e) {
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
            if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) {
                return null;
            }
            return Math.min(MAX_WAIT_MS, Math.round(Math.min(seconds, MAX_WAIT_MS / 1000.0) * 1000));
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
