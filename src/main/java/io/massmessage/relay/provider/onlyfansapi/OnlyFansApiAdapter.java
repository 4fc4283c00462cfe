package io.massmessage.relay.provider.onlyfansapi;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.command.CommandDraft;
import io.massmessage.relay.command.MessageUpdate;
import io.massmessage.relay.command.Problems;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.config.ProvidersConfig;
import io.massmessage.relay.provider.DataMetaEnvelope;
import io.massmessage.relay.provider.HttpReply;
import io.massmessage.relay.provider.IdChars;
import io.massmessage.relay.provider.Json;
import io.massmessage.relay.provider.ProviderAdapter;
import io.massmessage.relay.provider.ProviderRequest;
import io.massmessage.relay.provider.ProviderResponse;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * OnlyFansAPI: {@code PUT /api/{account}/mass-messaging/{id}} with a Bearer key
 * (providers/onlyfansapi-update-mass-message.md).
 */
@Singleton
public final class OnlyFansApiAdapter implements ProviderAdapter {

    /** The provider's name in commands. */
    public static final String NAME = "onlyfansapi";

    private static final BigDecimal MIN_PRICE = BigDecimal.valueOf(3);
    private static final BigDecimal MAX_PRICE = BigDecimal.valueOf(200);

    private final ObjectMapper mapper;

    public OnlyFansApiAdapter(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProvidersConfig.Endpoint endpoint(ProvidersConfig config) {
        return config.onlyfansapi();
    }

    @Override
    public void check(CommandDraft draft, Problems problems) {
        if (draft.account() != null && !IdChars.isPrefixedAlphanumeric(draft.account(), "acct_")) {
            problems.add("account", "must look like acct_XXXXXXXXXXXXXXX for onlyfansapi");
        }
        if (draft.messageId() != null && !IdChars.isToken(draft.messageId())) {
            problems.add("messageId", "must contain only letters, digits, '_' and '-' for onlyfansapi");
        }
        draft.providerOptions().fieldNames().forEachRemaining(
                field -> problems.add("providerOptions." + field, "not supported by onlyfansapi"));
        MessageUpdate update = draft.update();
        if (update == null) {
            return;
        }
        if (update.text() == null || update.text().isBlank()) {
            problems.add("update.text", "is required by onlyfansapi (it replaces the whole message text)");
        }
        if (update.excludedLists() != null) {
            problems.add("update.excludedLists", "not supported by onlyfansapi");
        }
        BigDecimal price = update.price();
        if (price != null) {
            if (!Json.isWhole(price)) {
                problems.add("update.price",
                        "must be a whole number of dollars for onlyfansapi, got " + price.toPlainString());
            } else if (price.signum() != 0 && (price.compareTo(MIN_PRICE) < 0 || price.compareTo(MAX_PRICE) > 0)) {
                problems.add("update.price",
                        "must be 0 or between 3 and 200 for onlyfansapi, got " + price.toPlainString());
            } else if (price.signum() != 0 && (update.mediaIds() == null || update.mediaIds().isEmpty())) {
                problems.add("update.mediaIds", "is required when update.price is not 0 (onlyfansapi)");
            }
        }
        if (update.previewIds() != null && !update.previewIds().isEmpty()) {
            var media = update.mediaIds() == null ? Set.<String>of() : new HashSet<>(update.mediaIds());
            for (String preview : update.previewIds()) {
                if (!media.contains(preview)) {
                    problems.add("update.previewIds",
                            "\"" + preview + "\" is not in update.mediaIds (onlyfansapi requires previews ⊆ media)");
                }
            }
        }
    }

    @Override
    public ProviderRequest request(UpdateCommand command, String apiKey) {
        MessageUpdate update = command.update();
        ObjectNode body = mapper.createObjectNode();
        body.put("text", update.text());
        if (update.lockedText() != null) {
            body.put("lockedText", update.lockedText());
        }
        if (update.price() != null) {
            body.put("price", update.price().intValueExact());
        }
        Json.putStrings(body, "mediaFiles", update.mediaIds());
        Json.putStrings(body, "previews", update.previewIds());
        Json.putStrings(body, "userLists", update.userLists());
        Json.putStrings(body, "userIds", update.userIds());
        if (update.giphyId() != null) {
            body.put("giphyId", update.giphyId());
        }
        if (update.scheduledAt() != null) {
            body.put("scheduledDate", Json.isoUtc(update.scheduledAt()));
        }
        String path = "/api/" + Json.segment(command.account()) + "/mass-messaging/"
                + Json.segment(command.messageId());
        return new ProviderRequest("PUT", path, Map.of(
                "Authorization", "Bearer " + apiKey,
                "Content-Type", "application/json",
                "Accept", "application/json"), body.toString());
    }

    @Override
    public ProviderResponse interpret(HttpReply reply, Instant now) {
        return DataMetaEnvelope.interpret(mapper, reply, now);
    }
}
