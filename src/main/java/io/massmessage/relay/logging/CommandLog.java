package io.massmessage.relay.logging;

import io.massmessage.relay.command.UpdateCommand;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import org.jboss.logging.MDC;

/**
 * Puts a command's identity in the MDC for the log lines written about it: {@code commandId},
 * {@code provider}, {@code account}, {@code messageId} and, when the command is traced,
 * {@code traceId}. Never the API key or the message text.
 */
public final class CommandLog {

    private static final String[] KEYS = {"commandId", "provider", "account", "messageId", "traceId"};

    private CommandLog() {}

    /** Runs {@code log} with the command's identity in the MDC, then removes it. */
    public static void with(UpdateCommand command, Context trace, Runnable log) {
        MDC.put("commandId", command.commandId());
        MDC.put("provider", command.provider());
        MDC.put("account", command.account());
        MDC.put("messageId", command.messageId());
        var span = Span.fromContext(trace).getSpanContext();
        if (span.isValid()) {
            MDC.put("traceId", span.getTraceId());
        }
        try {
            log.run();
        } finally {
            for (String key : KEYS) {
                MDC.remove(key);
            }
        }
    }
}
