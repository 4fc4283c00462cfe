package io.massmessage.relay.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.massmessage.relay.command.InvalidCommandException.Kind;
import io.massmessage.relay.testing.Parsers;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Strict, bounded parsing: every payload ends as a command or an {@link InvalidCommandException} with a
 * specific, bounded reason. The cases marked "escaped" threw something else before (and stopped the
 * command stream); those marked "accepted" were sent to the provider.
 */
class StrictParsingTest {

    private static final CommandParser PARSER = Parsers.standard();
    private static final String VALID = "{\"commandId\":\"c-1\",\"provider\":\"fansly\",\"account\":\"a\",\"messageId\":\"b\","
            + "\"update\":{\"text\":\"x\"}}";

    private static InvalidCommandException refusal(byte[] payload) {
        InvalidCommandException e = catchThrowableOfType(InvalidCommandException.class, () -> PARSER.parse(payload));
        assertThat(e).as("refused: %s", payload == null ? "null"
                : new String(payload, 0, Math.min(payload.length, 120), StandardCharsets.UTF_8)).isNotNull();
        assertThat(e.getMessage().length()).isLessThanOrEqualTo(InvalidCommandException.MAX_REASON_CHARS);
        assertThat(e.getMessage()).as("no control characters in a reason").doesNotContainPattern("\\p{Cntrl}");
        return e;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesWhatIsNotStrictJson(String why, byte[] payload, String reason) {
        InvalidCommandException e = refusal(payload);
        assertThat(e.kind()).isEqualTo(Kind.malformed);
        assertThat(e.getMessage()).startsWith(reason);
    }

    static Stream<Arguments> malformed() {
        String body = VALID.substring(0, VALID.length() - 1);
        return Stream.of(
                Arguments.of("duplicate key (accepted: the last provider routed it)",
                        utf8(body + ",\"provider\":\"onlyfansapi\"}"),
                        "payload: not valid JSON (Duplicate field 'provider'"),
                Arguments.of("a second closing brace (accepted)", utf8(VALID + "}"), "payload: not valid JSON ("),
                Arguments.of("a trailing comma (accepted)", utf8(VALID + ","), "payload: not valid JSON ("),
                Arguments.of("a second object (accepted)", utf8(VALID + "{}"),
                        "payload: has data after the JSON object"),
                Arguments.of("a trailing NUL (accepted)", utf8(VALID + "\u0000"), "payload: not valid JSON ("),
                Arguments.of("a comment after the object (accepted)", utf8(VALID + " // note"),
                        "payload: not valid JSON ("),
                Arguments.of("a comment inside", utf8("{/* c */" + VALID.substring(1)), "payload: not valid JSON ("),
                Arguments.of("NaN", utf8(body.replace("\"x\"}", "\"x\",\"price\":NaN}") + "}"),
                        "payload: not valid JSON ("),
                Arguments.of("a 1,001-digit number (escaped)",
                        utf8(body.replace("\"x\"}", "\"x\",\"price\":" + "9".repeat(1001) + "}") + "}"),
                        "payload: over a parser limit ("),
                Arguments.of("nesting 2,000 deep (escaped)",
                        utf8(body + ",\"providerOptions\":{\"filters\":" + "[".repeat(2000)
                                + "]".repeat(2000) + "}}"),
                        "payload: over a parser limit ("),
                Arguments.of("a field name of 300 characters (escaped)", utf8(body + ",\"" + "n".repeat(300) + "\":1}"),
                        "payload: over a parser limit ("),
                Arguments.of("overlong UTF-8 for '/' (accepted)",
                        withBytes(body + ",\"providerOptions\":{\"rfTag\":\"", new byte[]{(byte) 0xC0, (byte) 0xAF},
                                "\"}}"),
                        "payload: not well-formed UTF-8 at byte "),
                Arguments.of("an encoded surrogate (accepted)",
                        withBytes("{\"commandId\":\"", new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                                VALID.substring(14)),
                        "payload: not well-formed UTF-8 at byte 14"),
                Arguments.of("a code point above U+10FFFF (accepted)",
                        withBytes("{\"commandId\":\"", new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                                VALID.substring(14)),
                        "payload: not well-formed UTF-8 at byte 14"),
                Arguments.of("a truncated sequence",
                        withBytes(VALID.substring(0, VALID.length() - 3), new byte[]{(byte) 0xE2, (byte) 0x82}, "\"}}"),
                        "payload: not well-formed UTF-8 at byte "),
                Arguments.of("a byte order mark",
                        withBytes("", new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, VALID),
                        "payload: starts with a byte order mark"),
                Arguments.of("whitespace only", utf8("  \n "), "payload: has no JSON value"),
                Arguments.of("a tombstone", null, "payload: is null (a tombstone)"));
    }

    private static byte[] withBytes(String before, byte[] bytes, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8(before));
        out.writeBytes(bytes);
        out.writeBytes(utf8(after));
        return out.toByteArray();
    }

