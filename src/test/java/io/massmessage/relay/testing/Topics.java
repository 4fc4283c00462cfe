package io.massmessage.relay.testing;

/** The default topic names of CONTRACT §1, as the tests expect them. */
public final class Topics {
    public static final String COMMANDS = "mass-message.update.commands";
    public static final String SUCCEEDED = "mass-message.update.succeeded";
    public static final String FAILED = "mass-message.update.failed";
    public static final String RATE_LIMITED = "mass-message.update.rate-limited";
    public static final String DEAD_LETTER = "mass-message.update.dead-letter";

    private Topics() {}
}
