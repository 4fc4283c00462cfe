package io.massmessage.relay.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Waits from providers are clamped: nothing negative, infinite or absurd closes a key for longer than a day. */
class RateLimitHeadersTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    private static Long retryAfterMs(String name, String value) {
        return RateLimitHeaders.read(new HttpReply(429, Map.of(name, value), ""), null, NOW).retryAfterMs();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
            "retry-after, 30, 30000",
            "retry-after, 1.5, 1500",
            "retry-after, -5, ",
            "retry-after, abc, ",
            "retry-after, Infinity, ",
            "retry-after, NaN, ",
            "retry-after, 1e16, 86400000",
            "retry-after, 315360000, 86400000",
            "x-ratelimit-retry-after, 9223372036854775807, 86400000",
            "x-ratelimit-retry-after, -Infinity, "})
    void clampsWaits(String header, String value, Long expected) {
        assertThat(retryAfterMs(header, value)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1, 1000", "-60, 0", "3650, 86400000"})
    void clampsHttpDates(long secondsAhead, long expected) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME
                .format(NOW.plusSeconds(secondsAhead * (secondsAhead == 3650 ? 86_400 : 1))
                        .atZone(ZoneOffset.UTC));
        assertThat(retryAfterMs("retry-after", date)).isEqualTo(expected);
    }
}
