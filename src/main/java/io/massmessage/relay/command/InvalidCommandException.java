package io.massmessage.relay.command;

import java.util.List;

/**
 * Why a command payload was refused. Its message becomes the dead letter's {@code dead-letter-reason}
 * header (at most {@value #MAX_REASON_CHARS} characters: the problems that fit, then "… and N more
 * problems"); its kind the {@code dead-letter-cause} header.
 */
public final class InvalidCommandException extends RuntimeException {

    /** Longest reason, in characters: the cap of {@code dead-letter-reason}, log lines and span status. */
    public static final int MAX_REASON_CHARS = 4096;

    private final List<String> problems;
    private final Kind kind;

    /** A refusal with one problem. */
    public InvalidCommandException(Kind kind, String problem) {
        this(kind, List.of(problem), 1);
    }

    /** A refusal with the problems collected. */
    public InvalidCommandException(Kind kind, Problems problems) {
        this(kind, problems.list(), problems.total());
    }

    private InvalidCommandException(Kind kind, List<String> problems, int total) {
        super(reason(problems, total), null, false, false);
        this.problems = List.copyOf(problems);
        this.kind = kind;
    }

    /** The problems kept (every problem, up to {@link Problems#MAX_KEPT}), each naming the field and what is wrong with it. */
    List<String> problems() {
        return problems;
    }

    /** The class of problem, short and stable, for dashboards and routing. */
    public Kind kind() {
        return kind;
    }

    /** Classes of invalid payloads. */
    public enum Kind {
        /** Larger than the configured maximum. */
        too_large,
        /** Not JSON at all, not strict JSON (duplicate keys, trailing tokens, bad UTF-8, over a parser limit), or not a JSON object. */
        malformed,
        /** JSON object that breaks the command schema or a provider's documented rules. */
        invalid
    }

    static String reason(List<String> problems, int total) {
        StringBuilder reason = new StringBuilder();
        int shown = 0;
        for (String problem : problems) {
            String next = (shown == 0 ? "" : "; ") + problem;
            // room for the tail that counts the rest
            if (reason.length() + next.length() > MAX_REASON_CHARS - 40) {
                break;
            }
            reason.append(next);
            shown++;
        }
        if (shown == 0 && !problems.isEmpty()) {
            reason.append(problems.get(0), 0, Math.min(problems.get(0).length(), MAX_REASON_CHARS - 41)).append('…');
            shown = 1;
        }
        if (total > shown) {
            reason.append(" … and ").append(total - shown)
                    .append(total - shown == 1 ? " more problem" : " more problems");
        }
        return reason.toString();
    }
}