    @Test
    void refusesNumbersOutOfRangeInsteadOfReadingInfinity() {
        for (String number : List.of("1e309", "1e400", "-1e400", "1e999999999", "123456789012345")) {
            InvalidCommandException e = refusal(utf8(VALID.replace("\"x\"}", "\"x\",\"price\":" + number + "}")));
            assertThat(e.kind()).as(number).isEqualTo(Kind.invalid);
            assertThat(e.getMessage()).as(number)
                    .isEqualTo("update.price: must be less than 1000000000000 in magnitude");
        }
        InvalidCommandException tiny = refusal(utf8(VALID.replace("\"x\"}", "\"x\",\"price\":1e-400}")));
        assertThat(tiny.getMessage()).isEqualTo("update.price: must have at most 12 decimal places");
    }

    @Test
    void treatsNullAsMissingSoAnUpdateOfNullsIsEmpty() {
        InvalidCommandException e = refusal(utf8("{\"commandId\":\"c\",\"provider\":\"fansmetric\",\"account\":\"1\","
                + "\"messageId\":\"2\",\"update\":{\"text\":null}}"));
        assertThat(e.getMessage()).startsWith("update: must contain at least one field of: ");
        InvalidCommandException required = refusal(utf8(VALID.replace("\"provider\":\"fansly\"", "\"provider\":null")));
        assertThat(required.getMessage()).isEqualTo("provider: is required");
    }

    @Test
    void boundsTheReasonWhateverThePayloadEchoes() {
        StringBuilder payload = new StringBuilder(VALID.substring(0, VALID.length() - 1));
        for (int i = 0; i < 10_000; i++) {
            payload.append(",\"unknown_field_with_a_long_name_").append(i).append("\":1");
        }
        payload.append('}');
        InvalidCommandException e = refusal(utf8(payload.toString()));
        assertThat(e.getMessage()).endsWith(" more problems").contains("… and ");
        assertThat(e.problems()).hasSize(Problems.MAX_KEPT);
        int shown = e.getMessage().split("; ").length;
        assertThat(e.getMessage()).endsWith("… and " + (10_000 - shown) + " more problems");
    }

    @Test
    void quotesInputBoundedAndEscaped() {
        InvalidCommandException e = refusal(utf8(VALID.replace("\"provider\":\"fansly\"",
                "\"provider\":\"x\\r\\ndead-letter-offset: 1" + "y".repeat(60) + "\"")));
        assertThat(e.getMessage()).startsWith("provider: must be at most 64 characters");
        InvalidCommandException quoted = refusal(
                utf8(VALID.replace("\"provider\":\"fansly\"", "\"provider\":\"x\\r\\ny\"")));
        assertThat(quoted.getMessage()).isEqualTo(
                "provider: unknown provider \"x\\u000d\\u000ay\"; expected one of: fansly, fansmetric, onlyfansapi");
        InvalidCommandException access = refusal(
                utf8(VALID.replace("}}", "},\"providerOptions\":{\"access_type\":[\"" + "v".repeat(5000) + "\"]}}")));
        assertThat(access.getMessage()).hasSizeLessThan(300);
    }

    @Test
    void refusesIdsThatWouldWalkTheProvidersPath() {
        InvalidCommandException e = refusal(utf8("{\"commandId\":\"c\",\"provider\":\"onlyfansapi\",\"account\":\"..\","
                + "\"messageId\":\"a\\r\\nb\",\"update\":{\"text\":\"x\"}}"));
        assertThat(e.problems()).contains("account: must not be \".\" or \"..\"",
                "messageId: must not contain control characters");
    }

    /** Seeded mutations of valid commands: whatever the bytes, a command or a bounded refusal, never another exception. */
    @Test
    void nothingButACommandOrARefusalComesOutOfTwentyThousandMutations() {
        Random random = new Random(20261201L);
        byte[] seed = utf8(
                "{\"commandId\":\"c-1\",\"provider\":\"onlyfansapi\",\"account\":\"acct_A1\",\"messageId\":\"1\","
                        + "\"issuedAt\":\"2026-11-22T10:00:00Z\",\"update\":{\"text\":\"hi\",\"price\":3,\"mediaIds\":[\"m\"],"
                        + "\"previewIds\":[\"m\"],\"scheduledAt\":\"2026-12-01T15:00:00Z\"},\"providerOptions\":{}}");
        byte[] specials = utf8("{}[]\",:0123456789eE.-+ntfu\\");
        int parsed = 0;
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] payload = seed.clone();
            int edits = 1 + random.nextInt(4);
            for (int k = 0; k < edits; k++) {
                int at = random.nextInt(payload.length);
                payload[at] = random.nextBoolean() ? specials[random.nextInt(specials.length)]
                        : (byte) random.nextInt(256);
            }
            try {
                PARSER.parse(payload);
                parsed++;
            } catch (InvalidCommandException e) {
                assertThat(e.getMessage().length()).isLessThanOrEqualTo(InvalidCommandException.MAX_REASON_CHARS);
                refused++;
            }
        }
        assertThat(parsed + refused).isEqualTo(20_000);
        assertThat(refused).isGreaterThan(10_000);
    }
}
