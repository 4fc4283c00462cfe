package io.massmessage.relay.config;

/**
 * The connector's channel names, shared by the code, the configuration and the tests. Its topic is set in
 * {@code mp.messaging.*}; outcomes are written by the relay's own producer ({@code outcome.OutcomeSender}), their
 * topics under {@code relay.topics.*}.
 */
public final class Channels {

    /** Incoming commands. */
    public static final String COMMANDS = "commands";

    private Channels() {}
}
