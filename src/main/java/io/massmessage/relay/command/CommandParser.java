package io.massmessage.relay.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.massmessage.relay.command.InvalidCommandException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Turns a command payload into an {@link UpdateCommand}, or an {@link InvalidCommandException}
 * listing every problem: size, encoding, JSON syntax, shape, types, formats and the target provider's
 * rules. Pure: no I/O, no clock. Nothing else escapes it: whatever the bytes, the answer is a command
 * or an {@code InvalidCommandException}.
 *
 * <p>Strict, bounded JSON (RFC 8259 and RFC 3629), with its own Jackson parser configuration:
 * <ul>
 * <li>UTF-8 decoded strictly before parsing: overlong forms, surrogates, code points above U+10FFFF
 * and truncated sequences are malformed, and so is a byte order mark;</li>
 * <li>duplicate keys are malformed ({@code provider} twice must not route a command), and so is
 * anything after the object (a second value, a comma, a NUL, a comment);</li>
 * <li>{@link StreamReadConstraints}: nesting at most {@value #MAX_DEPTH} deep, numbers of at most
 * {@value #MAX_NUMBER_CHARS} characters, field names of at most {@value #MAX_NAME_CHARS}, strings and
 * the document at most the payload limit;</li>
 * <li>numbers read as decimals, never as doubles, so {@code 1e400} is a number out of range, not infinity.</li>
 * </ul>
 */
public final class CommandParser {

    private static final Set<String> TOP_LEVEL = Set.of(
            "commandId", "provider", "account", "messageId", "issuedAt", "update", "providerOptions");
    private static final int MAX_ID_LENGTH = 128;
    /** Deepest nesting accepted; a command is 3 deep, provider options add a few levels. */
    static final int MAX_DEPTH = 32;
    /** Longest number accepted, in characters. */
    static final int MAX_NUMBER_CHARS = 64;
    /** Longest field name accepted, in characters. */
    static final int MAX_NAME_CHARS = 256;
    /** Longest Jackson message quoted in a reason. */
    private static final int MAX_PARSER_MESSAGE_CHARS = 160;

    private final ObjectMapper mapper;
    private final int maxPayloadBytes;
    private final Function<String, CommandRules> rulesByProvider;
    private final String knownProviders;

    /**
     * @param rulesByProvider the rules of a provider by its name, or {@code null} for an unknown name
     * @param providerNames   every known provider name, for the error message
     */
    public CommandParser(int maxPayloadBytes, Function<String, CommandRules> rulesByProvider,
            List<String> providerNames) {
        this.mapper = strictMapper(maxPayloadBytes);
        this.maxPayloadBytes = maxPayloadBytes;
        this.rulesByProvider = Objects.requireNonNull(rulesByProvider);
        this.knownProviders = String.join(", ", providerNames);
    }

    private static ObjectMapper strictMapper(int maxPayloadBytes) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH)
                        .maxNumberLength(MAX_NUMBER_CHARS)
                        .maxNameLength(MAX_NAME_CHARS)
                        .maxStringLength(Math.max(1, maxPayloadBytes))
                        .maxDocumentLength(Math.max(1, maxPayloadBytes))
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .disable(JsonReadFeature.ALLOW_JAVA_COMMENTS)
                .disable(JsonReadFeature.ALLOW_YAML_COMMENTS)
                .disable(JsonReadFeature.ALLOW_TRAILING_COMMA)
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
        return JsonMapper.builder(factory)
                // trailing tokens are refused by readObject itself (FAIL_ON_TRAILING_TOKENS's check, with a plainer reason)
                .disable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .build();
    }

    /**
     * Whether a command built here, not parsed (a merge of commands, each valid), still keeps its provider's rules;
     * the reason why not otherwise.
     */
    public Optional<String> problems(UpdateCommand command) {
        CommandRules rules = rulesByProvider.apply(command.provider());
        if (rules == null) {
            return Optional.of("unknown provider " + command.provider());
        }
        Problems problems = new Problems();
        try {
            rules.check(new CommandDraft(command.account(), command.messageId(), command.update(),
                    command.providerOptions()), problems);
        } catch (RuntimeException e) {
            return Optional.of("could not be validated (" + e.getClass().getSimpleName() + ")");
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems.list()));
    }

    /** Parses and validates one payload. */
    public UpdateCommand parse(byte[] payload) {
        if (payload == null || payload.length == 0) {
            throw new InvalidCommandException(Kind.malformed, payload == null
                    ? "payload: is null (a tombstone), expected a command object"
                    : "payload: is empty");
        }
        if (payload.length > maxPayloadBytes) {
            throw new InvalidCommandException(Kind.too_large, "payload: " + payload.length
                    + " bytes exceeds the limit of " + maxPayloadBytes + " bytes");
        }
        try {
            return parseObject(readObject(payload));
        } catch (InvalidCommandException invalid) {
            throw invalid;
        } catch (RuntimeException | StackOverflowError e) {
            // a defect in a check must not stop the stream: the payload is refused, naming what failed
            throw new InvalidCommandException(Kind.invalid, "payload: could not be validated ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private ObjectNode readObject(byte[] payload) {
        CharBuffer chars = decodeStrictly(payload);
        if (chars.length() > 0 && chars.charAt(0) == '\uFEFF') {
            throw new InvalidCommandException(Kind.malformed,
                    "payload: starts with a byte order mark (RFC 8259 forbids it)");
        }
        JsonNode root;
        try (JsonParser parser = mapper.createParser(chars.array(), chars.arrayOffset(), chars.length())) {
            root = mapper.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw new InvalidCommandException(Kind.malformed, "payload: has data after the JSON object"
                        + at(parser.currentLocation()));
            }
        } catch (StreamConstraintsException e) {
            throw new InvalidCommandException(Kind.malformed, "payload: over a parser limit ("
                    + Problems.clean(e.getOriginalMessage(), MAX_PARSER_MESSAGE_CHARS) + ")");
        } catch (JsonProcessingException e) {
            throw new InvalidCommandException(Kind.malformed, "payload: not valid JSON ("
                    + Problems.clean(e.getOriginalMessage(), MAX_PARSER_MESSAGE_CHARS) + at(e.getLocation()) + ")");
        } catch (IOException e) {
            throw new InvalidCommandException(Kind.malformed,
                    "payload: unreadable (" + e.getClass().getSimpleName() + ")");
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidCommandException(Kind.malformed, "payload: has no JSON value (only whitespace)");
        }
        if (!root.isObject()) {
            throw new InvalidCommandException(Kind.malformed,
                    "payload: must be a JSON object, got " + JsonFields.describe(root));
        }
        return (ObjectNode) root;
    }

    /** The payload as characters, refusing anything that is not well-formed UTF-8 (RFC 3629). */
    private static CharBuffer decodeStrictly(byte[] payload) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(payload);
        CharBuffer out = CharBuffer.allocate(payload.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw new InvalidCommandException(Kind.malformed, "payload: not well-formed UTF-8 at byte " + in.position()
                    + " (overlong form, surrogate, code point above U+10FFFF or truncated sequence)");
        }
        out.flip();
        return out;
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private UpdateCommand parseObject(ObjectNode root) {
        Problems problems = new Problems();
        JsonFields fields = new JsonFields(root, "", problems);
        fields.rejectUnknown(TOP_LEVEL);

        String commandId = fields.requiredString("commandId", MAX_ID_LENGTH);
        String provider = fields.requiredString("provider", 64);
        String account = fields.requiredString("account", MAX_ID_LENGTH);
        String messageId = fields.requiredString("messageId", MAX_ID_LENGTH);
        checkPathSegment("account", account, problems);
        checkPathSegment("messageId", messageId, problems);
        var issuedAt = fields.instant("issuedAt");
        MessageUpdate update = parseUpdate(root, fields, problems);
        ObjectNode options = fields.object("providerOptions");
        if (options == null) {
            options = mapper.createObjectNode();
        }

        CommandRules rules = provider == null ? null : rulesByProvider.apply(provider);
        if (provider != null && rules == null) {
            problems.add("provider",
                    "unknown provider " + Problems.quote(provider) + "; expected one of: " + knownProviders);
        }
        if (rules != null) {
            rules.check(new CommandDraft(account, messageId, update, options), problems);
        }
        if (!problems.isEmpty()) {
            throw new InvalidCommandException(Kind.invalid, problems);
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
        if (!hasAnyValue(node)) {
            problems.add("update", "must contain at least one field of: " + String.join(", ", MessageUpdate.FIELDS));
            return null;
        }
        JsonFields fields = new JsonFields(node, "update", problems);
        fields.rejectUnknown(MessageUpdate.FIELDS);
        int before = problems.total();
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
        return problems.total() == before ? update : null;
    }

    /**
     * Ids become path segments of the provider's URL: percent-encoded, but "." and ".." would still walk
     * the path, and control characters have no place in an id.
     */
    private static void checkPathSegment(String field, String id, Problems problems) {
        if (id == null) {
            return;
        }
        if (id.equals(".") || id.equals("..")) {
            problems.add(field, "must not be \".\" or \"..\"");
        } else if (id.chars().anyMatch(c -> Character.isISOControl(c))) {
            problems.add(field, "must not contain control characters");
        }
    }

    /** Whether the object has a field that is not {@code null} (a {@code null} field is a missing one). */
    private static boolean hasAnyValue(ObjectNode node) {
        for (JsonNode value : node) {
            if (!value.isNull()) {
                return true;
            }
        }
        return false;
    }
}
