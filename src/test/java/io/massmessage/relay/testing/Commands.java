package io.massmessage.relay.testing;

/** Builds command JSON for tests. */
public final class Commands {

    private Commands() {}

    /** A command with the given update object (JSON text). */
    public static String command(String commandId, String provider, String account, String messageId, String updateJson) {
        return "{\"commandId\":\"" + commandId + "\",\"provider\":\"" + provider + "\",\"account\":\"" + account
                + "\",\"messageId\":\"" + messageId + "\",\"issuedAt\":\"2026-11-22T10:00:00Z\",\"update\":" + updateJson + "}";
    }

    /** The usual record key: {@code provider:account}. */
    public static String key(String provider, String account) {
        return provider + ":" + account;
    }
}
