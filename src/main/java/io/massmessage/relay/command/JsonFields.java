package io.massmessage.relay.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Typed reads of one JSON object's fields that record a problem, instead of throwing, when a
 * field is missing or of the wrong type. Field names in problems carry the object's path.
 */
final class JsonFields {

    /** Numbers at or above this magnitude are refused (prices are dollars). */
    static final BigDecimal MAX_NUMBER = new BigDecimal("1000000000000");
    /** Most decimal places a number may have. */
    static final int MAX_DECIMALS = 12;

    private final ObjectNode node;
    private final String path;
    private final Problems problems;

    JsonFields(ObjectNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    String name(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    /** Flags every field not in {@code known}. */
    void rejectUnknown(Collection<String> known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String field = names.next();
            if (!known.contains(field)) {
                problems.add(name(field), "unknown field");
            }
        }
    }

    String requiredString(String field, int maxLength) {
        if (!has(field)) {
            problems.add(name(field), "is required");
            return null;
        }
        return string(field, maxLength);
    }

    /** A non-blank string of at most {@code maxLength} characters. */
    String string(String field, int maxLength) {
        String text = text(field);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            problems.add(name(field), "must not be blank");
            return null;
        }
        if (text.length() > maxLength) {
            problems.add(name(field), "must be at most " + maxLength + " characters, got " + text.length());
            return null;
        }
        return text;
    }

    /** Any string, blank included. */
    String text(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            problems.add(name(field), "must be a string, got " + describe(value));
            return null;
        }
        return value.textValue();
    }

    Boolean bool(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            problems.add(name(field), "must be true or false, got " + describe(value));
            return null;
        }
        return value.booleanValue();
    }

    BigDecimal number(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            problems.add(name(field), "must be a number, got " + describe(value));
            return null;
        }
        BigDecimal number = value.decimalValue();
        // bounds first: 1e999999999 is a legal JSON number whose plain form has a billion digits
        if (number.abs().compareTo(MAX_NUMBER) >= 0) {
            problems.add(name(field), "must be less than " + MAX_NUMBER.toPlainString() + " in magnitude");
            return null;
        }
        if (number.scale() > MAX_DECIMALS) {
            number = number.stripTrailingZeros();
            if (number.scale() > MAX_DECIMALS) {
                problems.add(name(field), "must have at most " + MAX_DECIMALS + " decimal places");
                return null;
            }
        }
        if (number.signum() < 0) {
            problems.add(name(field), "must not be negative, got " + number.toPlainString());
            return null;
        }
        return number;
    }

    List<String> stringList(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            problems.add(name(field), "must be an array of strings, got " + describe(value));
            return null;
        }
        List<String> items = new ArrayList<>(value.size());
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual() || item.textValue().isBlank()) {
                problems.add(name(field) + "[" + i + "]", "must be a non-blank string, got " + describe(item));
                return null;
            }
            items.add(item.textValue());
        }
        return List.copyOf(items);
    }

    Instant instant(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            problems.add(name(field), "must be an ISO-8601 date-time string, got " + describe(value));
            return null;
        }
        try {
            return parseInstant(value.textValue());
        } catch (DateTimeException e) {
            problems.add(name(field), "must be an ISO-8601 date-time with offset (e.g. 2026-12-01T15:00:00Z), got "
                    + Problems.quote(value.textValue()));
            return null;
        }
    }

    /**
     * An ISO-8601 date-time with offset, as {@link OffsetDateTime#parse} reads it. The usual UTC form
     * ({@code 2026-12-01T15:00:00Z}, optionally with a fraction) is read directly: the formatter's
     * general parse is costly on the event loop. Anything else goes to the formatter.
     *
     * @throws DateTimeException when it is not a valid date-time with offset
     */
    static Instant parseInstant(String text) {
        int n = text.length();
        if (n >= 20 && n <= 30 && text.charAt(n - 1) == 'Z' && text.charAt(4) == '-' && text.charAt(7) == '-'
                && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':'
                && (n == 20 || text.charAt(19) == '.' && n > 21)) {
            int year = digits(text, 0, 4);
            int month = digits(text, 5, 7);
            int day = digits(text, 8, 10);
            int hour = digits(text, 11, 13);
            int minute = digits(text, 14, 16);
            int second = digits(text, 17, 19);
            int nanos = 0;
            if (n > 20) {
                nanos = digits(text, 20, n - 1);
                for (int i = n - 1 - 20; i < 9; i++) {
                    nanos *= 10;
                }
            }
            if (year >= 0 && month >= 0 && day >= 0 && hour >= 0 && minute >= 0 && second >= 0 && nanos >= 0) {
                // LocalDateTime.of checks the ranges (month 1-12, the month's days, hour < 24, ...) as the formatter does
                return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
            }
        }
        return OffsetDateTime.parse(text).toInstant();
    }

    /** The decimal number in {@code text[from, to)}, or -1 if any of it is not an ASCII digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    ObjectNode object(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            problems.add(name(field), "must be an object, got " + describe(value));
            return null;
        }
        return (ObjectNode) value;
    }

    static String describe(JsonNode value) {
        JsonNodeType type = value.getNodeType();
        return switch (type) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            case NULL -> "null";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }
}
