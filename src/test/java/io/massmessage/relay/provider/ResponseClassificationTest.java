package io.massmessage.relay.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.provider.fansly.FanslyAdapter;
import io.massmessage.relay.provider.onlyfansapi.OnlyFansApiAdapter;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every status class and fault lands in the right outcome; every rate-limit dialect is read. */
class ResponseClassificationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-22T10:00:30Z");
    private static final OnlyFansApiAdapter OF = new OnlyFansApiAdapter(MAPPER);
    private static final FanslyAdapter FY = new FanslyAdapter(MAPPER);

    private static HttpReply reply(int status, String body, String... headers) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i].toLowerCase(Locale.ROOT), headers[i + 1]);
        }
        return new HttpReply(status, map, body);
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
            "400, rejected", "413, rejected", "422, rejected", "405, rejected",
            "401, unauthorized", "402, unauthorized", "403, unauthorized",
            "404, not_found", "409, not_editable", "410, not_editable", "424, account_unavailable",
            "301, unavailable"})
    void permanentStatusesFailWithTheirCategory(int status, ErrorCategory category) {
        ProviderResponse response = OF.interpret(reply(status, "{\"message\":\"nope\"}"), NOW);
        assertThat(response).isInstanceOfSatisfying(ProviderResponse.Rejected.class, r -> {
            assertThat(r.category()).isEqualTo(category);
            assertThat(r.detail()).isEqualTo("HTTP " + status + ": nope");
        });
    }

    @ParameterizedTest(name = "HTTP {0} is transient")
    @CsvSource({"500", "502", "503", "504", "408", "425"})
    void serverErrorsAndTimeoutsAreTransient(int status) {
        assertThat(OF.interpret(reply(status, ""), NOW)).isInstanceOf(ProviderResponse.Transient.class);
    }

    @Test
    void a400SayingTheMessageWasSentIsNotEditable() {
        var response = OF.interpret(reply(400, "{\"message\":\"Message already sent and cannot be edited.\"}"), NOW);
        assertThat(((ProviderResponse.Rejected) response).category()).isEqualTo(ErrorCategory.not_editable);
    }

    @Test
    void successReadsDataCreditsAndMetaRateLimits() {
        var response = OF.interpret(
                reply(200, "{\"data\":{\"id\":123},\"_meta\":{\"_credits\":{\"used\":1,\"balance\":99},"
                        + "\"_rate_limits\":{\"limit_minute\":1000,\"limit_day\":50000,\"remaining_minute\":998,\"remaining_day\":49942}}}"),
                NOW);
        assertThat(response).isInstanceOfSatisfying(ProviderResponse.Accepted.class, a -> {
            assertThat(a.message().get("id").asInt()).isEqualTo(123);
            assertThat(a.credits()).isEqualTo(new Credits(1L, 99L));
            assertThat(a.rateLimit()).isEqualTo(new RateLimitInfo(1000L, 998L, 50000L, 49942L, null, null));
        });
    }

    @Test
    void onlyFansApiHeadersWinOverTheBody() {
        var info = RateLimitHeaders
                .read(reply(200, "", "x-rate-limit-limit-minute", "600", "x-rate-limit-remaining-minute", "5",
                        "x-rate-limit-limit-day", "9000", "x-rate-limit-remaining-day", "8000"), null, NOW);
        assertThat(info).isEqualTo(new RateLimitInfo(600L, 5L, 9000L, 8000L, null, null));
    }

    @Test
    void fanslyHeadersGiveTheLimitAndTheWaitInSeconds() {
        var response = FY.interpret(reply(429, "{\"statusCode\":429,\"message\":\"Too Many Requests\"}",
                "X-RateLimit-Limit", "600", "X-RateLimit-Remaining", "0", "X-RateLimit-Retry-After", "12"), NOW);
        assertThat(response).isInstanceOfSatisfying(ProviderResponse.Throttled.class, t -> assertThat(t.rateLimit())
                .isEqualTo(new RateLimitInfo(600L, 0L, null, null, 12_000L, NOW.plusSeconds(12))));
    }

    @Test
    void standardRetryAfterInSecondsOrAsADate() {
        assertThat(RateLimitHeaders.read(reply(429, "", "Retry-After", "30"), null, NOW).retryAfterMs())
                .isEqualTo(30_000L);
        assertThat(RateLimitHeaders.read(reply(429, "", "Retry-After", "Sun, 22 Nov 2026 10:01:00 GMT"), null, NOW)
                .retryAfterMs()).isEqualTo(30_000L);
        assertThat(RateLimitHeaders.read(reply(429, "", "Retry-After", "soon"), null, NOW).retryAfterMs()).isNull();
    }

    @Test
    void fansMetric429WithoutRetryAfterIsThrottledWithoutAWait() {
        var response = OF.interpret(reply(429, "{\"error\":\"Rate limit exceeded\",\"_meta\":{\"_rate_limits\":"
                + "{\"limit_minute\":1000,\"remaining_minute\":0}}}"), NOW);
        assertThat(response).isInstanceOfSatisfying(ProviderResponse.Throttled.class, t -> {
            assertThat(t.rateLimit().retryAfterMs()).isNull();
            assertThat(t.rateLimit().remainingMinute()).isEqualTo(0L);
        });
    }

    @Test
    void fanslySuccessFalseInsideA2xxIsAFailure() {
        var response = FY
                .interpret(reply(201, "{\"statusCode\":201,\"message\":\"Success\",\"data\":{\"status_code\":200,"
                        + "\"data\":{\"success\":false,\"response\":\"message already sent\"}}}"), NOW);
        assertThat(response).isInstanceOfSatisfying(ProviderResponse.Rejected.class, r -> {
            assertThat(r.category()).isEqualTo(ErrorCategory.not_editable);
            assertThat(r.detail()).isEqualTo("HTTP 201: success: false (message already sent)");
        });
        var inner404 = FY.interpret(reply(200, "{\"statusCode\":200,\"data\":{\"status_code\":404,"
                + "\"data\":{\"success\":false,\"response\":\"not found\"}}}"), NOW);
        assertThat(((ProviderResponse.Rejected) inner404).category()).isEqualTo(ErrorCategory.not_found);
    }

    @Test
    void fanslySuccessIsAccepted() {
        var response = FY
                .interpret(reply(200, "{\"statusCode\":201,\"message\":\"Success\",\"data\":{\"status_code\":200,"
                        + "\"data\":{\"success\":true,\"response\":\"broadcast sent\"}}}"), NOW);
        assertThat(response).isInstanceOf(ProviderResponse.Accepted.class);
    }
}
