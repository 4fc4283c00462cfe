package io.massmessage.relay.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** Turns a non-success HTTP status into the outcome it deserves (CONTRACT §3 categories). */
public final class StatusClassifier {

    private StatusClassifier() {}

    /** The category of a permanent failure with this status; meaningful for 3xx and 4xx other than 408, 425, 429. */
    public static ErrorCategory category(int status) {
        return switch (status) {
            case 401, 402, 403 -> ErrorCategory.unauthorized;
            case 404 -> ErrorCategory.not_found;
            case 409, 410 -> ErrorCategory.not_editable;
            case 424 -> ErrorCategory.account_unavailable;
            default -> status >= 300 && status < 400 ? ErrorCategory.unavailable : ErrorCategory.rejected;
        };
    }

    /** True for statuses worth retrying after a backoff: 5xx, 408 (request timeout), 425 (too early). */
    public static boolean isTransient(int status) {
        return status >= 500 || status == 408 || status == 425;
    }

    /**
     * The response for a non-2xx answer.
     *
     * @param detail what the provider said, if it said anything readable
     */
    public static ProviderResponse failure(HttpReply reply, RateLimitInfo rateLimit, Credits credits, String detail) {
        int status = reply.status();
        String described = "HTTP " + status + (detail == null || detail.isBlank() ? "" : ": " + detail);
        if (status == 429) {
            return new ProviderResponse.Throttled(status, rateLimit, credits);
        }
        if (isTransient(status)) {
            return new ProviderResponse.Transient(status, described, reply.body(), rateLimit, credits);
        }
        ErrorCategory category = saysNotEditable(detail) ? ErrorCategory.not_editable : category(status);
        return new ProviderResponse.Rejected(status, category, described, reply.body(), rateLimit, credits);
    }

    /** True when a provider's error text says the message was already sent or delivered. */
    public static boolean saysNotEditable(String detail) {
        if (detail == null) {
            return false;
        }
        String text = detail.toLowerCase(Locale.ROOT);
        return text.contains("already sent") || text.contains("already delivered") || text.contains("not editable")
                || text.contains("cannot edit") || text.contains("can't edit");
    }

    /**
     * The human-readable error in a provider's JSON error body: {@code error} (a string, or an
     * object with {@code message}) or {@code message}; {@code null} if there is none.
     */
    public static String errorText(JsonNode body) {
        if (body == null || !body.isObject()) {
            return null;
        }
        JsonNode error = body.get("error");
        if (error != null && error.isTextual()) {
            return error.textValue();
        }
        if (error != null && error.isObject() && error.path("message").isTextual()) {
            return error.path("message").textValue();
        }
        JsonNode message = body.get("message");
        return message != null && message.isTextual() ? message.textValue() : null;
    }
}
