package io.massmessage.relay.command;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * An instant as RFC 3339 text in UTC, exactly as {@link Instant#toString()} writes it (seconds always, the fraction
 * in groups of three digits as needed, {@code Z}), written into a small array instead of through
 * {@code DateTimeFormatter}, which builds a {@code LocalDateTime}, its strings and two string builders per call, for
 * every outcome event's times and {@code ce_time} header. Years outside 0000-9999 are left to {@link Instant#toString()}.
 */
public final class Rfc3339 {

    /** The longest text of the fast path: {@code 2026-12-03T19:13:47.123456789Z}. */
    static final int MAX_CHARS = 30;

    private static final long SECONDS_PER_DAY = 86_400;
    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z, as seconds since the epoch. */
    private static final long FIRST = -62_167_219_200L;
    private static final long END = 253_402_300_800L;

    private Rfc3339() {}

    /** {@code instant} as {@link Instant#toString()} writes it. */
    public static String text(Instant instant) {
        char[] chars = new char[MAX_CHARS];
        int length = write(instant, chars);
        return length < 0 ? instant.toString() : new String(chars, 0, length);
    }

    /** {@code instant}'s text as UTF-8 (it is ASCII), for a record header. */
    public static byte[] utf8(Instant instant) {
        char[] chars = new char[MAX_CHARS];
        int length = write(instant, chars);
        if (length < 0) {
            return instant.toString().getBytes(StandardCharsets.US_ASCII);
        }
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) chars[i];
        }
        return bytes;
    }

    /**
     * Writes {@code instant}'s text into {@code into} (at least {@value #MAX_CHARS} long) from its start and returns
     * its length, or -1 for a year outside 0000-9999 (nothing usable written).
     */
    static int write(Instant instant, char[] into) {
        long seconds = instant.getEpochSecond();
        if (seconds < FIRST || seconds >= END) {
            return -1;
        }
        long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
        int ofDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
        // civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted), proleptic Gregorian
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        int dayOfEra = (int) (z - era * 146_097);
        int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int shiftedMonth = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
        int month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        digits(into, 0, year, 4);
        into[4] = '-';
        digits(into, 5, month, 2);
        into[7] = '-';
        digits(into, 8, day, 2);
        into[10] = 'T';
        digits(into, 11, ofDay / 3600, 2);
        into[13] = ':';
        digits(into, 14, ofDay / 60 % 60, 2);
        into[16] = ':';
        digits(into, 17, ofDay % 60, 2);
        int at = 19;
        int nanos = instant.getNano();
        if (nanos != 0) {
            into[at++] = '.';
            if (nanos % 1_000_000 == 0) {
                digits(into, at, nanos / 1_000_000, 3);
                at += 3;
            } else if (nanos % 1000 == 0) {
                digits(into, at, nanos / 1000, 6);
                at += 6;
            } else {
                digits(into, at, nanos, 9);
                at += 9;
            }
        }
        into[at++] = 'Z';
        return at;
    }

    /** {@code value}'s last {@code count} decimal digits, zero-padded, at {@code from}. */
    private static void digits(char[] into, int from, int value, int count) {
        for (int i = from + count - 1; i >= from; i--) {
            into[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Jackson's serializer for {@link Instant} with this text: what the JSR-310 module writes with dates as text
     * ({@code WRITE_DATES_AS_TIMESTAMPS} off, as the relay's mapper has it), with no string made in between.
     */
    public static final class Serializer extends StdSerializer<Instant> {
        private static final long serialVersionUID = 1L;

        public Serializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator generator, SerializerProvider provider) throws IOException {
            char[] chars = new char[MAX_CHARS];
            int length = write(value, chars);
            if (length < 0) {
                generator.writeString(value.toString());
            } else {
                generator.writeString(chars, 0, length);
            }
        }
    }
}
