package io.massmessage.relay.config;

/** Channel names, shared by the code, the configuration and the tests. Topics are set per channel in {@code mp.messaging.*}. */
public final class Channels {

    /** Incoming commands. */
    public static final String COMMANDS = "commands";
    /** Outcome events of applied updates. */
    public static final String SUCCEEDED = "succeeded";
    /** Outcome events of failed updates. */
    public static final String FAILED = "failed";
    /** Outcome events of updates refused for rate limits. */
    public static final String RATE_LIMITED = "rate-limited";
    /** The stale guard's records of applied updates (its topic is {@code relay.stale-guard.topic}). */
    public static final String APPLIED_UPDATES = "applied-updates";

    private Channels() {}
}
