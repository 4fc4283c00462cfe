package io.massmessage.relay.command;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems found in one payload, each as "{field}: {what is wrong}". Bounded whatever the
 * payload: it keeps the first {@value #MAX_KEPT} problems and counts the rest, and a field name or a
 * quoted value is cut and has its control characters escaped ({@link #quote}), so a reason never copies
 * unbounded input nor breaks a log line or a header.
 */
public final class Problems {

    /** Problems kept word for word; later ones are only counted. */
    public static final int MAX_KEPT = 50;
    /** Longest field name kept in a problem. */
    static final int MAX_FIELD_CHARS = 80;
    /** Longest value quoted in a problem. */
    static final int MAX_QUOTED_CHARS = 40;

    private final List<String> list = new ArrayList<>();
    private int total;

    /** Records that {@code field} is wrong, for the given reason. */
    public void add(String field, String reason) {
        total++;
        if (list.size() < MAX_KEPT) {
            list.add(clean(field, MAX_FIELD_CHARS) + ": " + reason);
        }
    }

    public boolean isEmpty() {
        return total == 0;
    }

    /** How many problems were found, kept or not. */
    public int total() {
        return total;
    }

    /** The problems kept, in the order found. */
    public List<String> list() {
        return List.copyOf(list);
    }

    /**
     * A value from the payload as it may appear in a reason: in double quotes, at most
     * {@value #MAX_QUOTED_CHARS} characters (then "…"), control and format characters as {@code \\uXXXX}.
     */
    public static String quote(String value) {
        return "\"" + clean(value, MAX_QUOTED_CHARS) + "\"";
    }

    /** {@code text} cut to {@code max} characters, with control, format and unpaired surrogate characters escaped. */
    static String clean(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        int n = Math.min(text.length(), max);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR || Character.isSurrogate(c) || c == '"' || c == '\\') {
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else {
                    out.append(String.format("\\u%04x", (int) c));
                }
            } else {
                out.append(c);
            }
        }
        if (text.length() > max) {
            out.append('…');
        }
        return out.toString();
    }
}
