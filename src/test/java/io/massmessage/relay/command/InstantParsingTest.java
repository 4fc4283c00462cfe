package io.massmessage.relay.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The direct read of the usual UTC form agrees with {@link OffsetDateTime#parse} on every input, valid or not. */
class InstantParsingTest {

    /** The formatter's answer: the instant, or null when it refuses. */
    private static Instant reference(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static Instant fast(String text) {
        try {
            return JsonFields.parseInstant(text);
        } catch (DateTimeException e) {
            return null;
        }
    }

    @Test
    void agreesWithTheFormatterOnHandPickedCases() {
        List<String> cases = List.of("2026-12-01T15:00:00Z", "2026-12-01T15:00:00.5Z", "2026-12-01T15:00:00.123456789Z",
                "2026-12-01T15:00:00.1234567891Z", "2026-12-01T15:00:00.Z", "2026-02-29T00:00:00Z",
                "2028-02-29T00:00:00Z",
                "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-12-00T00:00:00Z",
                "2026-12-01T24:00:00Z", "2026-12-01T23:60:00Z", "2026-12-01T23:59:60Z", "2026-12-01T15:00Z",
                "2026-12-01T15:00:00+01:00", "2026-12-01T15:00:00z", "2026-12-01 15:00:00Z", "2026-1a-01T15:00:00Z",
                "+2026-12-01T15:00:00Z", "-002-12-01T15:00:00Z", "2026-12-01T15:00:00.-1Z", "2026-12-01T15:00:00Z ",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2026-12-01T15:00:00.12345678Z");
        for (String text : cases) {
            assertThat(fast(text)).as(text).isEqualTo(reference(text));
        }
        assertThat(fast("2026-12-01T15:00:00.5Z")).isEqualTo(Instant.parse("2026-12-01T15:00:00.500Z"));
    }

    @Test
    void agreesWithTheFormatterOnRandomMutationsOfTheUsualForm() {
        Random random = new Random(42);
        String alphabet = "0123456789-:.TZz+ 9";
        List<String> disagreements = new ArrayList<>();
        int valid = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder(
                    String.format("%04d-%02d-%02dT%02d:%02d:%02d", random.nextInt(10_000),
                            random.nextInt(14), random.nextInt(33), random.nextInt(26), random.nextInt(62),
                            random.nextInt(62)));
            if (random.nextBoolean()) {
                text.append('.').append(String.valueOf(Math.abs(random.nextLong())), 0, 1 + random.nextInt(10));
            }
            text.append('Z');
            for (int m = random.nextInt(3); m > 0; m--) {
                text.setCharAt(random.nextInt(text.length()), alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = text.toString();
            Instant expected = reference(s);
            if (expected != null) {
                valid++;
            }
            if (!Objects.equals(fast(s), expected)) {
                disagreements.add(s);
            }
        }
        assertThat(disagreements).isEmpty();
        assertThat(valid).as("the sample holds valid date-times too").isGreaterThan(5_000);
    }
}
