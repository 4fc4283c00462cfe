package io.massmessage.relay.logging;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;

/**
 * One JSON object per log record, one record per line: {@code timestamp} (UTC, ISO-8601),
 * {@code level}, {@code loggerName}, {@code threadName}, {@code message}, {@code mdc} and, for a
 * failure, {@code exception} (the stack trace as text). Written with Jackson, which the application
 * class loader has; JBoss LogManager's own JsonFormatter needs jakarta.json on the boot class path,
 * which the packaged service does not have.
 */
public final class JsonLineFormatter extends ExtFormatter {

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String format(ExtLogRecord record) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("timestamp", Instant.ofEpochMilli(record.getMillis()).toString());
            json.writeStringField("level", record.getLevel().getName());
            json.writeStringField("loggerName", record.getLoggerName());
            json.writeStringField("threadName", record.getThreadName());
            json.writeStringField("message", formatMessage(record));
            Map<String, String> mdc = new TreeMap<>(record.getMdcCopy());
            if (!mdc.isEmpty()) {
                json.writeObjectFieldStart("mdc");
                for (var entry : mdc.entrySet()) {
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
            }
            if (record.getThrown() != null) {
                StringWriter trace = new StringWriter();
                record.getThrown().printStackTrace(new PrintWriter(trace));
                json.writeStringField("exception", trace.toString());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append(System.lineSeparator()).toString();
    }
}
