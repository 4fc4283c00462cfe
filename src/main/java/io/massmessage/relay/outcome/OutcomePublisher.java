package io.massmessage.relay.outcome;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.massmessage.relay.command.Rfc3339;
import io.massmessage.relay.config.RelayConfig;
import io.massmessage.relay.tracing.CommandSpans;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jboss.logging.Logger;

/**
 * Publishes outcome events, as JSON written here with Jackson, to the topic of their outcome, keyed
 * {@code {provider}:{account}:{messageId}}. The returned Uni completes once the broker has
 * acknowledged the record (acks=all), so a command's offset is committed only after its outcome is safe.
 *
 * <p>Each record is also a CloudEvent in the Kafka binary mode: the body stays the JSON of CONTRACT §3,
 * and the publisher writes {@code ce_specversion}, {@code ce_id}, {@code ce_type}, {@code ce_source},
 * {@code ce_subject}, {@code ce_time} and {@code content-type} headers. {@code ce_type} is
 * {@value #TYPE_PREFIX}{@code <outcome>}, {@code ce_source} is {@code relay.cloud-events-source};
 * {@code ce_id} is the command's id, so a replayed command's outcome carries the same id and
 * CloudEvents consumers can drop the duplicate; {@code ce_subject} is the record key.
 */
@Singleton
public final class OutcomePublisher {

    private static final Logger LOG = Logger.getLogger(OutcomePublisher.class);

    /** The CloudEvents type of an outcome record, followed by the outcome's name. */
    public static final String TYPE_PREFIX = "io.massmessage.relay.update.";

    private final OutcomeSender sender;
    private final Destination succeeded;
    private final Destination failed;
    private final Destination rateLimited;
    private final byte[] sourceHeader;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final CommandSpans spans;
    private final Backoff backoff;

    public OutcomePublisher(OutcomeSender sender, ObjectMapper mapper, Clock clock, RelayConfig config,
            CommandSpans spans) {
        this.sender = sender;
        this.spans = spans;
        this.succeeded = new Destination(config.topics().succeeded(), "succeeded");
        this.failed = new Destination(config.topics().failed(), "failed");
        this.rateLimited = new Destination(config.topics().rateLimited(), "rate_limited");
        this.mapper = mapper;
        this.clock = clock;
        this.sourceHeader = utf8(URI.create(config.cloudEventsSource()).toString());
        this.backoff = new Backoff(config.publishRetry());
    }

    /**
     * Publishes the outcome as part of the command's trace (the record carries the {@code traceparent}
     * of the command's span, {@link CommandSpans}) and names the command record it answers
     * ({@code origin}, see {@link Origin}); completes, with where the record is, when the broker has it. A record
     * the broker did not take is sent again with backoff ({@code relay.publish-retry.*}) while {@code keepTrying}
     * says so; one it can never take (too large for the topic) fails with {@link UnpublishableException}.
     * {@code coalescedInto} names the command whose request carried this one, or is {@code null}.
     */
    public Uni<RecordRef> publish(Outcome outcome, String coalescedInto, Context trace, Origin origin,
            BooleanSupplier keepTrying) {
        OutcomeEvent event = OutcomeEvent.of(outcome, clock.instant(), coalescedInto);
        return written(event).chain(json -> send(outcome.name(), outcome.command().messageKey(), event.commandId(),
                event.occurredAt(), json, trace, origin, keepTrying, 0));
    }

    /** The event as JSON, or an {@link UnpublishableException} if it cannot be written. */
    private Uni<String> written(Object event) {
        try {
            return Uni.createFrom().item(mapper.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(new UnpublishableException("the outcome could not be written as JSON ("
                    + e.getClass().getSimpleName() + ")", e));
        }
    }

    /**
     * Publishes an earlier outcome event again (idempotency, CONTRACT §2): {@code event} is that record's JSON with
     * {@code duplicateOf} added; it goes to the topic of its outcome ({@code outcome}), as {@link #publish} does.
     */
    public Uni<RecordRef> republish(String outcome, String key, JsonNode event, Context trace, Origin origin,
            BooleanSupplier keepTrying) {
        return written(event).chain(json -> send(outcome, key, event.path("commandId").asText(), clock.instant(),
                json, trace, origin, keepTrying, 0));
    }

    private Uni<RecordRef> send(String outcome, String key, String commandId, Instant occurredAt, String json,
            Context trace, Origin origin, BooleanSupplier keepTrying, int failures) {
        RecordHeaders headers = new RecordHeaders();
        spans.inject(trace, headers);
        origin.writeTo(headers);
        // a CloudEvent in the Kafka binary mode (its attributes as ce_* headers, the body unchanged)
        headers.add(CE_SPECVERSION, SPEC_VERSION);
        headers.add(CE_ID, utf8(commandId));
        Destination destination = destinationOf(outcome);
        headers.add(CE_TYPE, destination.type());
        headers.add(CE_SOURCE, sourceHeader);
        headers.add(CE_SUBJECT, utf8(key));
        headers.add(CE_DATACONTENTTYPE, JSON_TYPE);
        headers.add(CONTENT_TYPE, JSON_TYPE);
        // RFC 3339 in UTC, the text of the event's occurredAt
        headers.add(CE_TIME, Rfc3339.utf8(occurredAt));
        return sender.send(new ProducerRecord<>(destination.topic(), null, key, json, headers))
                .map(at -> new RecordRef(at.topic(), at.partition(), at.offset()))
                .onFailure().recoverWithUni(failure -> {
                    if (DeadLetterWriter.isTooLarge(failure) || failure instanceof SerializationException
                            || failure instanceof InvalidTopicException) {
                        return Uni.createFrom().failure(new UnpublishableException("the " + outcome
                                + " topic refused the outcome (" + failure.getClass().getSimpleName() + ")", failure));
                    }
                    if (!keepTrying.getAsBoolean()) {
                        return Uni.createFrom().failure(failure);
                    }
                    Duration wait = backoff.after(failures);
                    LOG.warnf("outcome of command %s not published (%s); retrying in %d ms", commandId,
                            failure.getClass().getSimpleName(), wait.toMillis());
                    return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                            .chain(() -> send(outcome, key, commandId, occurredAt, json, trace, origin, keepTrying,
                                    failures + 1));
                });
    }

    /** An outcome that no retry can publish: the command is dead-lettered with cause {@code unpublished}. */
    public static final class UnpublishableException extends RuntimeException {
        UnpublishableException(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }

    private static final String CE_SPECVERSION = "ce_specversion";
    private static final String CE_ID = "ce_id";
    private static final String CE_TYPE = "ce_type";
    private static final String CE_SOURCE = "ce_source";
    private static final String CE_SUBJECT = "ce_subject";
    private static final String CE_TIME = "ce_time";
    private static final String CE_DATACONTENTTYPE = "ce_datacontenttype";
    private static final String CONTENT_TYPE = "content-type";
    private static final byte[] SPEC_VERSION = utf8("1.0");
    private static final byte[] JSON_TYPE = utf8("application/json");

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** An outcome's topic and its {@code ce_type} header, made once. */
    private record Destination(String topic, byte[] type) {
        Destination(String topic, String outcome) {
            this(topic, utf8(TYPE_PREFIX + outcome));
        }
    }

    private Destination destinationOf(String outcome) {
        return switch (outcome) {
            case "succeeded" -> succeeded;
            case "rate_limited" -> rateLimited;
            default -> failed;
        };
    }
}
