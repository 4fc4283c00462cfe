package io.massmessage.relay.flow;

/**
 * Where one command is: waiting by design (behind an earlier command of its message, for an open breaker,
 * for its key's rate budget, in a retry's backoff, for the broker to take its outcome) or working (a stage
 * with its own time bound: validation, building and sending its request, reading the answer).
 */
public interface Progress {

    /** The command waits by design, for as long as it takes. */
    void waiting();

    /** The command entered a stage that ends by itself, soon. */
    void working();

    /** For commands nobody watches (tests, tools). */
    Progress NONE = new Progress() {
        @Override
        public void waiting() {}

        @Override
        public void working() {}
    };
}
