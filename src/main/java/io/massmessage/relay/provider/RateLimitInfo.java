package io.massmessage.relay.provider;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What a provider said about its rate limits on one response; every field is optional.
 *
 * @param retryAfterMs how long the provider asked us to wait, when it did
 * @param retryAt      the instant that wait ends
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RateLimitInfo(
        Long limitMinute,
        Long remainingMinute,
        Long limitDay,
        Long remainingDay,
        Long retryAfterMs,
        Instant retryAt) {

    /** Nothing known. */
    public static final RateLimitInfo EMPTY = new RateLimitInfo(null, null, null, null, null, null);

    /** True when the provider told us nothing. Not part of the event. */
    @JsonIgnore
    public boolean isEmpty() {
        return limitMinute == null && remainingMinute == null && limitDay == null && remainingDay == null
                && retryAfterMs == null;
    }

    /** This information with a wait set. */
    public RateLimitInfo withRetryAfter(long ms, Instant at) {
        return new RateLimitInfo(limitMinute, remainingMinute, limitDay, remainingDay, ms, at);
    }
}
