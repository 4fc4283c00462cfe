package io.massmessage.relay.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Rfc3339} writes what {@link Instant#toString()} and the JSR-310 module write, on seeded random instants. */
class Rfc3339Test {

    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z. */
    private static final long FIRST = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    private static final long END = Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond();

    @Test
    void writesWhatInstantToStringWritesOnRandomInstants() {
        Random random = new Random(20261203L);
        int[] shapes = new int[4];
        for (int n = 0; n < 300_000; n++) {
            Instant instant = randomInstant(random, n);
            String expected = instant.toString();
            assertThat(Rfc3339.text(instant)).as("%s", expected).isEqualTo(expected);
            assertThat(Rfc3339.utf8(instant)).as("%s", expected)
                    .isEqualTo(expected.getBytes(StandardCharsets.US_ASCII));
            shapes[expected.length() == 20 ? 0 : expected.length() == 24 ? 1 : expected.length() == 27 ? 2 : 3]++;
        }
        // whole seconds, and fractions of three, six and nine digits, all reached
        assertThat(java.util.Arrays.stream(shapes).min().orElseThrow()).isGreaterThan(10_000);
    }

    @Test
    void edgesOfTheFastPathAndBeyondIt() {
        for (String text : new String[]{"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z", "2000-02-29T12:00:00.000001Z",
                "2100-03-01T00:00:00.100Z", "1600-02-29T23:59:00Z", "0001-01-01T00:00:01Z"}) {
            assertThat(Rfc3339.text(Instant.parse(text))).isEqualTo(text);
        }
        char[] chars = new char[Rfc3339.MAX_CHARS];
        assertThat(Rfc3339.write(Instant.ofEpochSecond(FIRST - 1), chars)).isEqualTo(-1);
        assertThat(Rfc3339.write(Instant.ofEpochSecond(END), chars)).isEqualTo(-1);
        for (Instant far : new Instant[]{Instant.MIN, Instant.MAX, Instant.ofEpochSecond(FIRST - 1, 5),
                Instant.ofEpochSecond(END, 120_000_000)}) {
            assertThat(Rfc3339.text(far)).isEqualTo(far.toString());
            assertThat(new String(Rfc3339.utf8(far), StandardCharsets.US_ASCII)).isEqualTo(far.toString());
        }
    }

    @Test
    void theSerializerWritesWhatTheJavaTimeModuleWrites() throws Exception {
        ObjectMapper module = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        ObjectMapper fast = module.copy()
                .registerModule(
                        new SimpleModule("test-rfc3339").addSerializer(Instant.class, new Rfc3339.Serializer()));
        Random random = new Random(7L);
        for (int n = 0; n < 20_000; n++) {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("occurredAt", randomInstant(random, n));
            event.put("issuedAt", randomInstant(random, n + 1));
            event.put("far", n % 100 == 0 ? Instant.MAX : Instant.EPOCH);
            assertThat(fast.writeValueAsString(event)).isEqualTo(module.writeValueAsString(event));
        }
    }

    /** In 0000-9999, with whole seconds or a fraction of each length about equally often. */
    private static Instant randomInstant(Random random, int n) {
        long seconds = FIRST + (long) (random.nextDouble() * (END - FIRST));
        int nanos = switch (n % 4) {
            case 0 -> 0;
            case 1 -> (1 + random.nextInt(999)) * 1_000_000;
            case 2 -> (1 + random.nextInt(999_999)) * 1000;
            default -> 1 + random.nextInt(999_999_999);
        };
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
