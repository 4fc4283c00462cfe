package io.massmessage.relay.provider;

/**
 * The character classes of the providers' account and message ids, checked without a regular expression: a
 * {@code Matcher} per id allocates on every command. Each method says the pattern it stands for; {@code IdCharsTest} checks them against it.
 */
public final class IdChars {

    private IdChars() {}

    /** {@code [A-Za-z0-9_-]+}. */
    public static boolean isToken(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isAsciiAlphanumeric(c) && c != '_' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** {@code prefix[A-Za-z0-9]+}. */
    public static boolean isPrefixedAlphanumeric(String text, String prefix) {
        if (text.length() <= prefix.length() || !text.startsWith(prefix)) {
            return false;
        }
        for (int i = prefix.length(); i < text.length(); i++) {
            if (!isAsciiAlphanumeric(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@code [0-9]{1,max}}. */
    public static boolean isDigits(String text, int max) {
        if (text.isEmpty() || text.length() > max) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiAlphanumeric(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
