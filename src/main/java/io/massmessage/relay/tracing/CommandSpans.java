package io.massmessage.relay.tracing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One span per command: a CONSUMER span "{topic} process" that continues the command record's
 * {@code traceparent} and lasts until the command's outcome is on its topic (or it is
 * dead-lettered, or handed back at a rebalance). The provider call is its child
 * ({@code ProviderClient}), and the outcome record carries its {@code traceparent}
 * ({@link #inject}), so the CRM's trace runs through the relay to the provider and back.
 *
 * <p>The relay makes this span itself instead of the Kafka connector's receive span per command
 * record and send span per outcome record ({@code tracing-enabled=false} on those channels): one
 * span instead of two, at a fraction of their cost on the event loop.
 */
@Singleton
public final class CommandSpans {

    private static final TextMapGetter<Headers> KAFKA_HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            headers.forEach(header -> keys.add(header.key()));
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            if (headers == null) {
                return null;
            }
            Header header = headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    // the attributes' keys made once: a key by name is made anew at each call, recorded span or not
    private static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    private static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    private static final AttributeKey<String> PARTITION = AttributeKey.stringKey("messaging.destination.partition.id");
    private static final AttributeKey<Long> OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("relay.outcome");
    private static final AttributeKey<String> CATEGORY = AttributeKey.stringKey("relay.category");
    private static final AttributeKey<String> DEAD_LETTER = AttributeKey.stringKey("relay.dead_letter");
    private static final AttributeKey<Boolean> ALREADY_ANSWERED = AttributeKey.booleanKey("relay.already_answered");
    private static final AttributeKey<Boolean> HANDED_BACK = AttributeKey.booleanKey("relay.handed_back");

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final Map<String, String> spanNames = new ConcurrentHashMap<>();

    @Inject
    public CommandSpans(OpenTelemetry otel) {
        this.tracer = otel.getTracer("io.massmessage.relay");
        this.propagator = otel.getPropagators().getTextMapPropagator();
    }

    /**
     * Starts the span of the command read from {@code topic}/{@code partition} at {@code offset}, under the record's
     * traceparent. Its attributes are set once it is started, and only if it is recorded: most commands' spans are
     * not (the sampler), and the sampler does not look at attributes.
     */
    public CommandSpan start(String topic, int partition, long offset, Headers headers) {
        Context parent = propagator.extract(Context.root(), headers, KAFKA_HEADERS);
        Span span = tracer.spanBuilder(spanNames.computeIfAbsent(topic, name -> name + " process"))
                .setParent(parent)
                .setSpanKind(SpanKind.CONSUMER)
                .startSpan();
        if (span.isRecording()) {
            span.setAttribute(MESSAGING_SYSTEM, "kafka");
            span.setAttribute(OPERATION, "process");
            span.setAttribute(DESTINATION, topic);
            span.setAttribute(PARTITION, String.valueOf(partition));
            span.setAttribute(OFFSET, offset);
        }
        return new CommandSpan(span, parent.with(span));
    }

    /** Writes {@code trace}'s {@code traceparent} (and {@code tracestate}) into an outgoing record's headers. */
    public void inject(Context trace, Headers headers) {
        propagator.inject(trace, headers,
                (carrier, key, value) -> carrier.add(key, value.getBytes(StandardCharsets.UTF_8)));
    }

    /** A command's span and the context its work runs under. */
    public record CommandSpan(Span span, Context context) {

        /**
         * Ends the span with the command's outcome, by its name on the wire, and the category of a failure (null for
         * the others); the provider call's status is on the child span.
         */
        public void ended(String outcome, String category) {
            span.setAttribute(OUTCOME, outcome);
            if (category != null) {
                span.setAttribute(CATEGORY, category);
            }
            span.end();
        }

        /** Ends the span of a record sent to the dead-letter topic. */
        public void deadLettered(String kind, String reason) {
            span.setAttribute(DEAD_LETTER, kind);
            span.setStatus(StatusCode.ERROR, reason);
            span.end();
        }

        /** Ends the span of a replayed record that an earlier owner had already answered. */
        public void alreadyAnswered() {
            span.setAttribute(ALREADY_ANSWERED, true);
            span.end();
        }

        /** Ends the span of a command handed back at a rebalance, for the partition's next owner. */
        public void handedBack() {
            span.setAttribute(HANDED_BACK, true);
            span.end();
        }
    }
}
