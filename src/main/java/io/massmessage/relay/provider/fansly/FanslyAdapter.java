package io.massmessage.relay.provider.fansly;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.command.CommandDraft;
import io.massmessage.relay.command.MessageUpdate;
import io.massmessage.relay.command.Problems;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.provider.Credits;
import io.massmessage.relay.provider.ErrorCategory;
import io.massmessage.relay.provider.HttpReply;
import io.massmessage.relay.provider.IdChars;
import io.massmessage.relay.provider.Json;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.ProviderRequest;
import io.massmessage.relay.provider.ProviderResponse;
import io.massmessage.relay.provider.RateLimitHeaders;
import io.massmessage.relay.provider.RateLimitInfo;
import io.massmessage.relay.provider.StatusClassifier;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Fansly API: {@code PUT /api/fansly/{account_id}/mass-messaging/scheduled/{id}} with
 * {@code x-api-key} (providers/fansly-update-mass-message.md). Answers come in the envelope
 * {@code {statusCode, message, data, timestamp}}; a 2xx whose {@code data.data.success} is
 * {@code false} is a failure.
 *
 * <p>Previews: Fansly pairs a preview with its media, so {@code previewIds[i]} is the preview of
 * {@code mediaIds[i]}, sent as {@code {"mediaId": …, "previewId": …}}.
 */
@Singleton
public final class FanslyAdapter implements ProviderAdapter {

    /** The provider's name in commands. */
    public static final String NAME = "fansly";

    private static final Set<String> ACCESS_TYPES = Set.of("ppv", "subscription", "follow", "list", "limited_time");
    private static final Set<String> STRING_OPTIONS = Set.of("subscriptionTierId", "subscriptionTierName", "listId",
            "listLabel");
    private static final Set<String> NUMBER_OPTIONS = Set.of("subscriptionTierBefore", "subscriptionTierAfter",
            "validBefore", "validAfter");

    private final ObjectMapper mapper;

    public FanslyAdapter(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper);
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Fansly's update takes the whole message: {@code content} is required and a missing {@code scheduledFor} sends
     * the message at once (providers/fansly-update-mass-message.md), so a merge is not what two updates in turn do.
     */
    @Override
    public boolean partialUpdates() {
        return false;
    }

    @Override
    public ProvidersConfig.Endpoint endpoint(ProvidersConfig config) {
        return config.fansly();
    }

    @Override
    public void check(CommandDraft draft, Problems problems) {
        if (draft.account() != null && !IdChars.isToken(draft.account())) {
            problems.add("account", "must contain only letters, digits, '_' and '-' for fansly");
        }
        if (draft.messageId() != null && !IdChars.isToken(draft.messageId())) {
            problems.add("messageId", "must contain only letters, digits, '_' and '-' for fansly");
        }
        List<String> accessTypes = checkOptions(draft.providerOptions(), problems);
        MessageUpdate update = draft.update();
        if (update == null) {
            return;
        }
        if (update.text() == null || update.text().isBlank()) {
            problems.add("update.text", "is required by fansly (sent as content)");
        }
        for (var unsupported : List.of(
                Map.entry("lockedText", update.lockedText() != null),
                Map.entry("userLists", update.userLists() != null),
                Map.entry("userIds", update.userIds() != null),
                Map.entry("excludedLists", update.excludedLists() != null),
                Map.entry("giphyId", update.giphyId() != null))) {
            if (unsupported.getValue()) {
                problems.add("update." + unsupported.getKey(), "not supported by fansly");
            }
        }
        if (update.price() != null && !Json.isCents(update.price())) {
            problems.add("update.price",
                    "must have at most 2 decimal places for fansly, got " + update.price().toPlainString());
        }
        if (accessTypes.contains("ppv") && update.price() == null) {
            problems.add("update.price", "is required when providerOptions.access_type includes ppv (fansly)");
        }
        int media = update.mediaIds() == null ? 0 : update.mediaIds().size();
        if (update.previewIds() != null && update.previewIds().size() > media) {
            problems.add("update.previewIds", "has " + update.previewIds().size() + " entries but update.mediaIds has "
                    + media + "; fansly pairs previewIds[i] with mediaIds[i]");
        }
    }

