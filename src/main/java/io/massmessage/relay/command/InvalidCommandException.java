package io.massmessage.relay.command;

import java.util.List;

/**
 * Why a command payload was refused. Its message becomes the dead letter's
 * {@code dead-letter-reason} header; its cause's message the {@code dead-letter-cause} header.
 */
public final class InvalidCommandException extends RuntimeException {

    private final List<String> problems;

    public InvalidCommandException(Kind kind, List<String> problems) {
        super(String.join("; ", problems), new KindMarker(kind));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, each naming the field and what is wrong with it. */
    public List<String> problems() {
        return problems;
    }

    /** The class of problem, short and stable, for dashboards and routing. */
    public Kind kind() {
        return ((KindMarker) getCause()).kind;
    }

    /** Classes of invalid payloads. */
    public enum Kind {
        /** Larger than the configured maximum. */
        too_large,
        /** Not JSON at all, or not a JSON object. */
        malformed,
        /** JSON object that breaks the command schema or a provider's documented rules. */
        invalid
    }

    /** Carries the kind as the cause so the connector writes it to {@code dead-letter-cause}. */
    private static final class KindMarker extends RuntimeException {
        private final Kind kind;

        KindMarker(Kind kind) {
            super(kind.name(), null, false, false);
            this.kind = kind;
        }
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this; // refused input is not a program fault; a stack trace would be noise
    }
}
