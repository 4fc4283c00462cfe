package io.massmessage.relay.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds command JSON for tests. */
public final class Commands {

    private Commands() {}

    /** When {@link #command(String, String, String, String, String)}'s commands are issued. */
    public static final Instant ISSUED_AT = Instant.parse("2026-11-22T10:00:00Z");

    /** A command with the given update object (JSON text), issued at {@link #ISSUED_AT}. */
    public static String command(String commandId, String provider, String account, String messageId,
            String updateJson) {
        return command(commandId, provider, account, messageId, ISSUED_AT, updateJson);
    }

    /** A command with the given update object (JSON text), issued at {@code issuedAt}. */
    public static String command(String commandId, String provider, String account, String messageId,
            Instant issuedAt, String updateJson) {
        return "{\"commandId\":\"" + commandId + "\",\"provider\":\"" + provider + "\",\"account\":\"" + account
                + "\",\"messageId\":\"" + messageId + "\",\"issuedAt\":\"" + issuedAt + "\",\"update\":"
                + updateJson + "}";
    }

    /**
     * {@code count} OnlyFansAPI commands over {@code messages} messages of 20 accounts, keyed by
     * account; command i of message m sets the text {@code seq-<i / messages>}, so a message's last
     * applied text shows whether its order held.
     */
    public static List<Map.Entry<String, String>> sequencedLoad(String prefix, int count, int messages) {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int m = i % messages;
            String account = "acct_" + prefix + (m % 20);
            records.add(Map.entry(key("onlyfansapi", account),
                    command(prefix + "-" + i, "onlyfansapi", account, "m" + m,
                            "{\"text\":\"seq-" + (i / messages) + "\"}")));
        }
        return records;
    }

    /** The usual record key: {@code provider:account}. */
    public static String key(String provider, String account) {
        return provider + ":" + account;
    }
}
