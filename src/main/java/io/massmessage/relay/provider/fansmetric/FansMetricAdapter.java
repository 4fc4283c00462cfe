package io.massmessage.relay.provider.fansmetric;

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
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * FansMetric: {@code PUT /v1/{account_id}/mass-messages/queue/{queue_id}} with a Bearer key
 * (providers/fansmetric-update-mass-message.md). Both ids are numeric; the price is a decimal string.
 */
@Singleton
public final class FansMetricAdapter implements ProviderAdapter {

    /** The provider's name in commands. */
    public static final String NAME = "fansmetric";

    private static final Set<String> STRING_OPTIONS = Set.of("rfTag", "rfGuest", "rfPartner");
    private static final Set<String> STRUCTURED_OPTIONS = Set.of("recommenders", "filters");

    private final ObjectMapper mapper;

    public FansMetricAdapter(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public ProvidersConfig.Endpoint endpoint(ProvidersConfig config) {
        return config.fansmetric();
    }

    @Override
    public void check(CommandDraft draft, Problems problems) {
        if (draft.account() != null && !IdChars.isDigits(draft.account(), 19)) {
            problems.add("account",
                    "must be the numeric OnlyFans account id for fansmetric, got \"" + draft.account() + "\"");
        }
        if (draft.messageId() != null && !IdChars.isDigits(draft.messageId(), 19)) {
            problems.add("messageId", "must be the numeric queue id for fansmetric, got \"" + draft.messageId() + "\"");
        }
        draft.providerOptions().fields().forEachRemaining(field -> {
            String name = "providerOptions." + field.getKey();
            if (STRING_OPTIONS.contains(field.getKey())) {
                if (!field.getValue().isTextual()) {
                    problems.add(name, "must be a string");
                }
            } else if (!STRUCTURED_OPTIONS.contains(field.getKey())) {
                problems.add(name,
                        "not supported by fansmetric (supported: recommenders, filters, rfTag, rfGuest, rfPartner)");
            }
        });
        MessageUpdate update = draft.update();
        if (update != null && update.price() != null && !Json.isCents(update.price())) {
            problems.add("update.price",
                    "must have at most 2 decimal places for fansmetric, got " + update.price().toPlainString());
        }
    }

    @Override
    public ProviderRequest request(UpdateCommand command, String apiKey) {
        MessageUpdate update = command.update();
        ObjectNode body = mapper.createObjectNode();
        if (update.text() != null) {
            body.put("text", update.text());
        }
        if (update.lockedText() != null) {
            body.put("lockedText", update.lockedText());
        }
        Json.putStrings(body, "mediaFiles", update.mediaIds());
        Json.putStrings(body, "previews", update.previewIds());
        if (update.price() != null) {
            body.put("price", update.price().stripTrailingZeros().toPlainString());
        }
        Json.putStrings(body, "userLists", update.userLists());
        Json.putStrings(body, "userIds", update.userIds());
        Json.putStrings(body, "excludedLists", update.excludedLists());
        if (update.giphyId() != null) {
            body.put("giphyId", update.giphyId());
        }
        if (update.scheduledAt() != null) {
            body.put("scheduledDate", Json.isoUtc(update.scheduledAt()));
        }
        command.providerOptions().fields().forEachRemaining(field -> body.set(field.getKey(), field.getValue()));
        String path = "/v1/" + Json.segment(command.account()) + "/mass-messages/queue/"
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
