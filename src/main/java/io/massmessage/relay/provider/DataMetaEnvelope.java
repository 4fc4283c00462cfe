package io.massmessage.relay.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;

/**
 * Reads the {@code {"data": …, "_meta": {"_credits": …, "_rate_limits": …}}} answers that
 * OnlyFansAPI and FansMetric share. Errors: a JSON body with {@code error} or {@code message}.
 */
public final class DataMetaEnvelope {

    private DataMetaEnvelope() {}

    public static ProviderResponse interpret(ObjectMapper mapper, HttpReply reply, Instant now) {
        JsonNode body = Json.tryParse(mapper, reply.body());
        JsonNode meta = body == null ? null : body.get("_meta");
        RateLimitInfo rateLimit = RateLimitHeaders.read(reply, meta == null ? null : meta.get("_rate_limits"), now);
        Credits credits = credits(meta == null ? null : meta.get("_credits"));
        if (reply.status() >= 200 && reply.status() < 300) {
            JsonNode data = body == null ? null : body.get("data");
            return new ProviderResponse.Accepted(reply.status(), data, rateLimit, credits);
        }
        return StatusClassifier.failure(reply, rateLimit, credits, StatusClassifier.errorText(body));
    }

    static Credits credits(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        Long used = node.path("used").canConvertToLong() ? node.path("used").longValue() : null;
        Long balance = node.path("balance").canConvertToLong() ? node.path("balance").longValue() : null;
        return used == null && balance == null ? null : new Credits(used, balance);
    }
}
