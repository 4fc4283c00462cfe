package io.massmessage.relay.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.command.InvalidCommandException.Kind;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a command payload into an {@link UpdateCommand}, or an {@link InvalidCommandException}
 * listing every problem: size, JSON syntax, shape, types, formats and the target provider's rules.
 * Pure: no I/O, no clock.
 */
public final class CommandParser {

    private static final Set<String> TOP_LEVEL = Set.of(
            "commandId", "provider", "account", "messageId", "issuedAt", "update", "providerOptions");
    private static final int MAX_ID_LENGTH = 128;

    private final ObjectMapper mapper;
    private final int maxPayloadBytes;
    private final Function<String, CommandRules> rulesByProvider;
    private final String knownProviders;

    /**
     * @param rulesByProvider the rules of a provider by its name, or {@code null} for an unknown name
     * @param providerNames   every known provider name, for the error message
     */
    public CommandParser(ObjectMapper mapper, int maxPayloadBytes,
            Function<String, CommandRules> rulesByProvider, List<String> providerNames) {
        this.mapper = Objects.requireNonNull(mapper);
        this.maxPayloadBytes = maxPayloadBytes;
        this.rulesByProvider = Objects.requireNonNull(rulesByProvider);
        this.knownProviders = String.join(", ", providerNames);
    }

    /** Parses and validates one payload. */
    public UpdateCommand parse(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new InvalidCommandException(Kind.malformed, List.of("payload: is empty"));
        }
        if (payload.length > maxPayloadBytes) {
            throw new InvalidCommandException(Kind.too_large, List.of("payload: " + payload.length
                    + " bytes exceeds the limit of " + maxPayloadBytes + " bytes"));
        }
        JsonNode root;
        try {
            root = mapper.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new InvalidCommandException(Kind.malformed, List.of("payload: not valid JSON ("
                    + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")"));
        } catch (java.io.IOException e) {
            throw new InvalidCommandException(Kind.malformed, List.of("payload: unreadable (" + e.getMessage() + ")"));
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidCommandException(Kind.malformed, List.of("payload: is empty"));
        }
        if (!root.isObject()) {
            throw new InvalidCommandException(Kind.malformed,
                    List.of("payload: must be a JSON object, got " + JsonFields.describe(root)));
        }
        return parseObject((ObjectNode) root);
    }

    private UpdateCommand parseObject(ObjectNode root) {
        Problems problems = new Problems();
        JsonFields fields = new JsonFields(root, "", problems);
        fields.rejectUnknown(TOP_LEVEL);

        String commandId = fields.requiredString("commandId", MAX_ID_LENGTH);
        String provider = fields.requiredString("provider", 64);
        String account = fields.requiredString("account", MAX_ID_LENGTH);
        String messageId = fields.requiredString("messageId", MAX_ID_LENGTH);
        var issuedAt = fields.instant("issuedAt");
        MessageUpdate update = parseUpdate(root, fields, problems);
        ObjectNode options = fields.object("providerOptions");
        if (options == null) {
            options = mapper.createObjectNode();
        }

        CommandRules rules = provider == null ? null : rulesByProvider.apply(provider);
        if (provider != null && rules == null) {
            problems.add("provider", "unknown provider \"" + provider + "\"; expected one of: " + knownProviders);
        }
        if (rules != null) {
            rules.check(new CommandDraft(account, messageId, update, options), problems);
        }
        if (!problems.isEmpty()) {
            throw new InvalidCommandException(Kind.invalid, problems.list());
        }
        return new UpdateCommand(commandId, provider, account, messageId, issuedAt, update, options);
    }

    private static MessageUpdate parseUpdate(ObjectNode root, JsonFields top, Problems problems) {
        if (!top.has("update")) {
            problems.add("update", "is required");
            return null;
        }
        ObjectNode node = top.object("update");
        if (node == null) {
            return null;
        }
        if (node.isEmpty()) {
            problems.add("update", "must contain at least one field of: " + String.join(", ", MessageUpdate.FIELDS));
            return null;
        }
        JsonFields fields = new JsonFields(node, "update", problems);
        fields.rejectUnknown(MessageUpdate.FIELDS);
        int before = problems.list().size();
        MessageUpdate update = new MessageUpdate(
                fields.text("text"),
                fields.bool("lockedText"),
                fields.number("price"),
                fields.stringList("mediaIds"),
                fields.stringList("previewIds"),
                fields.stringList("userLists"),
                fields.stringList("userIds"),
                fields.stringList("excludedLists"),
                fields.string("giphyId", 256),
                fields.instant("scheduledAt"));
        // Provider rules reason about the fields' values; with a mistyped field they would only
        // add noise (e.g. "price requires mediaIds" when mediaIds was a string).
        return problems.list().size() == before ? update : null;
    }
}
