package io.massmessage.relay.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.massmessage.relay.testing.Parsers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Validation: a table of good and bad commands with the exact reasons. */
class CommandParserTest {

    private static final CommandParser PARSER = Parsers.standard();
    private static final long IDENTITY_OF_SENT = 7_241_319_429_692_709_752L;

    private static String cmd(String provider, String account, String messageId, String update) {
        return "{\"commandId\":\"c-1\",\"provider\":\"" + provider + "\",\"account\":\"" + account
                + "\",\"messageId\":\"" + messageId + "\",\"update\":" + update + "}";
    }

    private static UpdateCommand parse(String json) {
        return PARSER.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesAFullOnlyFansApiCommand() {
        UpdateCommand command = parse(
                "{\"commandId\":\"0b5d\",\"provider\":\"onlyfansapi\",\"account\":\"acct_ABC123\","
                        + "\"messageId\":\"1234567890\",\"issuedAt\":\"2026-11-22T10:00:00Z\",\"update\":{\"text\":\"Hello!\","
                        + "\"lockedText\":true,\"price\":10,\"mediaIds\":[\"ofapi_media_abc123\",\"1234567890\"],"
                        + "\"previewIds\":[\"ofapi_media_abc123\"],\"userLists\":[\"fans\"],\"userIds\":[\"1\"],"
                        + "\"giphyId\":\"WAGC\",\"scheduledAt\":\"2026-12-01T15:00:00Z\"},\"providerOptions\":{}}");
        assertThat(command.commandId()).isEqualTo("0b5d");
        assertThat(command.messageKey()).isEqualTo("onlyfansapi:acct_ABC123:1234567890");
        assertThat(command.issuedAt()).isEqualTo(Instant.parse("2026-11-22T10:00:00Z"));
        assertThat(command.update().price()).isEqualByComparingTo(BigDecimal.TEN);
        assertThat(command.update().mediaIds()).containsExactly("ofapi_media_abc123", "1234567890");
        assertThat(command.update().scheduledAt()).isEqualTo(Instant.parse("2026-12-01T15:00:00Z"));
    }

    @Test
    void aMergeOfValidCommandsIsCheckedAgainWithItsProvidersRules() {
        UpdateCommand priced = parse(
                cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"a\",\"price\":10,\"mediaIds\":[\"m\"]}"));
        UpdateCommand noMedia = parse(cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"b\",\"mediaIds\":[]}"));
        UpdateCommand rename = parse(cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"c\"}"));
        assertThat(PARSER.problems(priced.then(rename))).isEmpty();
        assertThat(PARSER.problems(priced.then(noMedia))).as("a price and no media")
                .hasValueSatisfying(reason -> assertThat(reason).contains("update.mediaIds"));
    }

    @Test
    void aCommandsIdentityIsItsMessageAndIssuedAtAndStaysTheSameAcrossReleases() {
        String at = "\"issuedAt\":\"2026-11-22T10:00:00Z\",";
        UpdateCommand sent = parse(cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"a\"}").replace("\"update\"", at
                + "\"update\""));
        UpdateCommand rewritten = parse(
                cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"b\",\"price\":5,\"mediaIds\":[\"m\"]}")
                        .replace("\"update\"", at + "\"update\""));
        UpdateCommand later = parse(cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"a\"}")
                .replace("\"update\"", "\"issuedAt\":\"2026-11-22T10:00:00.001Z\",\"update\""));
        UpdateCommand other = parse(cmd("onlyfansapi", "acct_A1", "2", "{\"text\":\"a\"}").replace("\"update\"", at
                + "\"update\""));
        UpdateCommand shifted = parse(cmd("onlyfansapi", "acct_A", "11", "{\"text\":\"a\"}").replace("\"update\"",
                at + "\"update\""));
        assertThat(rewritten.identity()).as("the update's fields do not count").isEqualTo(sent.identity());
        assertThat(List.of(later.identity(), other.identity(), shifted.identity(),
                parse(cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"a\"}")).identity()))
                .doesNotContain(sent.identity()).doesNotHaveDuplicates();
        // identities are written to the relay's history topic and read back by the next release: they must not move
        assertThat(sent.identity()).isEqualTo(IDENTITY_OF_SENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validCommands")
    void acceptsValidCommands(String why, String json) {
        assertThat(parse(json)).isNotNull();
    }

    static Stream<Arguments> validCommands() {
        return Stream.of(
                Arguments.of("onlyfansapi free message",
                        cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"hi\",\"price\":0}")),
                Arguments.of("onlyfansapi price 3 with media",
                        cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"hi\",\"price\":3,\"mediaIds\":[\"m\"]}")),
                Arguments.of("onlyfansapi price 200 with media",
                        cmd("onlyfansapi", "acct_A1", "1", "{\"text\":\"hi\",\"price\":200,\"mediaIds\":[\"m\"]}")),
                Arguments.of("fansmetric reschedule only",
                        cmd("fansmetric", "123", "456", "{\"scheduledAt\":\"2026-06-10T15:00:00.000Z\"}")),
                Arguments.of("fansmetric cents price and options",
                        "{\"commandId\":\"c\",\"provider\":\"fansmetric\",\"account\":\"1\","
                                + "\"messageId\":\"2\",\"update\":{\"price\":9.99},\"providerOptions\":{\"rfTag\":\"t\",\"filters\":{\"a\":1}}}"),
                Arguments.of("fansly content with ppv",
                        "{\"commandId\":\"c\",\"provider\":\"fansly\",\"account\":\"acc-1\","
                                + "\"messageId\":\"m_1\",\"update\":{\"text\":\"x\",\"price\":10.5},\"providerOptions\":{\"access_type\":[\"ppv\"]}}"),
                Arguments.of("scheduledAt with offset",
                        cmd("fansly", "a", "b", "{\"text\":\"x\",\"scheduledAt\":\"2026-12-01T16:00:00+01:00\"}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidCommands")
    void refusesInvalidCommandsWithEveryReason(String why, String json, List<String> reasons) {
        InvalidCommandException e = catchThrowableOfType(InvalidCommandException.class, () -> parse(json));
        assertThat(e).as("expected %s to be refused", json).isNotNull();
        assertThat(e.problems()).containsExactlyElementsOf(reasons);
        assertThat(e.getMessage()).isEqualTo(String.join("; ", reasons));
    }

    static Stream<Arguments> invalidCommands() {
        return Stream.of(
                Arguments.of("not JSON", "hello",
                        List.of("payload: not valid JSON (Unrecognized token 'hello': was expecting "
                                + "(JSON String, Number, Array, Object or token 'null', 'true' or 'false') at line 1, column 1)")),
                Arguments.of("JSON array", "[1,2]", List.of("payload: must be a JSON object, got array")),
                Arguments.of("JSON string", "\"x\"", List.of("payload: must be a JSON object, got string")),
                Arguments.of("empty object", "{}", List.of("commandId: is required", "provider: is required",
                        "account: is required", "messageId: is required", "update: is required")),
                Arguments.of("unknown provider", cmd("onlyfans", "a", "b", "{\"text\":\"x\"}"),
                        List.of("provider: unknown provider \"onlyfans\"; expected one of: fansly, fansmetric, onlyfansapi")),
                Arguments.of("wrong types",
                        "{\"commandId\":7,\"provider\":\"fansly\",\"account\":\"a\",\"messageId\":\"b\","
                                + "\"update\":{\"text\":\"x\",\"price\":\"10\",\"mediaIds\":\"m\"}}",
                        List.of("commandId: must be a string, got number", "update.price: must be a number, got string",
                                "update.mediaIds: must be an array of strings, got string")),
                Arguments.of("update empty", cmd("fansly", "a", "b", "{}"),
                        List.of("update: must contain at least one field of: "
                                + "text, lockedText, price, mediaIds, previewIds, userLists, userIds, excludedLists, giphyId, scheduledAt")),
                Arguments.of("unknown fields",
                        "{\"commandId\":\"c\",\"provider\":\"fansly\",\"account\":\"a\",\"messageId\":\"b\","
                                + "\"update\":{\"text\":\"x\",\"colour\":\"red\"},\"extra\":1}",
                        List.of("extra: unknown field", "update.colour: unknown field")),
                Arguments.of("commandId too long",
                        cmd("fansly", "a", "b", "{\"text\":\"x\"}").replace("\"c-1\"", "\"" + "c".repeat(129) + "\""),
                        List.of("commandId: must be at most 128 characters, got 129")),
                Arguments.of("bad times",
                        "{\"commandId\":\"c\",\"provider\":\"fansly\",\"account\":\"a\",\"messageId\":\"b\","
                                + "\"issuedAt\":\"yesterday\",\"update\":{\"text\":\"x\",\"scheduledAt\":\"2026-12-01 15:00\"}}",
                        List.of("issuedAt: must be an ISO-8601 date-time with offset (e.g. 2026-12-01T15:00:00Z), got \"yesterday\"",
                                "update.scheduledAt: must be an ISO-8601 date-time with offset (e.g. 2026-12-01T15:00:00Z), got \"2026-12-01 15:00\"")),
                Arguments.of("onlyfansapi account format and text required",
                        cmd("onlyfansapi", "12345", "1", "{\"price\":0}"),
                        List.of("account: must look like acct_XXXXXXXXXXXXXXX for onlyfansapi",
                                "update.text: is required by onlyfansapi (it replaces the whole message text)")),
                Arguments.of("onlyfansapi price below 3",
                        cmd("onlyfansapi", "acct_A", "1", "{\"text\":\"x\",\"price\":2,\"mediaIds\":[\"m\"]}"),
                        List.of("update.price: must be 0 or between 3 and 200 for onlyfansapi, got 2")),
                Arguments.of("onlyfansapi price above 200",
                        cmd("onlyfansapi", "acct_A", "1", "{\"text\":\"x\",\"price\":201,\"mediaIds\":[\"m\"]}"),
                        List.of("update.price: must be 0 or between 3 and 200 for onlyfansapi, got 201")),
                Arguments.of("onlyfansapi fractional price",
                        cmd("onlyfansapi", "acct_A", "1", "{\"text\":\"x\",\"price\":9.99,\"mediaIds\":[\"m\"]}"),
                        List.of("update.price: must be a whole number of dollars for onlyfansapi, got 9.99")),
                Arguments.of("onlyfansapi priced without media",
                        cmd("onlyfansapi", "acct_A", "1", "{\"text\":\"x\",\"price\":10}"),
                        List.of("update.mediaIds: is required when update.price is not 0 (onlyfansapi)")),
                Arguments.of("onlyfansapi previews not in media", cmd("onlyfansapi", "acct_A", "1",
                        "{\"text\":\"x\",\"mediaIds\":[\"a\"],\"previewIds\":[\"a\",\"b\"],\"excludedLists\":[\"l\"]}"),
                        List.of("update.excludedLists: not supported by onlyfansapi",
                                "update.previewIds: \"b\" is not in update.mediaIds (onlyfansapi requires previews ⊆ media)")),
                Arguments.of("onlyfansapi provider options",
                        "{\"commandId\":\"c\",\"provider\":\"onlyfansapi\",\"account\":\"acct_A\","
                                + "\"messageId\":\"1\",\"update\":{\"text\":\"x\"},\"providerOptions\":{\"rfTag\":\"t\"}}",
                        List.of("providerOptions.rfTag: not supported by onlyfansapi")),
                Arguments.of("fansmetric non-numeric ids and sub-cent price",
                        cmd("fansmetric", "acct_A", "q1", "{\"price\":1.005}"),
                        List.of("account: must be the numeric OnlyFans account id for fansmetric, got \"acct_A\"",
                                "messageId: must be the numeric queue id for fansmetric, got \"q1\"",
                                "update.price: must have at most 2 decimal places for fansmetric, got 1.005")),
                Arguments.of("fansmetric unknown option",
                        "{\"commandId\":\"c\",\"provider\":\"fansmetric\",\"account\":\"1\","
                                + "\"messageId\":\"2\",\"update\":{\"text\":\"x\"},\"providerOptions\":{\"access_type\":\"ppv\",\"rfTag\":3}}",
                        List.of("providerOptions.access_type: not supported by fansmetric (supported: recommenders, filters, rfTag, rfGuest, rfPartner)",
                                "providerOptions.rfTag: must be a string")),
                Arguments.of("fansly content required and unsupported fields", cmd("fansly", "a", "b",
                        "{\"lockedText\":true,\"userLists\":[\"fans\"],\"giphyId\":\"g\"}"),
                        List.of("update.text: is required by fansly (sent as content)",
                                "update.lockedText: not supported by fansly",
                                "update.userLists: not supported by fansly",
                                "update.giphyId: not supported by fansly")),
                Arguments.of("fansly ppv without price, list without label",
                        "{\"commandId\":\"c\",\"provider\":\"fansly\",\"account\":\"a\","
                                + "\"messageId\":\"b\",\"update\":{\"text\":\"x\"},\"providerOptions\":{\"access_type\":[\"ppv\",\"list\",\"vip\"]}}",
                        List.of("providerOptions.access_type: must be one or more of ppv, subscription, follow, list, limited_time; got \"vip\"",
                                "providerOptions.listLabel: is required when access_type includes list (fansly)",
                                "update.price: is required when providerOptions.access_type includes ppv (fansly)")),
                Arguments.of("fansly more previews than media",
                        cmd("fansly", "a", "b", "{\"text\":\"x\",\"mediaIds\":[\"m\"],\"previewIds\":[\"p\",\"q\"]}"),
                        List.of("update.previewIds: has 2 entries but update.mediaIds has 1; fansly pairs previewIds[i] with mediaIds[i]")),
                Arguments.of("negative price", cmd("fansly", "a", "b", "{\"text\":\"x\",\"price\":-1}"),
                        List.of("update.price: must not be negative, got -1")));
    }

    @Test
    void refusesPayloadsOverTheSizeLimit() {
        CommandParser small = new CommandParser(100, Parsers.ADAPTERS::get, List.of("fansly"));
        byte[] payload = cmd("fansly", "a", "b", "{\"text\":\"" + "x".repeat(200) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> small.parse(payload))
                .isInstanceOfSatisfying(InvalidCommandException.class, e -> {
                    assertThat(e.kind()).isEqualTo(InvalidCommandException.Kind.too_large);
                    assertThat(e.getMessage())
                            .isEqualTo("payload: " + payload.length + " bytes exceeds the limit of 100 bytes");
                });
    }

    @Test
    void refusesAnEmptyPayload() {
        assertThatThrownBy(() -> PARSER.parse(new byte[0])).hasMessage("payload: is empty");
    }
}
