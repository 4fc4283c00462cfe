package io.massmessage.bench;

import java.util.List;

/** The contract's default topics, and the relay's two state topics, which a run starts without. */
final class Topics {
    static final String COMMANDS = "mass-message.update.commands";
    static final String SUCCEEDED = "mass-message.update.succeeded";
    static final String FAILED = "mass-message.update.failed";
    static final String RATE_LIMITED = "mass-message.update.rate-limited";
    static final String DEAD_LETTER = "mass-message.update.dead-letter";
    static final List<String> OUTCOMES = List.of(SUCCEEDED, FAILED, RATE_LIMITED);
    static final List<String> STATE = List.of("mass-message.relay.applied-updates",
            "mass-message.relay.answered-commands");

    private Topics() {
    }
}
