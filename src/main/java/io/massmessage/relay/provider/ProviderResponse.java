package io.massmessage.relay.provider;

import com.fasterxml.jackson.databind.JsonNode;

/** What one provider call came to, once its answer is read. */
public sealed interface ProviderResponse {

    /** Status code, or 0 when no HTTP answer arrived. */
    int httpStatus();

    /** Rate-limit information the provider sent, possibly empty. */
    RateLimitInfo rateLimit();

    /** Credits the provider reported, or {@code null}. */
    Credits credits();

    /** The update was applied. {@code message} is the provider's description of the message. */
    record Accepted(int httpStatus, JsonNode message, RateLimitInfo rateLimit, Credits credits)
            implements
                ProviderResponse {}

    /** The provider refused for good: retrying the same request cannot help. */
    record Rejected(int httpStatus, ErrorCategory category, String detail, String providerBody,
            RateLimitInfo rateLimit, Credits credits) implements ProviderResponse {}

    /** Too many requests (429); {@code rateLimit.retryAfterMs()} is set when the provider said how long to wait. */
    record Throttled(int httpStatus, RateLimitInfo rateLimit, Credits credits) implements ProviderResponse {}

    /** A fault that may pass: 5xx, timeout, connection refused or reset. */
    record Transient(int httpStatus, String detail, String providerBody, RateLimitInfo rateLimit, Credits credits)
            implements
                ProviderResponse {}
}
