package io.massmessage.relay.logging;

import io.massmessage.relay.config.RelayConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.logging.Handler;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.handlers.ConsoleHandler;

/**
 * JSON console logs in production ({@code relay.log-format=json}, the default), readable text in
 * tests and the local run ({@code text}). One JSON object per line ({@link JsonLineFormatter}), with
 * the MDC ({@code commandId}, {@code provider}, {@code account},
 * {@code messageId}, {@code traceId} on lines about a command) as an {@code mdc} object.
 *
 * <p>Quarkus's {@code quarkus-logging-json} extension would be the kept way, but its deployment
 * artifact is not served for Quarkus 3.36 here; so the formatter is set on the console handler when
 * the application starts (the few start-up lines before that are text).
 */
@ApplicationScoped
public class ConsoleLogFormat {

    /** The formatter production uses; tests format captured records with it. */
    public static JsonLineFormatter jsonFormatter() {
        return new JsonLineFormatter();
    }

    void apply(@Observes @Priority(1) StartupEvent event, RelayConfig config) {
        if (config.logFormat() != RelayConfig.LogFormat.json) {
            return;
        }
        for (Handler handler : LogContext.getLogContext().getLogger("").getHandlers()) {
            useJson(handler);
        }
    }

    private static void useJson(Handler handler) {
        if (handler instanceof ConsoleHandler console) {
            console.setFormatter(jsonFormatter());
        }
        if (handler instanceof ExtHandler ext) {
            for (Handler child : ext.getHandlers()) {
                useJson(child);
            }
        }
    }
}
