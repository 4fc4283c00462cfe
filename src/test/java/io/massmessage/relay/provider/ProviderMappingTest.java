package io.massmessage.relay.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.command.CommandParser;
import io.massmessage.relay.command.UpdateCommand;
import io.massmessage.relay.provider.fansly.FanslyAdapter;
import io.massmessage.relay.provider.fansmetric.FansMetricAdapter;
import io.massmessage.relay.provider.onlyfansapi.OnlyFansApiAdapter;
import io.massmessage.relay.testing.Parsers;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each adapter builds its provider's exact request: method, encoded path, auth header, body names and JSON types. */
class ProviderMappingTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final OnlyFansApiAdapter OF = Parsers.ONLYFANSAPI;
    private static final FansMetricAdapter FM = Parsers.FANSMETRIC;
    private static final FanslyAdapter FY = Parsers.FANSLY;
    private static final CommandParser PARSER = Parsers.standard();

    private static UpdateCommand command(String provider, String account, String id, String update, String options) {
        return PARSER.parse(("{\"commandId\":\"c\",\"provider\":\"" + provider + "\",\"account\":\"" + account
                + "\",\"messageId\":\"" + id + "\",\"update\":" + update + ",\"providerOptions\":" + options + "}")
                .getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    private static final String FULL_UPDATE = "{\"text\":\"Hello!\",\"lockedText\":true,\"price\":10,"
            + "\"mediaIds\":[\"ofapi_media_abc123\",\"1234567890\"],\"previewIds\":[\"ofapi_media_abc123\"],"
            + "\"userLists\":[\"fans\",\"1234567890\"],\"userIds\":[\"1234567890\"],\"giphyId\":\"WAGC3LeqJvXglm5H7a\","
            + "\"scheduledAt\":\"2026-12-01T16:00:00+01:00\"}";

    @Test
    void onlyFansApiRequestUsesItsFieldNamesAndAnIntegerPrice() throws Exception {
        ProviderRequest request = OF.request(command("onlyfansapi", "acct_ABC", "1234567890", FULL_UPDATE, "{}"), "k1");
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.path()).isEqualTo("/api/acct_ABC/mass-messaging/1234567890");
        assertThat(request.headers()).containsEntry("Authorization", "Bearer k1").containsEntry("Content-Type",
                "application/json");
        assertThat(json(request.body())).isEqualTo(json("{\"text\":\"Hello!\",\"lockedText\":true,\"price\":10,"
                + "\"mediaFiles\":[\"ofapi_media_abc123\",\"1234567890\"],\"previews\":[\"ofapi_media_abc123\"],"
                + "\"userLists\":[\"fans\",\"1234567890\"],\"userIds\":[\"1234567890\"],\"giphyId\":\"WAGC3LeqJvXglm5H7a\","
                + "\"scheduledDate\":\"2026-12-01T15:00:00.000Z\"}"));
        assertThat(json(request.body()).get("price").isInt()).isTrue();
        assertThat(request.toString()).doesNotContain("k1");
    }

    @Test
    void fansMetricRequestSendsThePriceAsADecimalStringAndPassesOptionsThrough() throws Exception {
        ProviderRequest request = FM.request(command("fansmetric", "123", "456",
                "{\"text\":\"<b>Hi</b>\",\"price\":9.90,\"excludedLists\":[\"x\"],\"scheduledAt\":\"2026-06-10T15:00:00Z\"}",
                "{\"rfTag\":\"tag\",\"filters\":{\"spent\":{\"min\":5}}}"), "k2");
        assertThat(request.path()).isEqualTo("/v1/123/mass-messages/queue/456");
        assertThat(request.headers()).containsEntry("Authorization", "Bearer k2");
        assertThat(json(request.body()))
                .isEqualTo(json("{\"text\":\"<b>Hi</b>\",\"price\":\"9.9\",\"excludedLists\":[\"x\"],"
                        + "\"scheduledDate\":\"2026-06-10T15:00:00.000Z\",\"rfTag\":\"tag\",\"filters\":{\"spent\":{\"min\":5}}}"));
        assertThat(json(request.body()).get("price").isTextual()).isTrue();
    }

    @Test
    void fanslyRequestSendsContentEpochMillisAndPairsPreviewsWithMedia() throws Exception {
        ProviderRequest request = FY.request(command("fansly", "acc-1", "m1",
                "{\"text\":\"Hi\",\"price\":10.5,\"mediaIds\":[\"a\",\"b\"],\"previewIds\":[\"pa\"],\"scheduledAt\":\"2026-12-01T15:00:00Z\"}",
                "{\"access_type\":[\"ppv\"]}"), "k3");
        assertThat(request.path()).isEqualTo("/api/fansly/acc-1/mass-messaging/scheduled/m1");
        assertThat(request.headers()).containsEntry("x-api-key", "k3").doesNotContainKey("Authorization");
        assertThat(json(request.body()))
                .isEqualTo(json("{\"content\":\"Hi\",\"mediaIds\":[{\"mediaId\":\"a\",\"previewId\":\"pa\"},"
                        + "{\"mediaId\":\"b\",\"previewId\":null}],\"price\":10.5,\"scheduledFor\":1796137200000,\"access_type\":[\"ppv\"]}"));
        assertThat(json(request.body()).get("scheduledFor").isIntegralNumber()).isTrue();
    }

    @Test
    void fanslyMediaWithoutPreviewsStayPlainIds() throws Exception {
        ProviderRequest request = FY
                .request(command("fansly", "a", "b", "{\"text\":\"Hi\",\"mediaIds\":[\"a\"]}", "{}"), "k");
        assertThat(json(request.body())).isEqualTo(json("{\"content\":\"Hi\",\"mediaIds\":[\"a\"]}"));
    }

    @Test
    void pathSegmentsAreUrlEncoded() {
        assertThat(Json.segment("a b/c?d#e%")).isEqualTo("a%20b%2Fc%3Fd%23e%25");
        assertThat(Json.segment("acct_A1-2.x*")).isEqualTo("acct_A1-2.x*");
        assertThat(Json.segment("~+é")).isEqualTo("%7E%2B%C3%A9");
    }

    @Test
    void aSegmentWithoutReservedCharactersIsTheEncodersToo() {
        // the fast path for ids the encoder leaves alone must agree with the encoder on every string (seeded)
        Random random = new Random(18);
        String alphabet = "azAZ09._-*~+ /%?#&=:;@!$'()[],\"é 中😀";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder value = new StringBuilder();
            int length = random.nextInt(8);
            for (int j = 0; j < length; j++) {
                value.append(random.nextInt(4) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : (char) ('a' + random.nextInt(26)));
            }
            String expected = URLEncoder.encode(value.toString(), StandardCharsets.UTF_8).replace("+", "%20");
            assertThat(Json.segment(value.toString())).as(value.toString()).isEqualTo(expected);
        }
    }
}