    private static List<String> checkOptions(ObjectNode options, Problems problems) {
        List<String> accessTypes = new ArrayList<>();
        options.fields().forEachRemaining(field -> {
            String name = "providerOptions." + field.getKey();
            JsonNode value = field.getValue();
            if (field.getKey().equals("access_type")) {
                List<JsonNode> items = new ArrayList<>();
                if (value.isArray()) {
                    value.forEach(items::add);
                } else {
                    items.add(value);
                }
                for (JsonNode item : items) {
                    if (!item.isTextual() || !ACCESS_TYPES.contains(item.textValue())) {
                        problems.add(name, "must be one or more of ppv, subscription, follow, list, limited_time; got "
                                + (item.isTextual() ? Problems.quote(item.textValue())
                                        : item.getNodeType().name().toLowerCase(Locale.ROOT)));
                    } else {
                        accessTypes.add(item.textValue());
                    }
                }
            } else if (field.getKey().equals("permissions")) {
                if (!value.isArray()) {
                    problems.add(name, "must be an array of permission rules");
                }
            } else if (STRING_OPTIONS.contains(field.getKey())) {
                if (!value.isTextual()) {
                    problems.add(name, "must be a string");
                }
            } else if (NUMBER_OPTIONS.contains(field.getKey())) {
                if (!value.canConvertToLong()) {
                    problems.add(name, "must be an epoch timestamp in milliseconds");
                }
            } else {
                problems.add(name, "not supported by fansly");
            }
        });
        if (accessTypes.contains("list") && !options.path("listLabel").isTextual()) {
            problems.add("providerOptions.listLabel", "is required when access_type includes list (fansly)");
        }
        return accessTypes;
    }

    @Override
    public ProviderRequest request(UpdateCommand command, String apiKey) {
        MessageUpdate update = command.update();
        ObjectNode body = mapper.createObjectNode();
        body.put("content", update.text());
        if (update.mediaIds() != null) {
            ArrayNode media = body.putArray("mediaIds");
            List<String> previews = update.previewIds() == null ? List.of() : update.previewIds();
            for (int i = 0; i < update.mediaIds().size(); i++) {
                if (previews.isEmpty()) {
                    media.add(update.mediaIds().get(i));
                } else {
                    ObjectNode pair = media.addObject().put("mediaId", update.mediaIds().get(i));
                    if (i < previews.size()) {
                        pair.put("previewId", previews.get(i));
                    } else {
                        pair.putNull("previewId");
                    }
                }
            }
        }
        if (update.price() != null) {
            body.put("price", update.price());
        }
        if (update.scheduledAt() != null) {
            body.put("scheduledFor", update.scheduledAt().toEpochMilli());
        }
        command.providerOptions().fields().forEachRemaining(field -> body.set(field.getKey(), field.getValue()));
        String path = "/api/fansly/" + Json.segment(command.account()) + "/mass-messaging/scheduled/"
                + Json.segment(command.messageId());
        return new ProviderRequest("PUT", path, Map.of(
                "x-api-key", apiKey,
                "Content-Type", "application/json",
                "Accept", "application/json"), body.toString());
    }

    @Override
    public ProviderResponse interpret(HttpReply reply, Instant now) {
        JsonNode envelope = Json.tryParse(mapper, reply.body());
        RateLimitInfo rateLimit = RateLimitHeaders.read(reply, null, now);
        Credits credits = null;
        String detail = StatusClassifier.errorText(envelope);
        if (reply.status() < 200 || reply.status() >= 300) {
            return StatusClassifier.failure(reply, rateLimit, credits, detail);
        }
        JsonNode data = envelope == null ? null : envelope.get("data");
        JsonNode inner = data == null ? null : data.path("data");
        if (inner != null && inner.path("success").isBoolean() && !inner.path("success").booleanValue()) {
            int innerStatus = data.path("status_code").asInt(0);
            String said = inner.path("response").isTextual() ? inner.path("response").textValue()
                    : inner.path("message").isTextual() ? inner.path("message").textValue() : detail;
            String text = "success: false" + (said == null ? "" : " (" + said + ")");
            if (innerStatus >= 400) {
                return StatusClassifier.failure(new HttpReply(innerStatus, reply.headers(), reply.body()),
                        rateLimit, credits, text);
            }
            ErrorCategory category = StatusClassifier.saysNotEditable(said) ? ErrorCategory.not_editable
                    : ErrorCategory.rejected;
            return new ProviderResponse.Rejected(reply.status(), category, "HTTP " + reply.status() + ": " + text,
                    reply.body(), rateLimit, credits);
        }
        return new ProviderResponse.Accepted(reply.status(), data, rateLimit, credits);
    }
}
